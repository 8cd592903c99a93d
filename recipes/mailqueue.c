/*
 * mailqueue.c -- watch the Postfix queue: a spam run shows up there first
 * (thousands of deferred messages from one sender) long before the
 * server lands on a blocklist.
 *
 * A systemd timer (or, without systemd, a cron.d entry) runs
 * "hardenwiz --check-queue --threshold N" every interval; it logs the
 * report to the journal (or syslog) and fails above the threshold, so
 * "systemctl --failed" and cron's mail show it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "step.h"
#include "sysinfo.h"

#define UNIT_DIR	"/etc/systemd/system"
#define SERVICE		UNIT_DIR "/hardenwiz-mailqueue.service"
#define TIMER		UNIT_DIR "/hardenwiz-mailqueue.timer"
#define CRON_FILE	"/etc/cron.d/hardenwiz-mailqueue"
#define INSTALLED	"/usr/sbin/hardenwiz"

static const struct question mailqueue_questions[] = {
	{ "threshold", V_INT, N_("Alert above (messages)"),
	  N_("The check fails, and says so in the log, when more messages "
	     "than this wait in the queue."), NULL, 1, 10000000, 0 },
	{ "interval", V_DURATION, N_("Check every"),
	  N_("How often the check runs: 10m, 1h ... (at least one "
	     "minute)."), NULL, 0, 0, 0 },
};

/* The hardenwiz the timer runs: this one when installed, else ours. */
static char *
self_path(void)
{
	char *self = realpath("/proc/self/exe", NULL);

	if (self == NULL)
		return xstrdup(INSTALLED);
	return self;
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
plan_timer(struct step_ctx *ctx, struct plan *p, const char *exe,
    long threshold, long interval, char **cause)
{
	char *service = xasprintf("# Written by hardenwiz (mailqueue).\n"
	    "[Unit]\nDescription=hardenwiz: check the Postfix mail queue\n"
	    "After=postfix.service\n\n[Service]\nType=oneshot\n"
	    "ExecStart=%s --check-queue --threshold %ld\n", exe, threshold);
	char *timer = xasprintf("# Written by hardenwiz (mailqueue).\n"
	    "[Unit]\nDescription=hardenwiz: check the Postfix mail queue "
	    "every %lds\n\n[Timer]\nOnBootSec=5min\nOnUnitActiveSec=%lds\n\n"
	    "[Install]\nWantedBy=timers.target\n", interval, interval);
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	char *enable[] = { "systemctl", "enable", "--now",
	    "hardenwiz-mailqueue.timer", NULL };
	char *disable[] = { "systemctl", "disable", "--now",
	    "hardenwiz-mailqueue.timer", NULL };
	size_t before = p->nchanges;
	int r;

	plan_parents(p, ctx->id, SERVICE);
	r = plan_file(p, ctx->id, SERVICE, service, strlen(service), 0644, 0, 0,
	    NULL, cause);
	if (r == 0)
		r = plan_file(p, ctx->id, TIMER, timer, strlen(timer), 0644, 0, 0,
		    NULL, cause);
	if (r == 0 && p->nchanges > before) {
		plan_command(p, ctx->id, reload, reload, _("systemd reads the "
		    "new units"));
		plan_command(p, ctx->id, enable, disable, _("start the timer, "
		    "and at every boot"));
		/* After a rollback removed the units, systemd forgets them. */
		plan_resync(p, reload);
	}
	free(service);
	free(timer);
	return r;
}

static int
plan_cron(struct step_ctx *ctx, struct plan *p, const char *exe,
    long threshold, long interval, char **cause)
{
	long minutes = interval / 60;
	char *when = minutes < 60 ? xasprintf("*/%ld * * * *", minutes) :
	    minutes < 1440 ? xasprintf("0 */%ld * * *", minutes / 60) :
	    xstrdup("0 3 * * *");
	char *text = xasprintf("# Written by hardenwiz (mailqueue): check "
	    "the Postfix queue; the report goes to syslog (mail).\n"
	    "%s root %s --check-queue --threshold %ld --syslog >/dev/null\n",
	    when, exe, threshold);
	int r;

	plan_parents(p, ctx->id, CRON_FILE);
	r = plan_file(p, ctx->id, CRON_FILE, text, strlen(text), 0644, 0, 0,
	    NULL, cause);
	if (minutes >= 60 && minutes % 60 != 0)
		plan_note(p, _("cron runs the check every %ld hours (the "
		    "interval rounded to whole hours)"), minutes / 60);
	free(text);
	free(when);
	return r;
}

static int
mailqueue_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	long threshold = settings_long(set, "threshold", 500);
	long interval = settings_long(set, "interval", 600);
	char *exe;
	int r;

	(void)ctx;
	if (postfix_skip_step(p, ctx->id))
		return 0;
	if (interval < 60)
		return set_cause(cause, _("[mailqueue] interval: at least one "
		    "minute (60s, 1m)"));
	exe = p->offline ? xstrdup(INSTALLED) : self_path();
	r = has_systemd(p) ? plan_timer(ctx, p, exe, threshold, interval, cause) :
	    plan_cron(ctx, p, exe, threshold, interval, cause);
	free(exe);
	return r;
}

static int
mailqueue_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	if (audit_without_postfix(ctx->root, a))
		return 0;
	if (!fs_exists(ctx->root, TIMER) && !fs_exists(ctx->root, CRON_FILE))
		audit_finding(a, _("queue monitor"), _("none"),
		    _("every 10 minutes"));
	settings_set(&a->current, "threshold", "500");
	settings_set(&a->current, "interval", "600");
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_mailqueue = {
	.id = "mailqueue",
	.title = N_("Mail queue monitor"),
	.help = N_("A timer runs 'hardenwiz --check-queue' every interval: "
	    "it reports the queue size, the oldest message, the top senders "
	    "and repeated delay reasons to the journal (or syslog), and fails "
	    "above the threshold. A spam run shows up there first. The "
	    "wizard's 'Mail queue' view holds, shows and deletes the messages "
	    "of one sender."),
	.questions = mailqueue_questions,
	.nquestions = nitems(mailqueue_questions),
	.audit = mailqueue_audit,
	.plan = mailqueue_plan,
};
