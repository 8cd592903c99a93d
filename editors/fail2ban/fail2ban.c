/*
 * fail2ban.c -- fail2ban-client as the validator. See fail2ban.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "fail2ban/fail2ban.h"
#include "fsutil.h"
#include "stage.h"
#include "i18n.h"
#include "run.h"
#include "sysinfo.h"

bool
fail2ban_present(const char *root)
{
	return fs_exists(root, FAIL2BAN_DIR "/jail.conf");
}

bool
fail2ban_running(const char *root)
{
	return pidfile_alive(root, FAIL2BAN_PID);
}

int
fail2ban_banned(const char *jail, struct strv *ips, char **cause)
{
	char *argv[] = { "fail2ban-client", "status", (char *)jail, NULL };
	struct run_opts ro = { .timeout = 10 };
	struct buf out;
	const char *list;

	buf_init(&out);
	if (run_checked(argv, &ro, &out, cause) != 0) {
		buf_release(&out);
		return -1;
	}
	/* "   `- Banned IP list:\t192.0.2.1 192.0.2.2" */
	if ((list = strstr(out.data, "Banned IP list:")) != NULL) {
		char *copy = xstrndup(list, strcspn(list, "\n"));

		split_list(copy + strlen("Banned IP list:"), ips);
		free(copy);
	}
	buf_release(&out);
	return 0;
}

/*
 * Offline, fail2ban would look for this machine's /var/log/auth.log: the
 * copy reads the root's log files instead (paths-overrides.local is read
 * after the distribution's paths file).
 */
static int
pin_logs(const char *root, const char *dir, char **cause)
{
	char *text = xasprintf("[DEFAULT]\nsyslog_authpriv = %s/var/log/"
	    "auth.log\nsyslog_mail = %s/var/log/mail.log\n"
	    "syslog_mail_warn = %s/var/log/mail.warn\n", root, root, root);
	char *path = xasprintf("%s/paths-overrides.local", dir);
	int r = fs_write_scratch(path, text, strlen(text), cause);

	free(path);
	free(text);
	return r;
}

/* TEXT with ROOT before every absolute path of its logpath values. */
static char *
root_logpaths(const char *root, const char *text)
{
	char *copy = xstrdup(text), *line, *next;
	bool value = false;
	struct buf b;

	buf_init(&b);
	for (line = copy; line != NULL; line = next) {
		char *p = line;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		/* A continuation line belongs to the value above it. */
		if (!(value && (line[0] == ' ' || line[0] == '\t'))) {
			while (*p == ' ' || *p == '\t')
				p++;
			value = str_has_prefix(p, "logpath") &&
			    p[strspn(p + 7, " \t") + 7] == '=';
			p = value ? strchr(p, '=') + 1 : NULL;
		}
		if (!value || p == NULL) {
			buf_addf(&b, "%s%s", line, next != NULL ? "\n" : "");
			continue;
		}
		buf_add(&b, line, (size_t)(p - line));
		for (; *p != '\0'; p++) {
			/* A path starts a word; %(...)s paths are pinned too. */
			if (*p == '/' && (p == line || p[-1] == ' ' ||
			    p[-1] == '\t' || p[-1] == '='))
				buf_adds(&b, root);
			buf_add(&b, p, 1);
		}
		if (next != NULL)
			buf_add(&b, "\n", 1);
	}
	free(copy);
	return buf_detach(&b, NULL);
}

/*
 * An explicit logpath in a jail file (logpath = /var/log/x.log) would be
 * looked up on this machine offline too: the staged copies name the
 * root's file instead. The root's own files are never changed.
 */
static int
pin_logpaths(const char *root, const char *dir, char **cause)
{
	struct strv names, d;
	int r = 0;

	strv_init(&names);
	strv_init(&d);
	strv_add(&names, "jail.conf");
	strv_add(&names, "jail.local");
	if (fs_list(dir, "/jail.d", &d, NULL) == 0)
		for (size_t i = 0; i < d.n; i++)
			strv_addf(&names, "jail.d/%s", d.v[i]);
	strv_release(&d);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		char *path = xasprintf("%s/%s", dir, names.v[i]), *data = NULL;
		size_t len = 0;

		if (fs_slurp(path, &data, &len, NULL) == 0 &&
		    strstr(data, "logpath") != NULL) {
			char *pinned = root_logpaths(root, data);

			r = fs_write_scratch(path, pinned, strlen(pinned),
			    cause);
			free(pinned);
		}
		free(data);
		free(path);
	}
	strv_release(&names);
	return r;
}

