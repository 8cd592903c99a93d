/*
 * fw_ufw.c -- the ufw backend. Rules are read from ufw's own store
 * (user.rules, user6.rules: one "### tuple ###" comment per rule), which
 * works whether ufw is enabled or not and under any root. Changes go
 * through the ufw CLI, except the outbound SMTP block: ufw's CLI cannot
 * match the sending user, so that is an Augeas edit of before.rules and
 * before6.rules (Iptables.lns).
 *
 * ufw traps (notes F3): "ufw delete" of a missing rule exits 0, direction
 * is part of a rule, "ufw --dry-run enable" writes ENABLED=yes, and
 * "ufw status" lists nothing while ufw is disabled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augsession.h"
#include "fsutil.h"
#include "firewall/fw_backend.h"
#include "i18n.h"

#define UFW_CONF	"/etc/ufw/ufw.conf"
#define UFW_USER	"/etc/ufw/user.rules"
#define UFW_USER6	"/etc/ufw/user6.rules"
#define UFW_DEFAULT	"/etc/default/ufw"
#define OUT_MARK	"hardenwiz: outbound SMTP"

/* A Shellvars-style NAME=value of TEXT, quotes stripped; caller frees. */
static char *
shell_var(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		if (len > n && strncmp(l, name, n) == 0 && l[n] == '=') {
			char *v = xstrndup(l + n + 1, len - n - 1);
			size_t vl = strlen(v);

			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[vl - 1] == v[0]) {
				memmove(v, v + 1, vl - 2);
				v[vl - 2] = '\0';
			}
			return v;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void
ufw_probe(const char *root, struct fw_probe *pr)
{
	char *conf = fw_read_text(root, UFW_CONF);
	char *enabled = shell_var(conf, "ENABLED");

	pr->installed = fs_exists(root, "/usr/sbin/ufw") ||
	    fs_exists(root, "/sbin/ufw");
	pr->active = pr->installed && enabled != NULL &&
	    strcmp(enabled, "yes") == 0;
	pr->running = false;
	if (pr->installed && strcmp(root, "/") == 0) {
		/* The boot setting can lie: ask ufw what filters now. */
		char *argv[] = { "ufw", "status", NULL }, *out;

		if (fw_query(argv, &out, &pr->error) == 0)
			pr->active = strstr(out, "Status: active") != NULL;
		free(out);
	}
	free(enabled);
	free(conf);
}

static bool
any_address(const char *a)
{
	return strcmp(a, "0.0.0.0/0") == 0 || strcmp(a, "::/0") == 0 ||
	    strcmp(a, "any") == 0;
}

/* "allow_log-all" -> "allow" "log-all" into ARGV at *n. */
static void
action_words(const char *action, char **argv, size_t *n)
{
	const char *u = strchr(action, '_');

	argv[(*n)++] = u ? xstrndup(action, (size_t)(u - action)) :
	    xstrdup(action);
	if (u != NULL)
		argv[(*n)++] = xstrdup(u + 1);
}

/* ufw's dport list "80,443" / "6000:6007" into O's ports. */
static bool
add_dports(struct fw_opener *o, const char *dport, const char *proto)
{
	struct strv parts;
	bool ok = true;

	strv_init(&parts);
	split_list(dport, &parts);
	for (size_t i = 0; i < parts.n && ok; i++) {
		struct fw_ports p;

		if (fw_ports_parse(parts.v[i], &p) != 0) {
			ok = false;
			break;
		}
		if (strcmp(proto, "udp") != 0) {
			p.udp = false;
			fw_opener_port(o, &p);
		}
		if (strcmp(proto, "tcp") != 0) {
			p.udp = true;
			fw_opener_port(o, &p);
		}
	}
	strv_release(&parts);
	return ok;
}

/*
 * What the rule files said so far, as sets: ufw keeps thousands of rules
 * (a ban list), and a list scanned per rule made the audit quadratic.
 */
struct ufw_seen {
	struct strset	 openers;	/* v4 rules, for their v6 twins */
	struct strset	 denied;	/* fw->denied's entries */
	struct strset	 notes;		/* fw->notes' from this file */
};

/* Add NOTE (caller's) to FW's notes unless it is there already. */
static void
note_once(struct firewall *fw, struct ufw_seen *seen, const char *note)
{
	if (strset_add(&seen->notes, note))
		strv_add(&fw->notes, note);
}

/*
 * One tuple: ACTION PROTO DPORT DST SPORT SRC [DAPP SAPP] DIRECTION
 * [comment=HEX]. Inbound allow/limit rules from anywhere are openers;
 * explicit denies are remembered; the rest is reported and left alone.
 */
static void
ufw_tuple(struct firewall *fw, char *line, struct ufw_seen *seen)
{
	char *tok[12], *save = NULL, *argv[16] = { 0 };
	size_t nt = 0, n = 0;
	const char *action, *proto, *dport, *dst, *sport, *src, *dir;
	const char *dapp = "-";
	struct fw_opener *o;
	char *spec, *label;

	for (char *t = strtok_r(line, " ", &save); t != NULL && nt < 12;
	    t = strtok_r(NULL, " ", &save)) {
		if (strncmp(t, "comment=", 8) != 0)
			tok[nt++] = t;
	}
	if (nt != 7 && nt != 9)
		return;
	action = tok[0], proto = tok[1], dport = tok[2], dst = tok[3];
	sport = tok[4], src = tok[5], dir = tok[nt - 1];
	if (nt == 9)
		dapp = tok[6];
	if (strncmp(action, "route:", 6) == 0)
		return;
	if (strcmp(dir, "out") == 0) {
		struct strv ports;

		strv_init(&ports);
		split_list(dport, &ports);
		if ((str_has_prefix(action, "deny") || str_has_prefix(action,
		    "reject")) && strcmp(proto, "udp") != 0 &&
		    strv_contains(&ports, "25") && any_address(dst)) {
			/* Stricter than ours: the MTA is blocked too. */
			fw->outbound_blocked = true;
			strv_addf(&fw->notes, _("ufw rule '%s out %s/%s' blocks "
			    "outgoing SMTP for every user, the MTA included; "
			    "mail then needs a relayhost on 587 or 465"),
			    action, dport, proto);
		}
		strv_release(&ports);
		return;
	}
	if (str_has_prefix(dir, "in_")) {
		char *note = xasprintf(_("ufw rule '%s %s/%s' on interface %s "
		    "is left alone; check it with 'ufw status numbered'"),
		    action, dport, proto, dir + 3);

		note_once(fw, seen, note);	/* v4 and v6 */
		free(note);
		return;
	}
	if (strcmp(dir, "in") != 0)
		return;
	if (str_has_prefix(action, "deny") || str_has_prefix(action,
	    "reject")) {
		if (strcmp(dport, "any") != 0 && any_address(src) &&
		    strchr(dport, ',') == NULL) {
			struct fw_ports p;

			if (fw_ports_parse(dport, &p) == 0) {
				p.udp = strcmp(proto, "udp") == 0;
				spec = fw_ports_string(&p);
				if (strset_add(&seen->denied, spec))
					strv_add(&fw->denied, spec);
				free(spec);
			}
		}
		return;
	}
	/* allow, limit (with _log / _log-all) */
	action_words(action, argv, &n);
	if (strcmp(dapp, "-") != 0) {
		/* ufw writes a space in an application name as %20. */
		char *app = xstrdup(dapp), *pct;

		while ((pct = strstr(app, "%20")) != NULL) {
			*pct = ' ';
			memmove(pct + 1, pct + 3, strlen(pct + 3) + 1);
		}
		argv[n++] = app;
	} else if (any_address(dst) && strcmp(sport, "any") == 0) {
		argv[n++] = strcmp(proto, "any") == 0 ? xstrdup(dport) :
		    xasprintf("%s/%s", dport, proto);
	} else {
		if (strcmp(proto, "any") != 0) {
			argv[n++] = xstrdup("proto");
			argv[n++] = xstrdup(proto);
		}
		argv[n++] = xstrdup("to");
		argv[n++] = xstrdup(dst);
		argv[n++] = xstrdup("port");
		argv[n++] = xstrdup(dport);
		if (strcmp(sport, "any") != 0) {
			argv[n++] = xstrdup("from");
			argv[n++] = xstrdup("any");
			argv[n++] = xstrdup("port");
			argv[n++] = xstrdup(sport);
		}
	}
	spec = argv_quote(argv);
	if (!any_address(src)) {
		strv_addf(&fw->notes, _("ufw rule '%s' from %s is limited to "
		    "that source and left alone"), spec, src);
		goto out;
	}
	if (strcmp(dport, "any") == 0 || !strset_add(&seen->openers, spec))
		goto out;	/* v6 twin of a v4 rule, or not a port rule */
	label = xasprintf(_("ufw rule '%s'"), spec);
	o = fw_add_opener(fw, label);
	free(label);
	if (!add_dports(o, dport, proto)) {
		o->nports = 0;
		goto out;
	}
	{
		char *rm[20] = { "ufw", "delete" }, *add[20] = { "ufw" };

		for (size_t i = 0; i < n; i++) {
			rm[2 + i] = argv[i];
			add[1 + i] = argv[i];
		}
		o->remove = argv_dup(rm);
		o->readd = argv_dup(add);
		strv_add(&o->touches, UFW_USER);
		strv_add(&o->touches, UFW_USER6);
	}
out:
	free(spec);
	for (size_t i = 0; i < n; i++)
		free(argv[i]);
}

static void
ufw_rules_file(const char *root, struct firewall *fw, const char *path,
    struct ufw_seen *seen)
{
	char *text = fw_read_text(root, path), *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		if (str_has_prefix(l, "### tuple ### "))
			ufw_tuple(fw, l + 14, seen);
	}
	free(text);
}

