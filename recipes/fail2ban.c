/*
 * fail2ban.c -- a jail that bans SSH password guessers and actually runs.
 *
 * The ways the naive setup fails, and what is done instead:
 *  - Debian 12 has no /var/log/auth.log (journald only): the stock sshd
 *    jail refuses to start. backend = systemd where there is no auth log
 *    file, with python3-systemd installed when missing.
 *  - after the SSH port moves, a jail on "ssh" bans port 22 only: port
 *    lists every SSH port, the old and the new one during a move.
 *  - OpenSSH >= 9.8 logs as sshd-session, which older filters never
 *    match: filter.d/sshd.local widens the daemon name and journalmatch.
 *  - a banaction of another firewall adds a second rule set beside ufw or
 *    firewalld: ufw, firewallcmd-rich-rules, else nftables-multiport.
 *  - the admin bans themselves while testing: ignoreip keeps loopback and
 *    the address of the SSH session hardenwiz runs in (shown, removable).
 * Everything goes in one file the step owns, jail.d/zz-hardenwiz.local,
 * read last (fail2ban: the last value wins), through Augeas; jail.conf is
 * never touched. The candidate must pass fail2ban-client -t; on a live
 * system the jails must run after the reload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "fail2ban/fail2ban.h"
#include "firewall/firewall.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sshd/config.h"
#include "step.h"
#include "sysinfo.h"

#define JAIL_FILE	FAIL2BAN_DIR "/jail.d/zz-hardenwiz.local"
#define FILTER_LOCAL	FAIL2BAN_DIR "/filter.d/sshd.local"
#define LOOPBACK	"127.0.0.1/8 ::1"
/* sshd's journal lines: its unit (Debian, RHEL) or its two programs. */
#define SSHD_JOURNALMATCH	"_SYSTEMD_UNIT=sshd.service + " \
	"_SYSTEMD_UNIT=ssh.service + _COMM=sshd + _COMM=sshd-session"

static const struct aug_file fail2ban_files[] = {
	SSHD_AUG_FILES,
	{ "Fail2ban.lns", JAIL_FILE, 0644, &fail2ban_checker, NULL, false },
};

static const struct question fail2ban_questions[] = {
	{ "maxretry", V_INT, N_("Failures before a ban"),
	  N_("maxretry: failed logins from one address within the find "
	     "time that get it banned."), NULL, 1, 1000, 0 },
	{ "findtime", V_DURATION, N_("Find time"),
	  N_("findtime: the window the failures are counted in (10m)."),
	  NULL, 0, 0, 0 },
	{ "bantime", V_DURATION, N_("Ban time"),
	  N_("bantime: how long an address stays banned (1h)."),
	  NULL, 0, 0, 0 },
	{ "ignoreip", V_LIST, N_("Never ban"),
	  N_("ignoreip: addresses and networks that are never banned. "
	     "Loopback is always kept; the address you are connected from "
	     "is added so you cannot ban yourself while testing (remove it "
	     "if it is shared)."), NULL, 0, 0, 0 },
};

/* ---- facts ---- */

/* SSH_CONNECTION's client address, here or in an ancestor (sudo). */
static char *
admin_address(void)
{
	const char *env = getenv("SSH_CONNECTION");
	pid_t pid = getppid();

	if (env != NULL && env[0] != '\0')
		return xstrndup(env, strcspn(env, " "));
	/* sudo drops SSH_CONNECTION; the login shell above still has it. */
	for (int depth = 0; pid > 1 && depth < 16; depth++) {
		char *path = xasprintf("/proc/%d/environ", (int)pid), *data;
		size_t len = 0;
		char *found = NULL;

		if (fs_slurp(path, &data, &len, NULL) == 0) {
			for (size_t off = 0; off < len; off += strlen(data +
			    off) + 1) {
				if (str_has_prefix(data + off,
				    "SSH_CONNECTION=")) {
					const char *v = data + off + 15;

					found = xstrndup(v, strcspn(v, " "));
					break;
				}
			}
			free(data);
		}
		free(path);
		if (found != NULL)
			return found;
		{
			char *stat = xasprintf("/proc/%d/stat", (int)pid);
			char *s = NULL, *rp;
			size_t sl = 0;

			pid = 0;
			if (fs_slurp(stat, &s, &sl, NULL) == 0 &&
			    (rp = strrchr(s, ')')) != NULL)
				pid = (pid_t)strtol(rp + 4, NULL, 10);
			free(s);
			free(stat);
		}
	}
	return NULL;
}

