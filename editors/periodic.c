/*
 * periodic.c -- plan_periodic: the timer (or cron entry) of a hardenwiz
 * check, for the queue monitor and the blocklist check alike.
 */
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "periodic.h"
#include "sysinfo.h"

#define UNIT_DIR	"/etc/systemd/system"
#define CRON_DIR	"/etc/cron.d"
#define INSTALLED	"/usr/sbin/hardenwiz"

/* The hardenwiz the timer runs: this one when live, else the installed. */
static char *
exe_path(const struct plan *p)
{
	char *self = p->offline ? NULL : realpath("/proc/self/exe", NULL);

	return self != NULL ? self : xstrdup(INSTALLED);
}

/* systemd manages ROOT: it runs (live) or is installed (offline). */
static bool
has_systemd(const struct plan *p)
{
	if (!p->offline)
		return systemd_running(p->root);
	return fs_exists(p->root, "/usr/lib/systemd/systemd") ||
	    fs_exists(p->root, "/lib/systemd/systemd");
}

static int
plan_timer(struct plan *p, const char *step, const struct periodic_job *j,
    const char *exe, char **cause)
{
	char *service_path = xasprintf(UNIT_DIR "/hardenwiz-%s.service",
	    j->name);
	char *timer_path = xasprintf(UNIT_DIR "/hardenwiz-%s.timer", j->name);
	char *unit = xasprintf("hardenwiz-%s.timer", j->name);
	char *after = j->after != NULL ? xasprintf("After=%s\n", j->after) :
	    xstrdup("");
	char *service = xasprintf("# Written by hardenwiz (%s).\n"
	    "[Unit]\nDescription=hardenwiz: %s\n%s\n[Service]\n"
	    "Type=oneshot\nExecStart=%s %s\n", j->name, j->what, after, exe,
	    j->args);
	char *timer = xasprintf("# Written by hardenwiz (%s).\n"
	    "[Unit]\nDescription=hardenwiz: %s every %lds\n\n[Timer]\n"
	    "OnBootSec=5min\nOnUnitActiveSec=%lds\n\n"
	    "[Install]\nWantedBy=timers.target\n", j->name, j->what,
	    j->interval, j->interval);
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	char *enable[] = { "systemctl", "enable", "--now", unit, NULL };
	char *disable[] = { "systemctl", "disable", "--now", unit, NULL };
	size_t before = p->nchanges;
	int r;

	plan_parents(p, step, service_path);
	r = plan_file(p, step, service_path, service, strlen(service), 0644,
	    0, 0, NULL, cause);
	if (r == 0)
		r = plan_file(p, step, timer_path, timer, strlen(timer), 0644,
		    0, 0, NULL, cause);
	if (r == 0 && p->nchanges > before) {
		plan_command(p, step, reload, reload, _("systemd reads the "
		    "new units"));
		plan_command(p, step, enable, disable, _("start the timer, "
		    "and at every boot"));
		/* After a rollback removed the units, systemd forgets them. */
		plan_resync(p, reload);
	}
	free(service);
	free(timer);
	free(after);
	free(unit);
	free(timer_path);
	free(service_path);
	return r;
}

static int
plan_cron(struct plan *p, const char *step, const struct periodic_job *j,
    const char *exe, char **cause)
{
	long minutes = j->interval / 60;
	char *path = xasprintf(CRON_DIR "/hardenwiz-%s", j->name);
	char *when = minutes < 60 ? xasprintf("*/%ld * * * *", minutes) :
	    minutes < 1440 ? xasprintf("0 */%ld * * *", minutes / 60) :
	    xstrdup("0 3 * * *");
	char *text = xasprintf("# Written by hardenwiz (%s): %s; the report "
	    "goes to syslog (mail).\n%s root %s %s --syslog >/dev/null\n",
	    j->name, j->what, when, exe, j->args);
	int r;

	plan_parents(p, step, path);
	r = plan_file(p, step, path, text, strlen(text), 0644, 0, 0, NULL,
	    cause);
	if (minutes >= 60 && minutes < 1440 && minutes % 60 != 0)
		plan_note(p, _("cron runs the check every %ld hours (the "
		    "interval rounded to whole hours)"), minutes / 60);
	else if (minutes > 1440)
		plan_note(p, _("cron runs the check once a day (at 03:00)"));
	free(text);
	free(when);
	free(path);
	return r;
}

int
plan_periodic(struct plan *p, const char *step, const struct periodic_job *j,
    char **cause)
{
	char *exe;
	int r;

	if (j->interval < 60)
		return set_cause(cause, _("[%s] interval: at least one minute "
		    "(60s, 1m)"), step);
	exe = exe_path(p);
	r = has_systemd(p) ? plan_timer(p, step, j, exe, cause) :
	    plan_cron(p, step, j, exe, cause);
	free(exe);
	return r;
}

bool
periodic_installed(const char *root, const char *name)
{
	char *timer = xasprintf(UNIT_DIR "/hardenwiz-%s.timer", name);
	char *cron = xasprintf(CRON_DIR "/hardenwiz-%s", name);
	bool yes = fs_exists(root, timer) || fs_exists(root, cron);

	free(timer);
	free(cron);
	return yes;
}