/* before.rules rejects or drops new tcp/25 in CHAIN. */
static bool
rules_block_25(const char *root, const char *path, const char *chain)
{
	char *text = fw_read_text(root, path), *save = NULL;
	bool found = false;

	for (char *l = strtok_r(text, "\n", &save); l != NULL && !found;
	    l = strtok_r(NULL, "\n", &save)) {
		found = str_has_prefix(l, "-A ") && strstr(l, chain) != NULL &&
		    strstr(l, "--dport 25 ") != NULL && (strstr(l,
		    "-j REJECT") != NULL || strstr(l, "-j DROP") != NULL) &&
		    strstr(l, "--uid-owner") == NULL;
	}
	free(text);
	return found;
}

static int
ufw_load(const char *root, struct firewall *fw, char **cause)
{
	struct ufw_seen seen;
	char *def, *policy, *ipv6;

	(void)cause;
	if (!fw->installed)
		return 0;	/* installed by the plan: no rules yet */
	def = fw_read_text(root, UFW_DEFAULT);
	policy = shell_var(def, "DEFAULT_INPUT_POLICY");
	ipv6 = shell_var(def, "IPV6");
	strset_init(&seen.openers);
	strset_init(&seen.denied);
	strset_init(&seen.notes);
	for (size_t i = 0; i < fw->denied.n; i++)
		strset_add(&seen.denied, fw->denied.v[i]);
	ufw_rules_file(root, fw, UFW_USER, &seen);
	ufw_rules_file(root, fw, UFW_USER6, &seen);
	strset_release(&seen.openers);
	strset_release(&seen.denied);
	strset_release(&seen.notes);
	if (policy != NULL && strcmp(policy, "ACCEPT") == 0)
		strv_add(&fw->notes, _("ufw's default incoming policy is "
		    "ACCEPT (" UFW_DEFAULT "): every port without a deny rule "
		    "is open; 'ufw default deny incoming' fixes that"));
	fw->outbound_blocked |= rules_block_25(root, UFW_BEFORE_RULES,
	    "ufw-before-output") && (ipv6 == NULL || strcmp(ipv6, "yes") !=
	    0 || rules_block_25(root, UFW_BEFORE6_RULES, "ufw6-before-output"));
	free(policy);
	free(ipv6);
	free(def);
	return 0;
}

