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
#include "periodic.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "step.h"
#include "sysinfo.h"

static const struct question mailqueue_questions[] = {
	{ "threshold", V_INT, N_("Alert above (messages)"),
	  N_("The check fails, and says so in the log, when more messages "
	     "than this wait in the queue."), NULL, 1, 10000000, 0 },
	{ "interval", V_DURATION, N_("Check every"),
	  N_("How often the check runs: 10m, 1h ... (at least one "
	     "minute)."), NULL, 0, 0, 0 },
};

static int
mailqueue_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	long threshold = settings_long(set, "threshold", 500);
	char *args = xasprintf("--check-queue --threshold %ld", threshold);
	struct periodic_job job = { "mailqueue",
	    "check the Postfix mail queue", "postfix.service", args,
	    settings_long(set, "interval", 600) };
	int r;

	r = postfix_skip_step(p, ctx->id) ? 0 : plan_periodic(p, ctx->id,
	    &job, cause);
	free(args);
	return r;
}

static int
mailqueue_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	if (audit_without_postfix(ctx->root, a))
		return 0;
	if (!periodic_installed(ctx->root, "mailqueue"))
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
