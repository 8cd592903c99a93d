/*
 * updates.c -- keep the system current: security updates installed by
 * themselves (unattended-upgrades on Debian and Ubuntu, dnf-automatic on
 * the RHEL family).
 *
 * The settings go in a file hardenwiz owns, read after Debian's
 * 20auto-upgrades and 50unattended-upgrades, so those stay as the
 * packages and dpkg-reconfigure write them and a later scalar wins (APT
 * reads apt.conf.d in order). Whether it works is APT's own answer:
 * "apt-config dump" of the candidate configuration (the values in
 * effect, every file an admin added included) must have the periodic
 * run on and a security origin allowed, and on a live system
 * "unattended-upgrade --dry-run" must pass after the change, or it is
 * rolled back.
 *
 * On the RHEL family dnf-automatic has one file, /etc/dnf/automatic.conf
 * (the package's), edited through Augeas' Yum lens: apply_updates on,
 * security upgrades, the report by mail. dnf-automatic ignores a value it
 * cannot use, so its own loader must read back each value the step sets
 * (dnf/dnf.c). Its timer is enabled with the inverse that disables it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apt/apt.h"
#include "apt/upgrade.h"
#include "augsession.h"
#include "dnf/dnf.h"
#include "dnf/upgrade.h"
#include "i18n.h"
#include "step.h"
#include "sysinfo.h"
#include "systemd/units.h"

static const struct aug_file updates_files[] = {
	{ "Yum.lns", DNF_AUTOMATIC_CONF, 0644, &dnf_automatic_checker,
	  NULL, false },
};

static const struct question updates_questions[] = {
	{ "automatic", V_BOOL, N_("Install security updates automatically"),
	  N_("unattended-upgrades (Debian, Ubuntu) or dnf-automatic (the "
	     "RHEL family), installed when missing, downloads and installs "
	     "the security updates every day, at a random time. no turns "
	     "the daily run off."), NULL, 0, 0, 0 },
	{ "reboot", V_TEXT, N_("Reboot when needed at"),
	  N_("no: never reboot by itself (a kernel update waits for you; "
	     "/run/reboot-required says so). A time such as 04:00: reboot "
	     "then when an update needs it (Debian and Ubuntu only)."),
	  NULL, 0, 0, 0 },
	{ "mail", V_TEXT, N_("Mail the report to"),
	  N_("Who gets the report of the automatic updates (root by "
	     "default; it needs a working local mail server). Empty: no "
	     "mail."), NULL, 0, 0, 0 },
	{ "now", V_BOOL, N_("Upgrade every package now"),
	  N_("apt-get update and upgrade (dnf upgrade on the RHEL family) "
	     "now, before anything else is changed, with no question that "
	     "could stop it (your edited configuration files are kept). The "
	     "list is shown first. No rollback undoes an upgrade."),
	  NULL, 0, 0, 0 },
};

/* The security archive, as Debian's own 50unattended-upgrades names it. */
#define DEBIAN_SECURITY	\
	"origin=Debian,codename=${distro_codename}-security,label=Debian-Security"
#define UBUNTU_SECURITY	"origin=Ubuntu,archive=${distro_codename}-security"

/* A security origin is among the allowed ones of DUMP. */
static bool
security_allowed(const char *dump)
{
	struct strv v;
	bool yes = false;

	strv_init(&v);
	apt_dump_list(dump, "Unattended-Upgrade::Origins-Pattern", &v);
	apt_dump_list(dump, "Unattended-Upgrade::Allowed-Origins", &v);
	for (size_t i = 0; i < v.n && !yes; i++)
		yes = strstr(v.v[i], "-security") != NULL ||
		    strstr(v.v[i], "Debian-Security") != NULL;
	strv_release(&v);
	return yes;
}

/* "HH:MM", 00:00 to 23:59. */
static bool
clock_time(const char *s)
{
	return strlen(s) == 5 && s[2] == ':' && strspn(s, "0123456789:") == 5 &&
	    atoi(s) < 24 && atoi(s + 3) < 60 && s[0] >= '0' && s[3] <= '5';
}