static struct change *
ufw_command(struct plan *p, const char *step, char *const *argv,
    char *const *undo, const char *why)
{
	return fw_command(p, step, argv, undo, why, UFW_USER, UFW_USER6);
}

/* ufw writes ranges as N:M. */
static char *
ufw_port_arg(const struct fw_ports *ports)
{
	if (ports->lo == ports->hi)
		return xasprintf("%u/%s", ports->lo, ports->udp ? "udp" :
		    "tcp");
	return xasprintf("%u:%u/%s", ports->lo, ports->hi, ports->udp ?
	    "udp" : "tcp");
}

static void
ufw_allow(struct firewall *fw, struct plan *p, const char *step,
    const struct fw_ports *ports, const char *why)
{
	char *arg = ufw_port_arg(ports);
	char *argv[] = { "ufw", "allow", arg, NULL };
	char *undo[] = { "ufw", "delete", "allow", arg, NULL };
	struct fw_opener *o;
	char *label = xasprintf(_("ufw rule 'allow %s'"), arg);

	ufw_command(p, step, argv, undo, why);
	o = fw_add_opener(fw, label);
	fw_opener_port(o, ports);
	free(label);
	free(arg);
}

static void
ufw_deny(struct firewall *fw, struct plan *p, const char *step,
    const struct fw_ports *ports, bool partial)
{
	char *arg = ufw_port_arg(ports), *s = fw_ports_string(ports);
	char *argv[] = { "ufw", partial ? "prepend" : "deny", partial ?
	    "deny" : arg, partial ? arg : NULL, NULL };
	char *undo[] = { "ufw", "delete", "deny", arg, NULL };

	if (partial || !strv_contains(&fw->denied, s)) {
		ufw_command(p, step, argv, undo, _("close: deny the port "
		    "explicitly, so a later 'ufw default allow' does not open "
		    "it"));
		strv_add(&fw->denied, s);
	}
	free(s);
	free(arg);
}