/* ITEMS joined by SEP, each once, in first-seen order; caller frees. */
static char *
join_unique(const struct strv *items, const char *sep)
{
	struct strv seen;
	struct buf b;

	strv_init(&seen);
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < items->n; i++) {
		if (strv_contains(&seen, items->v[i]))
			continue;
		strv_add(&seen, items->v[i]);
		buf_addf(&b, "%s%s", b.len ? sep : "", items->v[i]);
	}
	strv_release(&seen);
	return buf_detach(&b, NULL);
}

/*
 * Every SSH port left open, joined by ',' into *OUT: the ports now, those
 * of the session (the SSH step's edits when it planned first) and the one
 * it moves to.
 */
static int
ssh_ports(struct step_ctx *ctx, char **out, char **cause)
{
	struct strv ports;
	int r;

	strv_init(&ports);
	r = ssh_ports_now(ctx, &ports, cause);
	if (r == 0)
		r = ssh_ports_after(ctx, &ports, NULL, cause);
	*out = r == 0 ? join_unique(&ports, ",") : NULL;
	strv_release(&ports);
	return r;
}

/* ufw, firewallcmd-rich-rules or nftables-multiport: the firewall in use. */
static const char *
banaction(struct step_ctx *ctx)
{
	const char *want = "auto";
	bool enable = false;
	struct firewall f;
	const char *action = "nftables-multiport";

	memset(&f, 0, sizeof f);
	(void)firewall_planned(ctx, &want, &enable);
	if (fw_load(ctx->root, ctx->os, want, &f, NULL) == 0 && (f.active ||
	    enable))
		action = fw_banaction(&f);
	fw_release(&f);
	return action;
}

/* An auth log file the sshd jail can read; else the journal it is. */
static bool
has_auth_log(const char *root)
{
	return fs_exists(root, "/var/log/auth.log") ||
	    fs_exists(root, "/var/log/secure");
}

static bool
python_systemd_present(const char *root)
{
	return fs_exists(root, "/usr/lib/python3/dist-packages/systemd") ||
	    fs_exists(root, "/usr/lib64/python3/site-packages/systemd") ||
	    fs_exists(root, "/usr/lib/python3/site-packages/systemd");
}

/* "9.8p1" or "1:9.8p1-3" as 908; 0 when it is not a version. */
static int
version_number(const char *v)
{
	const char *colon = strchr(v, ':'), *dot;

	if (colon != NULL)
		v = colon + 1;	/* Debian's epoch */
	dot = strchr(v, '.');
	return atoi(v) * 100 + (dot != NULL ? atoi(dot + 1) : 0);
}

/*
 * OpenSSH's version under ROOT, as 908 for 9.8; 0 when unknown. Offline
 * it is the root's openssh-server package, asked of dpkg-query on the
 * root's database (its format is dpkg's own business).
 */
static int
openssh_version(const char *root)
{
	struct buf out, err;
	char *opt = NULL;
	int status = 1, v = 0;

	buf_init(&out);
	buf_init(&err);
	if (strcmp(root, "/") == 0) {
		char *argv[] = { "sshd", "-V", NULL };
		const char *at;

		if (run_argv(argv, NULL, &out, &status, NULL) == 0 &&
		    out.data != NULL && (at = strstr(out.data, "OpenSSH_")) !=
		    NULL)
			v = version_number(at + 8);
	} else {
		struct run_opts o = { .err = &err };
		char *argv[] = { "dpkg-query", NULL, "-W", "-f=${Version}",
		    "openssh-server", NULL };

		opt = xasprintf("--root=%s", root);
		argv[1] = opt;
		if (run_argv(argv, &o, &out, &status, NULL) == 0 &&
		    status == 0 && out.data != NULL)
			v = version_number(out.data);
	}
	buf_release(&out);
	buf_release(&err);
	free(opt);
	return v;
}

