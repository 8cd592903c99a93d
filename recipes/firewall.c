/*
 * firewall.c -- the firewall step: close the ports nobody needs (the mail
 * ports first), keep the ones asked for, never the SSH port, and reject
 * outgoing SMTP from everyone but the MTA so a compromised account cannot
 * send spam. Backends and the order of commands: editors/firewall.c.
 *
 * Order inside the plan: install (if needed), allow the SSH ports (current
 * and, when the SSH step moves it, the new one), allow the rest, close,
 * outbound block, and only then enable or reload. The old SSH port is
 * never closed in the run that moves it: that is a later, separate run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/firewall.h"
#include "firewall/rules_check.h"
#include "firewall/smtp_count.h"
#include "sshd/config.h"
#include "fsutil.h"
#include "i18n.h"
#include "listening.h"
#include "step.h"

/* The audit reads the rules' text itself (rules_check.c). */
static const struct aug_file firewall_files[] = {
	SSHD_AUG_FILES,
	{ "Iptables.lns", UFW_BEFORE_RULES, 0640, &iptables_checker, NULL,
	  true },
	{ "Iptables.lns", UFW_BEFORE6_RULES, 0640, &ip6tables_checker, NULL,
	  true },
};

static const char *const backend_choices[] = { "auto", "ufw", "firewalld",
	NULL };

static const struct question firewall_questions[] = {
	{ "backend", V_CHOICE, N_("Firewall"),
	  N_("auto uses the firewall that is active, else the one installed, "
	     "else the distribution's own (ufw on Debian and Ubuntu, "
	     "firewalld on the RHEL family), and installs it."),
	  backend_choices, 0, 0, 0 },
	{ "allow", V_PORTS, N_("Ports to keep open"),
	  N_("Ports other machines must reach, such as 80/tcp 443/tcp. The "
	     "SSH port is always kept open, also a new one the SSH step "
	     "moves to."), NULL, 0, 0, 0 },
	{ "close", V_PORTS, N_("Ports to close"),
	  N_("Closed for incoming connections: rules and services that open "
	     "them are removed, and ufw gets an explicit deny. A server that "
	     "does not receive mail closes 25, 465 and 587. Closing the SSH "
	     "port is refused."), NULL, 0, 0, 0 },
	{ "block_outbound_smtp", V_BOOL, N_("Block outgoing SMTP"),
	  N_("Rejects new connections to port 25 from every user except the "
	     "mail server (postfix), on IPv4 and IPv6. A compromised web "
	     "application or account can then not send spam directly. "
	     "Closing incoming 25 does not do this."), NULL, 0, 0, 0 },
	{ "enable", V_BOOL, N_("Turn the firewall on"),
	  N_("Enables the firewall now and at boot, after the SSH ports are "
	     "allowed. Everything not allowed is then closed."),
	  NULL, 0, 0, 0 },
};

extern const struct step step_firewall;

static const char *const mail_ports[] = { "25/tcp", "465/tcp", "587/tcp" };

static size_t
parse_list(const char *value, struct fw_ports **out)
{
	struct strv items;
	size_t n = 0;

	strv_init(&items);
	split_list(value != NULL ? value : "", &items);
	*out = xcalloc(items.n + 1, sizeof **out);
	for (size_t i = 0; i < items.n; i++) {
		if (fw_ports_parse(items.v[i], &(*out)[n]) == 0)
			n++;
	}
	strv_release(&items);
	return n;
}

static bool
is_ssh_port(const struct strv *ssh, unsigned int port)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%u", port);
	return strv_contains(ssh, buf);
}

/* Closing a port sshd listens on (or will) would lock the admin out. */
static bool
guard(struct plan *p, const struct strv *ssh, const struct fw_ports *close,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ssh->n; k++) {
			struct fw_ports s;

			if (fw_ports_parse(ssh->v[k], &s) != 0 ||
			    !fw_ports_cover(&close[i], &s))
				continue;
			plan_refuse(p, true, _("refusing to close %s/tcp: "
			    "sshd listens on it (or will after this run), and "
			    "closing it would lock you out. Move SSH first, "
			    "log in on the new port, then close the old one "
			    "in a separate run"), ssh->v[k]);
			return false;
		}
	}
	return true;
}