/* The text of the file hardenwiz owns, from SET and the live DUMP. */
static int
updates_text(const struct step_ctx *ctx, const struct settings *set,
    const char *dump, struct buf *b, char **cause)
{
	bool on = settings_bool(set, "automatic", true);
	const char *reboot = settings_get(set, "reboot");
	const char *mail = settings_get(set, "mail");

	if (reboot == NULL || reboot[0] == '\0')
		reboot = "no";
	if (strcmp(reboot, "no") != 0 && !clock_time(reboot))
		return set_cause(cause, _("reboot = %s: no, or a time such as "
		    "04:00"), reboot);
	if (mail == NULL)
		mail = "root";
	if (strpbrk(mail, "\"\\\n;{}") != NULL)
		return set_cause(cause, _("mail = %s: one address or user "
		    "name"), mail);
	buf_adds(b, "// Written by hardenwiz (updates). Read after "
	    "20auto-upgrades and\n// 50unattended-upgrades: these values "
	    "win. Roll back with hardenwiz.\n");
	buf_addf(b, "APT::Periodic::Update-Package-Lists \"%d\";\n"
	    "APT::Periodic::Unattended-Upgrade \"%d\";\n", on, on);
	if (!on)
		return 0;
	buf_addf(b, "Unattended-Upgrade::Automatic-Reboot \"%s\";\n",
	    strcmp(reboot, "no") == 0 ? "false" : "true");
	if (strcmp(reboot, "no") != 0)
		buf_addf(b, "Unattended-Upgrade::Automatic-Reboot-Time "
		    "\"%s\";\n", reboot);
	if (mail[0] != '\0')
		buf_addf(b, "Unattended-Upgrade::Mail \"%s\";\n"
		    "Unattended-Upgrade::MailReport \"on-change\";\n", mail);
	/* A list adds to 50unattended-upgrades': only when it lacks one. */
	if (!security_allowed(dump))
		buf_addf(b, "Unattended-Upgrade::Origins-Pattern {\n"
		    "\t\"%s\";\n};\n", ctx->os->id != NULL &&
		    strcmp(ctx->os->id, "ubuntu") == 0 ? UBUNTU_SECURITY :
		    DEBIAN_SECURITY);
	return 0;
}

/* ---- the RHEL family: dnf-automatic ---- */

static int
dnf_set(struct step_ctx *ctx, const char *key, const char *value,
    char **cause)
{
	return augs_set(ctx->augs, DNF_AUTOMATIC_CONF, key, value, cause);
}

/* KEY in the file as it is now, or NULL; not freed. */
static const char *
dnf_get(struct step_ctx *ctx, const char *key)
{
	char *path = xasprintf("/files" DNF_AUTOMATIC_CONF "/%s", key);
	const char *v = NULL;

	if (aug_get(augs_handle(ctx->augs), path, &v) != 1)
		v = NULL;
	free(path);
	return v;
}

/*
 * The report by mail: dnf-automatic sends it itself (SMTP to localhost).
 * The package's sender root@example.com is replaced; an admin's own kept.
 */
static int
dnf_mail(struct step_ctx *ctx, struct plan *p, const char *mail,
    char **cause)
{
	const char *from = dnf_get(ctx, "email/email_from");
	char *list = xasprintf("%s%s", mail[0] != '\0' ? "email," : "",
	    "stdio");
	int r;

	r = dnf_set(ctx, "emitters/emit_via", list, cause);
	plan_expect(p, ctx->id, &dnf_automatic_value, "emitters.emit_via",
	    "emit_via", list, NULL, NULL);
	free(list);
	if (r != 0 || mail[0] == '\0')
		return r;
	if (from == NULL || strcmp(from, "root@example.com") == 0)
		r = dnf_set(ctx, "email/email_from", "root", cause);
	if (r == 0)
		r = dnf_set(ctx, "email/email_to", mail, cause);
	plan_expect(p, ctx->id, &dnf_automatic_value, "email.email_to",
	    "email_to", mail, NULL, NULL);
	return r;
}