/* Postfix offers AUTH (master.cf), or the SASL step turns it on now. */
static bool
postfix_auth(struct step_ctx *ctx)
{
	struct fs_file f;
	bool on = false;

	if (sasl_planned(ctx))
		return true;
	if (fs_read(ctx->root, "/etc/postfix/master.cf", &f, NULL) == 0 &&
	    f.exists) {
		char *save = NULL, *line;

		for (line = strtok_r(f.data, "\n", &save); line != NULL &&
		    !on; line = strtok_r(NULL, "\n", &save))
			on = line[strspn(line, " \t")] != '#' && strstr(line,
			    "smtpd_sasl_auth_enable=yes") != NULL;
	}
	fs_file_release(&f);
	return on;
}

/* ---- plan ---- */

static int
set_key(augeas *aug, struct augs *augs, const char *section, const char *key,
    const char *value, char **cause)
{
	char *path = xasprintf("/files" JAIL_FILE "/%s/%s", section, key);
	int r = 0;

	if (aug_set(aug, path, value) != 0)
		r = set_cause(cause, _("cannot set [%s] %s in %s: %s"), section,
		    key, JAIL_FILE, augs_error(augs));
	free(path);
	return r;
}

/*
 * Each value of KEY in [SECTION] of TEXT (a fail2ban jail file), in file
 * order, into OUT: its continuation lines (indented, not comments) joined
 * with "\n".
 */
static void
ini_values(const char *text, const char *section, const char *key,
    struct strv *out)
{
	char *copy = xstrdup(text), *line, *next, *l;
	bool in = false;
	struct buf value;
	int open = 0;	/* a value is being read */

	buf_init(&value);
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (open && (line[0] == ' ' || line[0] == '\t') &&
		    trim(line)[0] != '\0') {
			if (trim(line)[0] != '#')
				buf_addf(&value, "\n%s", trim(line));
			continue;
		}
		if (open)
			strv_add(out, buf_str(&value));
		open = 0;
		l = trim(line);
		if (l[0] == '[') {
			in = str_has_prefix(l + 1, section) &&
			    l[1 + strlen(section)] == ']';
			continue;
		}
		if (in && str_has_prefix(l, key) &&
		    (l = trim(l + strlen(key)))[0] == '=') {
			buf_release(&value);
			buf_init(&value);
			buf_adds(&value, trim(l + 1));
			open = 1;
		}
	}
	if (open)
		strv_add(out, buf_str(&value));
	buf_release(&value);
	free(copy);
}

/* The admin's jail files, ours left out: jail.d/ (.conf, .local), jail.local. */
static void
admin_jail_texts(const char *root, struct strv *texts)
{
	struct strv names;

	strv_init(&names);
	(void)fs_list(root, FAIL2BAN_DIR "/jail.d", &names, NULL);
	strv_add(&names, "../jail.local");
	for (size_t i = 0; i < names.n; i++) {
		char *path;
		struct fs_file f;

		if (strcmp(names.v[i], "zz-hardenwiz.local") == 0 ||
		    (!str_has_suffix(names.v[i], ".local") &&
		    !str_has_suffix(names.v[i], ".conf")))
			continue;
		path = xasprintf(FAIL2BAN_DIR "/jail.d/%s", names.v[i]);
		if (fs_read(root, path, &f, NULL) == 0 && f.exists)
			strv_add(texts, f.data);
		fs_file_release(&f);
		free(path);
	}
	strv_release(&names);
}

/*
 * The addresses the admin keeps out of bans in their own files (TEXTS):
 * our [DEFAULT] ignoreip is read last and replaces theirs, so it must carry
 * them. True when a file gives [sshd] its own ignoreip, which [DEFAULT]'s
 * never reaches: ours must go there too.
 */
static bool
admin_ignoreip(const struct strv *texts, struct strv *out)
{
	bool own = false;

	for (size_t i = 0; i < texts->n; i++) {
		struct strv v;
		size_t def;

		strv_init(&v);
		ini_values(texts->v[i], "DEFAULT", "ignoreip", &v);
		def = v.n;
		ini_values(texts->v[i], "sshd", "ignoreip", &v);
		own |= v.n > def;
		for (size_t k = 0; k < v.n; k++)
			split_list(v.v[k], out);
		strv_release(&v);
	}
	return own;
}

/*
 * The admin's [sshd] action when it names the port itself
 * (action = iptables-multiport[name=SSH, port="22", protocol=tcp]): it
 * would keep banning on the old port after the SSH port moves. The same
 * action with port="%(port)s", the jail's port that we keep up to date;
 * NULL when no action names a port. *MULTI: it spans lines (not rewritten).
 */