static void
docker_note(const char *root, const struct listeners *ls, struct strv *out)
{
	struct buf b;
	bool docker = fs_exists(root, "/usr/bin/dockerd") ||
	    fs_exists(root, "/run/docker.sock");

	buf_init(&b);
	for (size_t i = 0; i < ls->n; i++) {
		if (ls->v[i].program != NULL &&
		    strcmp(ls->v[i].program, "docker-proxy") == 0)
			buf_addf(&b, " %u/%s", ls->v[i].port, ls->v[i].udp ?
			    "udp" : "tcp");
	}
	if (b.len > 0)
		strv_addf(out, _("Docker publishes%s: published ports bypass "
		    "ufw and firewalld rules (Docker writes its own iptables "
		    "rules); bind them to 127.0.0.1 or filter them in the "
		    "DOCKER-USER chain"), b.data);
	else if (docker)
		strv_add(out, _("Docker is installed: ports it publishes "
		    "bypass ufw and firewalld rules; bind them to 127.0.0.1 or "
		    "filter them in the DOCKER-USER chain"));
	buf_release(&b);
}

/* After the plan, is the listener reachable? */
static bool
exposed(const struct firewall *fw, const struct listener *l)
{
	struct fw_ports p = { l->port, l->port, l->udp };

	return !fw->active || fw_allows(fw, &p);
}

static void
listener_notes(struct plan *p, const struct firewall *fw,
    const struct listeners *ls, const struct strv *ssh,
    const struct fw_ports *allow, size_t nallow)
{
	for (size_t i = 0; i < ls->n; i++) {
		const struct listener *l = &ls->v[i];
		struct fw_ports lp = { l->port, l->port, l->udp };
		bool wanted = !l->udp && is_ssh_port(ssh, l->port);
		const char *prog = l->program ? l->program : "?";

		for (size_t k = 0; k < nallow && !wanted; k++)
			wanted = fw_ports_cover(&allow[k], &lp);
		if (wanted)
			continue;
		if (exposed(fw, l))
			plan_note(p, _("%u/%s (%s on %s) stays reachable from "
			    "the network and is not in allow"), l->port,
			    l->udp ? "udp" : "tcp", prog, l->addr);
		else
			plan_note(p, _("%u/%s (%s on %s) will be closed: add "
			    "it to allow to keep it reachable"), l->port,
			    l->udp ? "udp" : "tcp", prog, l->addr);
	}
}

static bool
step_changed_files(const struct plan *p, size_t from)
{
	for (size_t i = from; i < p->nchanges; i++) {
		if (p->changes[i].kind == CHANGE_FILE)
			return true;
	}
	return false;
}