/* The one node PATH matches, as a concrete path; NULL otherwise. */
static char *
aug_one(augeas *aug, const char *path)
{
	char **m = NULL, *one = NULL;
	int n = aug_match(aug, path, &m);

	if (n >= 1)
		one = xstrdup(m[n - 1]);
	for (int i = 0; i < n; i++)
		free(m[i]);
	free(m);
	return one;
}

/* Insert LABEL = VALUE after the node AFTER; the new node's path. */
static char *
aug_insert_after(augeas *aug, const char *after, const char *label,
    const char *value)
{
	char *sib, *node;

	if (aug_insert(aug, after, label, 0) != 0)
		return NULL;
	sib = xasprintf("%s/following-sibling::*[1]", after);
	node = aug_one(aug, sib);
	free(sib);
	if (node != NULL && aug_set(aug, node, value) != 0) {
		free(node);
		return NULL;
	}
	return node;
}

/* LABEL VALUE pairs of one rule's options, in iptables order. */
static int
set_options(augeas *aug, const char *node, const char *const *opts)
{
	for (size_t i = 0; opts[i] != NULL; i += 2) {
		char *path = xasprintf("%s/%s[last()+1]", node, opts[i]);
		int r = aug_set(aug, path, opts[i + 1]);

		free(path);
		if (r != 0)
			return -1;
	}
	return 0;
}

/*
 * Insert, after CHAIN's RELATED,ESTABLISHED accept, a marker comment and:
 *   -A CHAIN -p tcp -m tcp --dport 25 -m owner --uid-owner UID -j ACCEPT
 *   -A CHAIN -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset
 * Loopback is accepted earlier in the same chain by ufw's stock rules, and
 * replies of established connections just before. A numeric uid:
 * iptables-restore fails on an unknown name, and a failed load at boot
 * would leave the server with no firewall at all.
 */