static char *
admin_action(const struct strv *texts, bool *multi)
{
	struct strv actions;
	const char *found;
	char *out = NULL;

	strv_init(&actions);
	for (size_t i = 0; i < texts->n; i++)
		ini_values(texts->v[i], "sshd", "action", &actions);
	/* The last one read wins. */
	found = actions.n > 0 ? actions.v[actions.n - 1] : NULL;
	*multi = found != NULL && strchr(found, '\n') != NULL;
	if (found != NULL && strstr(found, "port=") != NULL &&
	    strstr(found, "%(port)s") == NULL) {
		struct buf b;
		const char *s = found, *at;

		buf_init(&b);
		while ((at = strstr(s, "port=")) != NULL) {
			const char *v = at + strlen("port=");
			size_t n = *v == '"' ? strcspn(v + 1, "\"") + 2 :
			    strcspn(v, ",]");

			buf_add(&b, s, (size_t)(v - s));
			buf_adds(&b, "\"%(port)s\"");
			s = v + n;
		}
		buf_adds(&b, s);
		out = buf_detach(&b, NULL);
	}
	strv_release(&actions);
	return out;
}

/* The admin's other .local files that set KEYS of [sshd]: a warning. */
static void
note_overridden(struct plan *p)
{
	static const char *const keys[] = { "port", "maxretry", "findtime",
	    "bantime", "backend", "banaction", "ignoreip", "enabled", NULL };
	struct strv names;
	struct strv files;

	strv_init(&names);
	strv_init(&files);
	strv_add(&files, FAIL2BAN_DIR "/jail.local");
	if (fs_list(p->root, FAIL2BAN_DIR "/jail.d", &names, NULL) == 0)
		for (size_t i = 0; i < names.n; i++)
			if (str_has_suffix(names.v[i], ".local") &&
			    strcmp(names.v[i], "zz-hardenwiz.local") != 0)
				strv_addf(&files, FAIL2BAN_DIR "/jail.d/%s",
				    names.v[i]);
	for (size_t i = 0; i < files.n; i++) {
		struct fs_file f;

		if (fs_read(p->root, files.v[i], &f, NULL) != 0 || !f.exists) {
			fs_file_release(&f);
			continue;
		}
		for (size_t k = 0; keys[k] != NULL; k++) {
			char *needle = xasprintf("\n%s", keys[k]);
			char *at = strstr(f.data, "[sshd]");

			if (at != NULL && strstr(at, needle) != NULL)
				plan_note(p, _("%s sets [sshd] %s too; %s is "
				    "read after it and wins"), files.v[i],
				    keys[k], JAIL_FILE);
			free(needle);
		}
		fs_file_release(&f);
	}
	strv_release(&files);
	strv_release(&names);
}

static int
plan_filter(struct step_ctx *ctx, struct plan *p, char **cause)
{
	static const char text[] =
	    "# Written by hardenwiz (fail2ban): OpenSSH 9.8 and later log as\n"
	    "# sshd-session, which this filter's sshd.conf does not match.\n"
	    "[Definition]\n_daemon = sshd(?:-session)?\n"
	    "journalmatch = " SSHD_JOURNALMATCH "\n";

	return plan_file(p, ctx->id, FILTER_LOCAL, text, sizeof text - 1,
	    0644, 0, 0, &fail2ban_checker, cause);
}

static void
plan_service(struct step_ctx *ctx, struct plan *p)
{
	/* --restart: a plain reload drops a jail's actions when its
	 * banaction changes (fail2ban 1.0.2: "No actions for jail"). */
	char *reload[] = { "fail2ban-client", "reload", "--restart", NULL };
	char *enable[] = { "systemctl", "enable", "--now", "fail2ban", NULL };
	char *disable[] = { "systemctl", "disable", "--now", "fail2ban",
	    NULL };

	if (fail2ban_running(p->root))
		plan_command(p, ctx->id, reload, reload, _("fail2ban reads "
		    "the new jails"));
	else if (!p->offline && systemd_running(p->root))
		plan_command(p, ctx->id, enable, disable, _("start fail2ban, "
		    "and at every boot"));
	else
		plan_note(p, "%s", _("fail2ban is not running: the jails take "
		    "effect when it starts"));
}

