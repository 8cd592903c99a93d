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

/* A copy of ROOT/etc/fail2ban with P's candidates, in a new temp dir. */
static int
stage(const struct plan *p, char **dir, char **cause)
{
	struct stage_rules rules = { .what = "fail2ban", .dir = FAIL2BAN_DIR,
	    .recurse = true };

	if (stage_make(p->root, p, &rules, dir, cause) != 0)
		return -1;
	if (p->offline && pin_logs(p->root, *dir, cause) != 0)
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
	if (client == NULL) {
		/* Installed by this plan: checked after the install. */
		if (candidates)
			plan_note(p, "%s", _("fail2ban is not installed here "
			    "yet: its configuration is checked after the "
			    "install"));
		if (candidates)
			return CHECK_OK;
		set_cause(cause, "%s", _("cannot check fail2ban: "
		    "fail2ban-client is not installed"));
		return CHECK_FAILED;
	}
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