static int
block_in_file(augeas *aug, const char *file, const char *chain, long uid,
    const char *mta, char **cause)
{
	char *t = xasprintf("/files%s/table[. = 'filter']", file);
	char *q, *anchor, *mark, *node = NULL, *rule = NULL;
	char uidbuf[32];
	const char *accept[] = { "protocol", "tcp", "match", "tcp", "dport",
	    "25", "match", "owner", "uid-owner", uidbuf, "jump", "ACCEPT",
	    NULL };
	const char *reject[] = { "protocol", "tcp", "match", "tcp", "dport",
	    "25", "jump", "REJECT", "reject-with", "tcp-reset", NULL };
	int r = -1;

	snprintf(uidbuf, sizeof uidbuf, "%ld", uid);
	q = xasprintf("%s/append[. = '%s' and match = 'conntrack']", t,
	    chain);
	anchor = aug_one(aug, q);
	free(q);
	if (anchor == NULL) {
		q = xasprintf("%s/append[. = '%s']", t, chain);
		anchor = aug_one(aug, q);
		free(q);
	}
	if (anchor == NULL) {
		set_cause(cause, _("%s has no rule in chain %s to put the "
		    "block after; restore ufw's stock file and try again"),
		    file, chain);
		free(t);
		return -1;
	}
	mark = uid >= 0 ? xasprintf(OUT_MARK " only for the MTA (uid %ld = "
	    "%s) and loopback", uid, mta) : xstrdup(OUT_MARK " rejected "
	    "(no MTA user was found)");
	node = aug_insert_after(aug, anchor, "#comment", mark);
	if (node != NULL && uid >= 0) {
		rule = aug_insert_after(aug, node, "append", chain);
		if (rule == NULL || set_options(aug, rule, accept) != 0)
			goto out;
		free(node);
		node = rule;
		rule = NULL;
	}
	if (node != NULL) {
		rule = aug_insert_after(aug, node, "append", chain);
		if (rule != NULL && set_options(aug, rule, reject) == 0)
			r = 0;
	}
out:
	if (r != 0)
		set_cause(cause, _("cannot add the outbound SMTP block to %s"),
		    file);
	free(rule);
	free(node);
	free(mark);
	free(anchor);
	free(t);
	return r;
}

static int
ufw_block_outbound(struct firewall *fw, struct plan *p, const char *step,
    struct augs *augs, long mta_uid, const char *mta_name, char **cause)
{
	augeas *aug = augs_handle(augs);

	/* An Augeas edit of before.rules: the step collects it. */
	(void)fw;
	(void)p;
	(void)step;
	if (aug_match(aug, "/files" UFW_BEFORE_RULES, NULL) != 1)
		return set_cause(cause, _("%s is missing; reinstall ufw"),
		    UFW_BEFORE_RULES);
	if (block_in_file(aug, UFW_BEFORE_RULES, "ufw-before-output",
	    mta_uid, mta_name, cause) != 0)
		return -1;
	if (aug_match(aug, "/files" UFW_BEFORE6_RULES, NULL) == 1 &&
	    block_in_file(aug, UFW_BEFORE6_RULES, "ufw6-before-output",
	    mta_uid, mta_name, cause) != 0)
		return -1;
	return 0;
}

static void
ufw_finish(struct firewall *fw, struct plan *p, const char *step,
    bool enable, bool files_changed)
{
	char *en[] = { "ufw", "--force", "enable", NULL };
	char *dis[] = { "ufw", "--force", "disable", NULL };
	char *reload[] = { "ufw", "reload", NULL };

	if (!fw->active && enable) {
		/* The allow rules above are already in user.rules. */
		fw_command(p, step, en, dis, _("turn the firewall on (the "
		    "SSH ports are allowed above)"), UFW_CONF, NULL);
		fw->active = true;
		return;
	}
	if (!fw->active)
		return;
	if (files_changed)
		plan_command(p, step, reload, NULL, _("load the changed "
		    "before.rules"));
	/* After a rollback, load the restored rule files. */
	plan_resync(p, reload);
}

static char *const ufw_install[] = { "apt-get", "install", "-y", "ufw", NULL };
static char *const ufw_uninstall[] = { "apt-get", "remove", "-y", "ufw", NULL };

const struct fw_backend fw_backend_ufw = {
	.name = "ufw",
	.family = OS_DEBIAN,
	.install = ufw_install,
	.uninstall = ufw_uninstall,
	.install_why = N_("install the firewall; ufw starts disabled"),
	.foreign = N_("ufw is not installed, and on the RHEL family it comes "
	    "from EPEL: install it yourself, or use backend = firewalld"),
	.banaction = "ufw",
	.kept_rule = N_("a deny rule is put in front of it"),
	.outbound_file = UFW_BEFORE_RULES,
	.probe = ufw_probe,
	.load = ufw_load,
	.allow = ufw_allow,
	.deny = ufw_deny,
	.block_outbound = ufw_block_outbound,
	.finish = ufw_finish,
};