static int
fail2ban_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	const char *ignore = settings_get(set, "ignoreip");
	const char *keys[] = { "maxretry", "findtime", "bantime" };
	bool journal = !has_auth_log(ctx->root);
	char *ports, *admin;
	struct strv ign;
	char *ignore_list, *action;
	bool sshd_ignore, multi;
	struct strv texts;
	size_t before = p->nchanges;
	int r = 0;

	if (ssh_ports(ctx, &ports, cause) != 0)
		return -1;
	admin = admin_address();
	strv_init(&texts);
	admin_jail_texts(ctx->root, &texts);

	if (!fail2ban_present(ctx->root)) {
		if (plan_package(p, ctx->id, ctx->os, "fail2ban",
		    "fail2ban-server", _("install fail2ban"), cause) != 0) {
			r = -1;
			goto out;
		}
		if (ctx->os->family == OS_RHEL)
			plan_note(p, "%s", _("on the RHEL family fail2ban "
			    "comes from EPEL (dnf install epel-release); "
			    "fail2ban-server is installed without "
			    "fail2ban-firewalld, so no firewall is pulled in"));
		plan_parents(p, ctx->id, JAIL_FILE);
	}
	if (journal && !python_systemd_present(ctx->root) && plan_package(p,
	    ctx->id, ctx->os, "python3-systemd", "python3-systemd",
	    _("fail2ban reads the journal with it"), cause) != 0) {
		r = -1;
		goto out;
	}
	/*
	 * ignoreip: loopback always, what the admin's own files keep out of
	 * bans (ours replaces theirs), the admin's address, the rest.
	 */
	strv_init(&ign);
	split_list(LOOPBACK, &ign);
	sshd_ignore = admin_ignoreip(&texts, &ign);
	if (ignore != NULL)
		split_list(ignore, &ign);
	else {
		/* Keep what is there: an earlier admin address too. */
		const char *now = NULL;

		if (aug_get(aug, "/files" JAIL_FILE "/DEFAULT/ignoreip",
		    &now) == 1 && now != NULL)
			split_list(now, &ign);
		if (admin != NULL)
			strv_add(&ign, admin);
	}
	ignore_list = join_unique(&ign, " ");
	strv_release(&ign);
	r = set_key(aug, ctx->augs, "DEFAULT", "ignoreip", ignore_list,
	    cause);
	if (r == 0 && sshd_ignore)
		r = set_key(aug, ctx->augs, "sshd", "ignoreip", ignore_list,
		    cause);
	free(ignore_list);
	if (r == 0)
		r = set_key(aug, ctx->augs, "DEFAULT", "banaction",
		    banaction(ctx), cause);
	if (r == 0)
		r = set_key(aug, ctx->augs, "sshd", "enabled", "true", cause);
	/*
	 * In the jail, not only in the filter: Debian 13's jail.d/
	 * defaults-debian.conf sets [sshd] journalmatch without sshd-session
	 * (OpenSSH 9.8+), and a jail's option beats its filter's. File
	 * backends ignore it.
	 */
	if (r == 0)
		r = set_key(aug, ctx->augs, "sshd", "journalmatch",
		    SSHD_JOURNALMATCH, cause);
	if (r == 0)
		r = set_key(aug, ctx->augs, "sshd", "port", ports, cause);
	if (r == 0 && (action = admin_action(&texts, &multi)) != NULL) {
		if (multi)
			plan_note(p, _("your [sshd] action names a port and "
			    "spans several lines: make it use port=\"%%(port)s\" "
			    "so that bans follow the SSH port (%s)"), ports);
		else
			r = set_key(aug, ctx->augs, "sshd", "action", action,
			    cause);
		free(action);
	}
	for (size_t i = 0; i < nitems(keys) && r == 0; i++) {
		const char *v = settings_get(set, keys[i]);

		if (v != NULL)
			r = set_key(aug, ctx->augs, "sshd", keys[i], v, cause);
	}
	if (r == 0 && journal)
		r = set_key(aug, ctx->augs, "sshd", "backend", "systemd",
		    cause);
	if (r == 0 && postfix_auth(ctx)) {
		r = set_key(aug, ctx->augs, "postfix-sasl", "enabled", "true",
		    cause);
		if (r == 0 && journal)
			r = set_key(aug, ctx->augs, "postfix-sasl", "backend",
			    "systemd", cause);
		if (r == 0 && journal)
			r = set_key(aug, ctx->augs, "postfix-sasl",
			    "journalmatch", "_SYSTEMD_UNIT=postfix@-.service "
			    "+ _SYSTEMD_UNIT=postfix.service", cause);
		plan_expect(p, ctx->id, &fail2ban_jail, "postfix-sasl",
		    "postfix-sasl", "", NULL, NULL);
	}
	if (r == 0)
		r = augs_collect(ctx->augs, p, ctx->id, cause);
	if (r == 0 && openssh_version(ctx->root) >= 908) {
		struct fs_file f;
		bool knows = fs_read(ctx->root, FAIL2BAN_DIR
		    "/filter.d/sshd.conf", &f, NULL) == 0 && f.exists &&
		    strstr(f.data, "sshd-session") != NULL;

		fs_file_release(&f);
		if (!knows)
			r = plan_filter(ctx, p, cause);
	}
	if (r == 0) {
		plan_expect(p, ctx->id, &fail2ban_jail, "sshd", "sshd", "",
		    NULL, NULL);
		note_overridden(p);
		if (p->nchanges > before)
			plan_service(ctx, p);
	}