static int
firewall_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	struct firewall fw;
	struct strv ssh;
	struct fw_ports *allow = NULL, *close = NULL;
	size_t nallow, nclose, first = p->nchanges;
	struct listeners ls;
	const char *moved_to;
	char *mta = NULL;
	long mta_uid = -1;
	bool enable = settings_bool(set, "enable", true), block, count;
	bool rules_changed;
	int r = -1;

	if (fw_load(ctx->root, ctx->os, settings_get(set, "backend"), &fw,
	    cause) != 0)
		return -1;
	strv_init(&ssh);
	if (ssh_ports_after(ctx, &ssh, &moved_to, cause) != 0) {
		strv_release(&ssh);
		fw_release(&fw);
		return -1;
	}
	nallow = parse_list(settings_get(set, "allow"), &allow);
	nclose = parse_list(settings_get(set, "close"), &close);
	listeners_load(ctx->root, &ls);
	if (!guard(p, &ssh, close, nclose)) {
		r = 0;
		goto out;
	}
	if (fw_plan_install(&fw, p, ctx->id, ctx->os, cause) != 0)
		goto out;
	for (size_t i = 0; i < ssh.n; i++) {
		struct fw_ports s;
		char *why = xasprintf(_("keep SSH (port %s) reachable before "
		    "the firewall is enabled or reloaded"), ssh.v[i]);

		if (fw_ports_parse(ssh.v[i], &s) == 0)
			fw_plan_allow(&fw, p, ctx->id, &s, why);
		free(why);
	}
	for (size_t i = 0; i < nallow; i++)
		fw_plan_allow(&fw, p, ctx->id, &allow[i], _("allow: "
		    "listed in allow"));
	if (nclose > 0)
		fw_plan_close(&fw, p, ctx->id, close, nclose);
	block = settings_bool(set, "block_outbound_smtp", false);
	count = block;
	if (block && fw_outbound_file(&fw) != NULL &&
	    !fs_exists(ctx->root, fw_outbound_file(&fw))) {
		plan_note(p, _("outgoing SMTP is not blocked yet: %s exists "
		    "only once %s is installed; run hardenwiz again after this "
		    "run to add the block"), fw_outbound_file(&fw),
		    fw_name(&fw));
		count = false;
	} else if (block && !fw.outbound_blocked) {
		fw_mta_user(ctx->root, &mta_uid, &mta);
		if (fw_plan_block_outbound(&fw, p, ctx->id, ctx->augs,
		    mta_uid, mta, cause) != 0 ||
		    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
			goto out;
		if (mta == NULL)
			plan_note(p, _("no MTA user (postfix) exists: outgoing "
			    "SMTP is rejected for every user; run this step "
			    "again after installing the mail server"));
	}
	/*
	 * The count starts before the block does. Its own table and unit:
	 * no reload of the firewall for its files.
	 */
	rules_changed = step_changed_files(p, first);
	if (count) {
		if (mta == NULL)
			fw_mta_user(ctx->root, &mta_uid, &mta);
		if (smtp_count_plan(p, ctx->id, mta != NULL ? mta_uid : -1,
		    cause) != 0)
			goto out;
	}
	if (p->nchanges > first || (enable && !fw.active))
		fw_plan_finish(&fw, p, ctx->id, enable, rules_changed);
	if (moved_to != NULL)
		plan_note(p, _("the old SSH port stays open while sshd moves "
		    "to %s; close it in a later run, after you have logged in "
		    "on the new port"), moved_to);
	if (!fw.active)
		plan_note(p, _("%s stays off (enable = no): the rules are "
		    "stored but filter nothing until it is enabled"),
		    fw_name(&fw));
	for (size_t i = 0; i < fw.notes.n; i++)
		plan_note(p, "%s", fw.notes.v[i]);
	listener_notes(p, &fw, &ls, &ssh, allow, nallow);
	{
		struct strv d;

		strv_init(&d);
		docker_note(ctx->root, &ls, &d);
		for (size_t i = 0; i < d.n; i++)
			plan_note(p, "%s", d.v[i]);
		strv_release(&d);
	}
	r = 0;
out:
	listeners_release(&ls);
	free(allow);
	free(close);
	free(mta);
	strv_release(&ssh);
	fw_release(&fw);
	return r;
}

/* ---- audit ---- */

static void
audit_listeners(struct audit *a, const struct firewall *fw,
    const struct listeners *ls, const struct strv *ssh)
{
	if (!ls->known) {
		strv_add(&a->notes, _("no /proc/net under the root: listening "
		    "sockets are unknown"));
		return;
	}
	for (size_t i = 0; i < ls->n; i++) {
		const struct listener *l = &ls->v[i];
		bool open = exposed(fw, l);
		char *key = xasprintf("%u/%s", l->port, l->udp ? "udp" :
		    "tcp");

		strv_addf(&a->notes, _("listening: %s %s on %s, %s"), key,
		    l->program ? l->program : "?", l->addr, open ?
		    _("reachable") : _("blocked by the firewall"));
		if (open && !(!l->udp && is_ssh_port(ssh, l->port))) {
			char *label = xasprintf("%-10s %s on %s", key,
			    l->program ? l->program : "?", l->addr);

			audit_pick(a, key, label);
			free(label);
		}
		/* Reachable without a rule that says so: nobody chose it. */
		if (open && !fw->active && !(!l->udp &&
		    is_ssh_port(ssh, l->port))) {
			char *k = xasprintf(_("listening %s (%s)"), key,
			    l->program ? l->program : "?");

			audit_finding(a, k, _("open, no firewall"),
			    _("closed or in allow"));
			free(k);
		}
		free(key);
	}
}

