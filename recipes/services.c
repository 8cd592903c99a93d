/*
 * services.c -- turn off what does not need to run: every service that
 * listens on the network is a door, and a fresh VPS image often ships a
 * few nobody uses (rpcbind, cups, avahi-daemon, a second MTA ...).
 *
 * The audit lists the services listening on a non-loopback address (live:
 * the kernel's socket table and each owner's cgroup; under --root: the
 * enabled units hardenwiz knows to listen) and names the usual suspects.
 * The plan stops and disables each unit the admin picks, its socket unit
 * too (else the socket starts it again), and masks it when asked; each
 * command's inverse gives back exactly the state before. Never offered,
 * and refused when asked for: SSH, the firewall and fail2ban, systemd's
 * own units, the units of the admin's own session, and the mail
 * daemons when a mail step runs with this one or hardenwiz watches mail
 * here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "listening.h"
#include "periodic.h"
#include "step.h"
#include "systemd/units.h"
#include "sysinfo.h"

static const struct question services_questions[] = {
	{ "disable", V_LIST, N_("Services to turn off"),
	  N_("Units to stop and keep from starting at boot (rpcbind cups "
	     "avahi-daemon ...; \".service\" may be left out). Their socket "
	     "units are turned off too. A unit that is not installed is "
	     "skipped. SSH, the firewall and the services of this session "
	     "are never turned off."), NULL, 0, 0, 0 },
	{ "mask", V_BOOL, N_("Mask them"),
	  N_("Also mask each one, so that nothing starts it again: not "
	     "another unit, a socket or a package upgrade."), NULL, 0, 0, 0 },
};

/* Listening services a VPS rarely needs, and what each is. */
static const struct {
	const char	*unit;
	const char	*what;
} known[] = {
	{ "rpcbind.service", N_("RPC port mapper for NFS; open to the "
	    "Internet it is a DDoS amplifier") },
	{ "cups.service", N_("printing") },
	{ "cups-browsed.service", N_("printer discovery") },
	{ "avahi-daemon.service", N_("mDNS/zeroconf discovery") },
	{ "exim4.service", N_("Exim, a second mail server") },
	{ "sendmail.service", N_("Sendmail, a second mail server") },
	{ "nfs-server.service", N_("NFS file server") },
	{ "smbd.service", N_("Samba file sharing") },
	{ "nmbd.service", N_("NetBIOS names for Samba") },
	{ "snmpd.service", N_("SNMP agent") },
	{ "openbsd-inetd.service", N_("inetd (telnet and the like)") },
	{ "inetd.service", N_("inetd (telnet and the like)") },
	{ "xinetd.service", N_("xinetd (telnet and the like)") },
	{ "vsftpd.service", N_("FTP server: passwords in clear text") },
	{ "proftpd.service", N_("FTP server: passwords in clear text") },
	{ "rsync.service", N_("rsync daemon") },
	{ "memcached.service", N_("memcached: no password; a UDP "
	    "amplifier") },
	{ "redis-server.service", N_("Redis, reachable from the network") },
	{ "mariadb.service", N_("a database reachable from the network") },
	{ "mysql.service", N_("a database reachable from the network") },
};

/* The way in: turning these off is refused as a lockout. */
static const char *const ssh_units[] = { "ssh.service", "sshd.service",
	"ssh.socket", "sshd.socket", "dropbear.service", NULL };
/* Units no admin wants turned off by this step. */
static const char *const protected[] = { "ufw.service", "firewalld.service",
	"nftables.service", "netfilter-persistent.service",
	"fail2ban.service", "dbus.service", "dbus.socket", "networking.service",
	"NetworkManager.service", "systemd-networkd.service",
	"systemd-resolved.service", NULL };
static const char *const mail_units[] = { "postfix.service",
	"postfix@-.service", "dovecot.service", "opendkim.service",
	"rspamd.service", "spamass-milter.service", "saslauthd.service", NULL };

static bool
listed(const char *const *list, const char *unit)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], unit) == 0)
			return true;
	return false;
}

static const char *
known_what(const char *unit)
{
	for (size_t i = 0; i < nitems(known); i++)
		if (strcmp(known[i].unit, unit) == 0)
			return _(known[i].what);
	return NULL;
}

/* A mail step runs with this one, or hardenwiz watches mail here. */
static bool
mail_managed(const struct step_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nsteps; i++) {
		const char *id = ctx->steps[i]->id;

		if (ctx->settings[i] != NULL && (str_has_prefix(id, "postfix") ||
		    strcmp(id, "dns") == 0 || strcmp(id, "dnsbl") == 0 ||
		    strcmp(id, "mailqueue") == 0 || strcmp(id, "spamfilter") ==
		    0))
			return true;
	}
	return periodic_installed(ctx->root, "mailqueue") ||
	    periodic_installed(ctx->root, "mailwatch");
}

/* Why turning UNIT off would cut the admin off, or NULL. */
static const char *
lockout(const struct strv *session, const char *unit)
{
	if (listed(ssh_units, unit))
		return _("it is the way in to this server");
	if (strv_contains(session, unit))
		return _("this session runs under it, and would end");
	return NULL;
}

/* Why UNIT stays on for another reason, or NULL. */
static const char *
kept(const struct step_ctx *ctx, const char *unit)
{
	if (listed(protected, unit) || str_has_prefix(unit, "systemd-") ||
	    str_has_prefix(unit, "hardenwiz-"))
		return _("the firewall, fail2ban and systemd's own units stay "
		    "on");
	if (listed(mail_units, unit) && mail_managed(ctx))
		return _("a mail step runs, or hardenwiz watches the mail here");
	return NULL;
}