/* dnf-automatic's timer on (or off), each command with its inverse. */
static int
dnf_timer(struct step_ctx *ctx, struct plan *p, bool on, char **cause)
{
	char *enable[] = { "systemctl", "enable", "--now", DNF_AUTOMATIC_TIMER,
	    NULL };
	char *disable[] = { "systemctl", "disable", "--now",
	    DNF_AUTOMATIC_TIMER, NULL };
	struct unit_state st;

	/* Under a root nothing runs: a skipped command each run is noise. */
	if (p->offline) {
		if (on)
			plan_note(p, _("under a root the timer is not "
			    "enabled: run systemctl enable --now %s on that "
			    "system"), DNF_AUTOMATIC_TIMER);
		return 0;
	}
	if (unit_state(ctx->root, systemd_running(p->root),
	    DNF_AUTOMATIC_TIMER, &st, cause) != 0)
		return -1;
	if (on && !st.enabled)
		plan_command(p, ctx->id, enable, disable, _("run dnf-automatic "
		    "every day, and at every boot"));
	else if (!on && st.enabled)
		unit_plan_off(p, ctx->id, DNF_AUTOMATIC_TIMER, &st, false);
	return 0;
}

static int
updates_plan_dnf(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	bool on = settings_bool(set, "automatic", true);
	const char *reboot = settings_get(set, "reboot");
	const char *mail = settings_get(set, "mail");

	if (reboot != NULL && reboot[0] != '\0' && strcmp(reboot, "no") != 0)
		return set_cause(cause, _("reboot = %s: dnf-automatic does not "
		    "reboot at a set time; keep reboot = no and reboot when "
		    "'dnf needs-restarting -r' says so"), reboot);
	if (mail == NULL)
		mail = "root";
	if (mail[strspn(mail, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789@._+-")] != '\0')
		return set_cause(cause, _("mail = %s: one address or user "
		    "name"), mail);
	if (!dnf_automatic_present(ctx->root)) {
		if (!on)
			return 0;
		if (plan_package(p, ctx->id, ctx->os, NULL, "dnf-automatic",
		    _("installs the updates by itself"), cause) != 0)
			return -1;
		plan_note(p, "%s", _("dnf-automatic's configuration comes with "
		    "the package: run hardenwiz again after this run to turn "
		    "the updates on"));
		return 0;
	}
	if (aug_match(augs_handle(ctx->augs), "/files" DNF_AUTOMATIC_CONF,
	    NULL) != 1)
		return set_cause(cause, _("%s is missing: reinstall "
		    "dnf-automatic (dnf reinstall dnf-automatic)"),
		    DNF_AUTOMATIC_CONF);
	if (dnf_set(ctx, "commands/apply_updates", on ? "yes" : "no",
	    cause) != 0)
		return -1;
	plan_expect(p, ctx->id, &dnf_automatic_value,
	    "commands.apply_updates", "apply_updates", on ? "True" : "False",
	    NULL, NULL);
	if (on && (dnf_set(ctx, "commands/download_updates", "yes",
	    cause) != 0 || dnf_set(ctx, "commands/upgrade_type", "security",
	    cause) != 0 || dnf_mail(ctx, p, mail, cause) != 0))
		return -1;
	if (on)
		plan_expect(p, ctx->id, &dnf_automatic_value,
		    "commands.upgrade_type", "upgrade_type", "security", NULL,
		    NULL);
	if (augs_collect(ctx->augs, p, ctx->id, cause) != 0 ||
	    dnf_timer(ctx, p, on, cause) != 0)
		return -1;
	if (!on)
		plan_note(p, "%s", _("automatic updates off: security fixes "
		    "wait until you install them"));
	return 0;
}

/* ---- Debian and Ubuntu: unattended-upgrades ---- */

static int
updates_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	struct buf dump, text;
	bool rejected;
	int r = -1;

	if (ctx->os->family == OS_RHEL)
		return updates_plan_dnf(ctx, set, p, cause);
	buf_init(&dump);
	buf_init(&text);
	if (apt_dump(ctx->root, NULL, NULL, &dump, &rejected, cause) != 0)
		goto out;
	if (updates_text(ctx, set, buf_str(&dump), &text, cause) != 0)
		goto out;
	if (settings_bool(set, "automatic", true) &&
	    !apt_unattended_present(ctx->root) && plan_package(p, ctx->id,
	    ctx->os, "unattended-upgrades", NULL, _("installs the updates "
	    "by itself"), cause) != 0)
		goto out;
	plan_parents(p, ctx->id, APT_UPDATES_FILE);
	r = plan_file(p, ctx->id, APT_UPDATES_FILE, text.data, text.len,
	    0644, 0, 0, &apt_checker, cause);
	if (r == 0 && !settings_bool(set, "automatic", true))
		plan_note(p, "%s", _("automatic updates off: security fixes "
		    "wait until you install them"));
out:
	buf_release(&text);
	buf_release(&dump);
	return r;
}

/* What upgrading now would do, from the package lists as they are. */
static int
upgrade_preview(bool rhel, struct strv *report, char **cause)
{
	struct strv pkgs;
	bool no_cache = false;
	int r;

	strv_init(&pkgs);
	r = rhel ? dnf_upgrade_preview(&pkgs, &no_cache, cause) :
	    apt_upgrade_preview(&pkgs, cause);
	if (r != 0) {
		strv_release(&pkgs);
		return -1;
	}
	if (no_cache)
		strv_add(report, _("upgrade now: no package metadata is "
		    "cached yet: dnf fetches it, then upgrades every package; "
		    "no rollback undoes it"));
	else if (pkgs.n == 0)
		strv_add(report, rhel ? _("upgrade now: nothing to upgrade "
		    "in the metadata as cached (dnf refreshes it first)") :
		    _("upgrade now: nothing to upgrade in the package lists as "
		    "they are (apt-get update refreshes them first)"));
	else if (rhel)
		strv_addf(report, _("upgrade now: dnf makecache, then dnf "
		    "upgrade of %zu packages (more if the refreshed metadata "
		    "has more); no rollback undoes it:"), pkgs.n);
	else
		strv_addf(report, _("upgrade now: apt-get update, then "
		    "apt-get upgrade of %zu packages (more if the refreshed "
		    "lists have more); no rollback undoes it:"), pkgs.n);
	for (size_t i = 0; i < pkgs.n; i++)
		strv_addf(report, "  %s", pkgs.v[i]);
	strv_release(&pkgs);
	return 0;
}

/* What upgrading did: the packages, a reboot, the services to restart. */
static void
upgrade_report(const struct upgrade *u, struct strv *report)
{
	struct strv units;
	size_t others;
	char *list;

	if (u->packages.n == 0)
		strv_add(report, _("upgraded: nothing to upgrade"));
	else
		strv_addf(report, _("upgraded %zu packages:"), u->packages.n);
	for (size_t i = 0; i < u->packages.n; i++)
		strv_addf(report, "  %s", u->packages.v[i]);
	for (size_t i = 0; i < u->kept.n; i++)
		strv_addf(report, _("your configuration file was kept; the "
		    "package's new version is %s"), u->kept.v[i]);
	list = strv_join(&u->reboot_by, ", ");
	if (u->reboot > 0)
		strv_addf(report, _("a reboot is needed%s%s%s"), list[0] ?
		    " (" : "", list, list[0] ? ")" : "");
	else if (u->reboot < 0)
		strv_add(report, _("whether a reboot is needed is not known "
		    "here (dnf needs-restarting comes with dnf-plugins-core)"));
	free(list);
	strv_init(&units);
	units_running_replaced(&units, &others);
	list = strv_join(&units, " ");
	if (units.n > 0)
		strv_addf(report, _("still running the old version until "
		    "restarted: %s (systemctl restart them, or reboot)"), list);
	if (others > 0)
		strv_addf(report, _("%zu processes outside any service run "
		    "the old version (a login session: log in again)"), others);
	free(list);
	strv_release(&units);
}

/* now = yes: upgrade every package before anything is planned. */
static int
updates_before(struct step_ctx *ctx, const struct settings *set,
    bool preview, const struct progress *progress, struct strv *report,
    char **cause)
{
	bool rhel = ctx->os->family == OS_RHEL;
	struct upgrade u;
	int r;

	if (!settings_bool(set, "now", false))
		return 0;
	if (strcmp(ctx->root, "/") != 0) {
		strv_add(report, _("upgrade now: skipped (offline root)"));
		return 0;
	}
	if (preview)
		return upgrade_preview(rhel, report, cause);
	upgrade_init(&u);
	if ((r = rhel ? dnf_upgrade_run(progress, &u, cause) :
	    apt_upgrade_run(progress, &u, cause)) == 0)
		upgrade_report(&u, report);
	upgrade_release(&u);
	return r;
}

static int
updates_audit_dnf(struct step_ctx *ctx, struct audit *a, char **cause)
{
	struct unit_state st;
	struct buf dump;
	bool rejected;
	char *apply = NULL;
	int r;

	if (!dnf_automatic_present(ctx->root)) {
		audit_finding(a, "dnf-automatic", _("not installed"),
		    _("installed"));
		a->state = STATE_NEEDS_CHANGE;
		return 0;
	}
	buf_init(&dump);
	r = dnf_automatic_dump(ctx->root, NULL, &dump, &rejected, cause);
	if (r == 0)
		apply = dump_value(buf_str(&dump), "commands.apply_updates");
	else if (r == 1)
		strv_add(&a->notes, _("dnf-automatic's configuration cannot be "
		    "read on this machine (no dnf-automatic here)"));
	buf_release(&dump);
	if (r < 0)
		return -1;
	if (apply != NULL && strcmp(apply, "True") != 0)
		audit_finding(a, "apply_updates", apply, "True");
	free(apply);
	if (unit_state(ctx->root, systemd_running(ctx->root),
	    DNF_AUTOMATIC_TIMER, &st, cause) != 0)
		return -1;
	/* Under a root the step cannot enable it: said, not a finding. */
	if (!st.enabled && strcmp(ctx->root, "/") == 0)
		audit_finding(a, DNF_AUTOMATIC_TIMER, _("disabled"),
		    _("enabled"));
	else if (!st.enabled)
		strv_addf(&a->notes, _("%s is not enabled in this root"),
		    DNF_AUTOMATIC_TIMER);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

static void
updates_prefetch(struct step_ctx *ctx)
{
	if (ctx->os->family != OS_RHEL)
		apt_dump_early(ctx->root, ctx->early);
}

static int
updates_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	struct buf dump;
	bool rejected;
	char *periodic;

	settings_set(&a->current, "automatic", "yes");
	settings_set(&a->current, "reboot", "no");
	settings_set(&a->current, "mail", "root");
	settings_set(&a->current, "now", "no");
	if (ctx->os->family == OS_RHEL)
		return updates_audit_dnf(ctx, a, cause);
	buf_init(&dump);
	if (apt_dump(ctx->root, NULL, ctx->early, &dump, &rejected, cause) != 0) {
		buf_release(&dump);
		return -1;
	}
	if (!apt_unattended_present(ctx->root))
		audit_finding(a, "unattended-upgrades", _("not installed"),
		    _("installed"));
	periodic = apt_dump_value(buf_str(&dump),
	    "APT::Periodic::Unattended-Upgrade");
	if (periodic == NULL || strcmp(periodic, "1") != 0)
		audit_finding(a, "APT::Periodic::Unattended-Upgrade",
		    periodic != NULL ? periodic : _("unset"), "1");
	if (!security_allowed(buf_str(&dump)))
		audit_finding(a, "Unattended-Upgrade::Origins-Pattern",
		    _("no security origin"), _("the security archive"));
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	free(periodic);
	buf_release(&dump);
	return 0;
}

const struct step step_updates = {
	.id = "updates",
	.title = N_("Automatic updates"),
	.help = N_("Security updates installed every day by "
	    "unattended-upgrades, installed when missing. The settings go in "
	    "/etc/apt/apt.conf.d/52hardenwiz-updates, read after Debian's own "
	    "files; APT checks the result (apt-config) and, on this system, "
	    "unattended-upgrade --dry-run must pass or the change is rolled "
	    "back. On the RHEL family dnf-automatic does it: "
	    "/etc/dnf/automatic.conf is edited and read back by "
	    "dnf-automatic's own loader, and its timer is enabled. Upgrading "
	    "every package now is offered first; the list is shown before it "
	    "starts."),
	.files = updates_files,
	.nfiles = nitems(updates_files),
	.questions = updates_questions,
	.nquestions = nitems(updates_questions),
	.audit = updates_audit,
	.prefetch = updates_prefetch,
	.plan = updates_plan,
	.before = updates_before,
};