/* A copy of ROOT/etc/fail2ban with P's candidates, in a new temp dir. */
static int
stage(const struct plan *p, char **dir, char **cause)
{
	struct stage_rules rules = { .what = "fail2ban", .dir = FAIL2BAN_DIR,
	    .recurse = true };

	if (stage_make(p->root, p, &rules, dir, cause) != 0)
		return -1;
	if (p->offline && (pin_logs(p->root, *dir, cause) != 0 ||
	    pin_logpaths(p->root, *dir, cause) != 0))
		return -1;
	return 0;
}

/* fail2ban-client -c DIR -t: the whole configuration, every jail. */
static int
test_config(const char *dir, char **cause)
{
	char *argv[] = { "fail2ban-client", "-c", (char *)dir, "-t", NULL };
	struct buf out;
	int status = 0, r = 0;

	buf_init(&out);
	if (run_argv(argv, NULL, &out, &status, cause) != 0)
		r = CHECK_FAILED;
	else if (status != 0) {
		char *err = out.data != NULL ? strstr(out.data, "ERROR") :
		    NULL;

		if (err != NULL)
			err[strcspn(err, "\n")] = '\0';
		r = set_cause(cause, _("fail2ban rejects the configuration "
		    "(fail2ban-client -t): %s"), err != NULL ? err :
		    trim(buf_str(&out)));
	}
	buf_release(&out);
	return r;
}

/* JAIL has a ban action ("No actions for jail" after a bad reload). */
static bool
has_actions(const char *jail)
{
	char *argv[] = { "fail2ban-client", "get", (char *)jail, "actions",
	    NULL };
	struct buf out;
	int status = 1;
	bool yes;

	buf_init(&out);
	yes = run_argv(argv, NULL, &out, &status, NULL) == 0 && status == 0 &&
	    out.data != NULL && strstr(out.data, "No actions") == NULL;
	buf_release(&out);
	return yes;
}

/* Every jail the plan enables runs (the server may take a moment). */
static int
check_jails(const struct plan *p, char **cause)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		char *argv[] = { "fail2ban-client", "status", e->key, NULL };
		int status = 1;

		if (e->kind != &fail2ban_jail)
			continue;
		for (int tries = 0; tries < 40; tries++) {
			if (run_argv(argv, NULL, NULL, &status, NULL) == 0 &&
			    status == 0)
				break;
			usleep(250 * 1000);
		}
		if (status != 0)
			return set_cause(cause, _("the fail2ban jail '%s' is "
			    "not running after the reload; the change is "
			    "rolled back"), e->key);
		if (!has_actions(e->key))
			return set_cause(cause, _("the fail2ban jail '%s' "
			    "runs without a ban action: it would find "
			    "attackers and ban nobody; the change is rolled "
			    "back"), e->key);
	}
	return 0;
}

static int
fail2ban_check(struct plan *p, bool candidates, char **cause)
{
	char *client = run_which("fail2ban-client"), *dir = NULL;
	int r;

	free(client);
	/* Installed by this plan: checked after the install. */
	if (client == NULL)
		return checker_without_tool(p, candidates, true,
		    "fail2ban-client", _("the fail2ban configuration"), cause);
	if (!fail2ban_present(p->root))
		return 0;
	if (candidates) {
		r = stage(p, &dir, cause) != 0 ? CHECK_FAILED :
		    test_config(dir, cause);
		stage_remove(dir);
		return r;
	}
	if (p->offline)
		return 0;
	if (fs_resolve(p->root, FAIL2BAN_DIR, &dir, cause) != 0)
		return CHECK_FAILED;
	r = test_config(dir, cause);
	free(dir);
	if (r == 0 && fail2ban_running(p->root))
		r = check_jails(p, cause);
	return r;
}

const struct checker fail2ban_checker = { "fail2ban", fail2ban_check };
const struct expect_kind fail2ban_jail = { &fail2ban_checker, true, false };