static int
firewall_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	struct firewall fw;
	struct strv ssh;
	struct listeners ls;
	struct buf close, allow;
	char *allowed;
	struct fw_ports mp;

	if (fw_load(ctx->root, ctx->os, "auto", &fw, cause) != 0)
		return -1;
	strv_init(&ssh);
	if (ssh_ports_after(ctx, &ssh, NULL, cause) != 0) {
		strv_release(&ssh);
		fw_release(&fw);
		return -1;
	}
	listeners_load(ctx->root, &ls);
	strv_addf(&a->notes, _("backend: %s (%s)"), fw_name(&fw), fw.why);
	if (!fw.installed)
		audit_finding(a, "firewall", _("not installed"), fw_name(&fw));
	else if (!fw.active)
		audit_finding(a, "firewall", _("inactive"), _("active"));
	/* Listeners first: their pick labels name the program. */
	a->pick_key = "close";
	audit_listeners(a, &fw, &ls, &ssh);
	buf_init(&close);
	buf_adds(&close, "");
	for (size_t i = 0; i < nitems(mail_ports); i++) {
		bool listening = false;

		(void)fw_ports_parse(mail_ports[i], &mp);
		for (size_t k = 0; k < ls.n; k++)
			listening |= !ls.v[k].udp && ls.v[k].port == mp.lo;
		if ((fw.active && fw_allows(&fw, &mp)) || (!fw.active &&
		    listening)) {
			char *k = xasprintf(_("incoming %s"), mail_ports[i]);

			audit_finding(a, k, _("open"), _("closed"));
			audit_pick(a, mail_ports[i], k);
			free(k);
			buf_addf(&close, "%s%s", close.len ? " " : "",
			    mail_ports[i]);
		}
	}
	if (!fw.outbound_blocked)
		audit_finding(a, _("outgoing 25/tcp"), _("allowed for every "
		    "user"), _("only the MTA"));
	else if (!smtp_count_installed(ctx->root))
		audit_finding(a, _("outgoing 25/tcp tries"), _("not counted"),
		    _("counted per user"));

	docker_note(ctx->root, &ls, &a->notes);
	for (size_t i = 0; i < fw.notes.n; i++)
		strv_add(&a->notes, fw.notes.v[i]);
	a->state = !fw_installable(&fw, ctx->os) ? STATE_NOT_APPLICABLE :
	    a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;

	/* The form: what is open stays open, minus the mail ports. */
	allowed = fw_allowed_list(&fw);
	buf_init(&allow);
	buf_adds(&allow, "");
	{
		struct strv items;

		strv_init(&items);
		split_list(allowed, &items);
		for (size_t i = 0; i < items.n; i++) {
			bool mail = false;

			for (size_t k = 0; k < nitems(mail_ports); k++)
				mail |= strcmp(items.v[i], mail_ports[k]) == 0;
			if (!mail)
				buf_addf(&allow, "%s%s", allow.len ? " " : "",
				    items.v[i]);
		}
		strv_release(&items);
	}
	settings_set(&a->current, "backend", "auto");
	settings_set(&a->current, "allow", allow.data);
	settings_set(&a->current, "close", close.data);
	settings_set(&a->current, "block_outbound_smtp", "yes");
	settings_set(&a->current, "enable", "yes");
	buf_release(&allow);
	buf_release(&close);
	free(allowed);
	listeners_release(&ls);
	strv_release(&ssh);
	fw_release(&fw);
	return 0;
}

bool
firewall_planned(const struct step_ctx *ctx, const char **backend,
    bool *enable)
{
	const struct settings *set = step_ctx_settings(ctx, &step_firewall);

	if (set == NULL)
		return false;
	if (backend != NULL)
		*backend = settings_get(set, "backend") != NULL ?
		    settings_get(set, "backend") : "auto";
	if (enable != NULL)
		*enable = settings_bool(set, "enable", true);
	return true;
}

const struct step step_firewall = {
	.id = "firewall",
	.flags = STEP_CONFIRM,
	.title = N_("Firewall"),
	.help = N_("Closes the ports nobody needs, keeps SSH open, and "
	    "rejects outgoing SMTP from everyone but the mail server, with "
	    "ufw or firewalld. SSH ports are allowed before the firewall is "
	    "enabled or reloaded."),
	.files = firewall_files,
	.nfiles = nitems(firewall_files),
	.questions = firewall_questions,
	.nquestions = nitems(firewall_questions),
	.audit = firewall_audit,
	.prefetch = ssh_prefetch,
	.plan = firewall_plan,
};