out:
	free(admin);
	strv_release(&texts);
	free(ports);
	return r;
}

/* ---- audit ---- */

static int
fail2ban_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	const char *v = NULL;
	char *ports, *admin, *ignore;
	struct buf b;

	if (ssh_ports(ctx, &ports, cause) != 0)
		return -1;
	admin = admin_address();
	if (!fail2ban_present(ctx->root))
		audit_finding(a, "fail2ban", _("not installed"),
		    _("installed, sshd jail on"));
	else if (aug_get(aug, "/files" JAIL_FILE "/sshd/port", &v) != 1 ||
	    v == NULL)
		audit_finding(a, _("sshd jail"), _("not set up by hardenwiz"),
		    ports);
	else if (strcmp(v, ports) != 0)
		audit_finding(a, _("sshd jail ports"), v, ports);
	if (!has_auth_log(ctx->root) && fail2ban_present(ctx->root) &&
	    (aug_get(aug, "/files" JAIL_FILE "/sshd/backend", &v) != 1 ||
	    v == NULL || strcmp(v, "systemd") != 0))
		audit_finding(a, _("sshd jail backend"), _("auth.log (there is "
		    "none)"), "systemd");
	if (fail2ban_running(ctx->root)) {
		char *argv[] = { "fail2ban-client", "status", "sshd", NULL };
		int status = 1;

		if (run_argv(argv, NULL, NULL, &status, NULL) != 0 ||
		    status != 0)
			audit_finding(a, _("sshd jail"), _("not running"),
			    _("running"));
	}
	buf_init(&b);
	buf_adds(&b, LOOPBACK);
	if (admin != NULL)
		buf_addf(&b, " %s", admin);
	ignore = buf_detach(&b, NULL);
	if (aug_get(aug, "/files" JAIL_FILE "/DEFAULT/ignoreip", &v) == 1 &&
	    v != NULL) {
		if (admin != NULL && strstr(v, admin) == NULL)
			strv_addf(&a->notes, _("your address %s is not in "
			    "ignoreip: you can ban yourself"), admin);
		settings_set(&a->current, "ignoreip", v);
	} else
		settings_set(&a->current, "ignoreip", ignore);
	if (admin != NULL)
		strv_addf(&a->notes, _("you are connected from %s"), admin);
	settings_set(&a->current, "maxretry", "5");
	settings_set(&a->current, "findtime", "600");
	settings_set(&a->current, "bantime", "3600");
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	free(ignore);
	free(admin);
	free(ports);
	return 0;
}

const struct step step_fail2ban = {
	.id = "fail2ban",
	.flags = STEP_CONFIRM,
	.title = N_("fail2ban"),
	.help = N_("Ban addresses that keep failing to log in over SSH. The "
	    "jail covers every SSH port (old and new during a move), reads "
	    "the journal where there is no auth.log, bans through the "
	    "firewall in use, matches OpenSSH 9.8's sshd-session, and never "
	    "bans loopback or the address you are connected from. Settings go "
	    "in jail.d/zz-hardenwiz.local; jail.conf is not touched."),
	.files = fail2ban_files,
	.nfiles = nitems(fail2ban_files),
	.questions = fail2ban_questions,
	.nquestions = nitems(fail2ban_questions),
	.audit = fail2ban_audit,
	.prefetch = ssh_prefetch,
	.plan = fail2ban_plan,
};