/* "cups" -> "cups.service"; NULL when NAME is no unit name. */
static char *
unit_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '-' || name[0] == '.' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789:_.@-") != n)
		return NULL;
	if (unit_service_or_socket(name))
		return xstrdup(name);
	if (strchr(name, '.') != NULL && strchr(name, '@') == NULL)
		return NULL;	/* a .timer, .mount ...: not a service */
	return xasprintf("%s.service", name);
}

/* Plan UNIT (and its socket unit) off. */
static int
plan_unit(struct step_ctx *ctx, struct plan *p, bool live, bool mask,
    const char *unit, char **cause)
{
	struct unit_state st, sock;
	char *socket = NULL;
	int r = -1;

	if (unit_state(ctx->root, live, unit, &st, cause) != 0)
		return -1;
	if (!st.exists) {
		plan_note(p, _("%s is not installed: nothing to turn off"),
		    unit);
		return 0;
	}
	if (str_has_suffix(unit, ".service")) {
		socket = xasprintf("%.*s.socket", (int)(strlen(unit) - 8),
		    unit);
		if (unit_state(ctx->root, live, socket, &sock, cause) != 0)
			goto out;
		/* First: a socket left listening would start it again. */
		if (sock.exists)
			unit_plan_off(p, ctx->id, socket, &sock, mask);
	}
	unit_plan_off(p, ctx->id, unit, &st, mask);
	r = 0;
out:
	free(socket);
	return r;
}

static int
services_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	const char *disable = settings_get(set, "disable");
	bool mask = settings_bool(set, "mask", false);
	bool live = !p->offline && systemd_running(p->root);
	struct strv names, session;
	int r = 0;

	if (!p->offline && !live)
		return set_cause(cause, _("systemd does not run this system: "
		    "the services step turns off systemd units only"));
	strv_init(&names);
	strv_init(&session);
	split_list(disable != NULL ? disable : "", &names);
	if (live)
		units_of_session(p->root, &session);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		char *unit = unit_name(names.v[i]);
		const char *why;

		if (unit == NULL)
			r = set_cause(cause, _("'%s' is not the name of a "
			    "service unit"), names.v[i]);
		else if ((why = lockout(&session, unit)) != NULL) {
			plan_refuse(p, true, _("refusing to turn off %s: %s"),
			    unit, why);
		} else if ((why = kept(ctx, unit)) != NULL)
			r = set_cause(cause, _("%s is not turned off: %s"),
			    unit, why);
		else
			r = plan_unit(ctx, p, live, mask, unit, cause);
		free(unit);
	}
	strv_release(&session);
	strv_release(&names);
	return r;
}

/* Live: each unit listening on a non-loopback address, once. */
static void
audit_live(struct step_ctx *ctx, struct audit *a)
{
	struct listeners ls;
	struct strv session, seen;

	listeners_load(ctx->root, &ls);
	strv_init(&session);
	strv_init(&seen);
	units_of_session(ctx->root, &session);
	for (size_t i = 0; i < ls.n; i++) {
		const struct listener *l = &ls.v[i];
		char pid[32], *unit, *label;
		const char *what;

		snprintf(pid, sizeof pid, "%ld", l->pid);
		unit = l->pid > 0 ? unit_of_pid(ctx->root, pid) : NULL;
		if (unit == NULL || strv_contains(&seen, unit) ||
		    lockout(&session, unit) != NULL || kept(ctx, unit) !=
		    NULL) {
			free(unit);
			continue;
		}
		strv_add(&seen, unit);
		strv_addf(&a->notes, _("listening: %s on %s %u/%s"), unit,
		    l->addr, l->port, l->udp ? "udp" : "tcp");
		what = known_what(unit);
		label = xasprintf("%-24s %u/%s %s%s%s", unit, l->port,
		    l->udp ? "udp" : "tcp", l->addr, what != NULL ? ": " : "",
		    what != NULL ? what : "");
		audit_pick(a, unit, label);
		free(label);
		if (what != NULL)
			audit_finding(a, unit, _("listening"),
			    _("turned off, unless it is used"));
		free(unit);
	}
	strv_release(&seen);
	strv_release(&session);
	listeners_release(&ls);
}

/* Under --root: the known listeners whose units are enabled. */
static void
audit_offline(struct step_ctx *ctx, struct audit *a)
{
	for (size_t i = 0; i < nitems(known); i++) {
		struct unit_state st;
		char *label;

		if (unit_state(ctx->root, false, known[i].unit, &st, NULL) !=
		    0 || !st.enabled)
			continue;
		label = xasprintf("%-24s %s", known[i].unit, _(known[i].what));
		audit_pick(a, known[i].unit, label);
		free(label);
		audit_finding(a, known[i].unit, _("enabled"),
		    _("turned off, unless it is used"));
	}
}

static int
services_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	a->pick_key = "disable";
	if (systemd_running(ctx->root))
		audit_live(ctx, a);
	else
		audit_offline(ctx, a);
	settings_set(&a->current, "disable", "");
	settings_set(&a->current, "mask", "no");
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_services = {
	.id = "services",
	.title = N_("Unneeded services"),
	.help = N_("Every service that listens on the network is a way in. "
	    "The list shows the services listening on an address other "
	    "than loopback (under --root: the enabled ones known to "
	    "listen); the ones a VPS rarely needs are marked. The picked "
	    "ones are stopped and disabled (and masked when asked), their "
	    "socket units too; rollback starts and enables them again as "
	    "they were. SSH, the firewall, fail2ban and this session's "
	    "services are never offered."),
	.questions = services_questions,
	.nquestions = nitems(services_questions),
	.audit = services_audit,
	.plan = services_plan,
};
