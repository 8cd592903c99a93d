/*
 * mailqueue.c -- watch the Postfix queue: a spam run shows up there first
 * (thousands of deferred messages from one sender) long before the
 * server lands on a blocklist.
 *
 * A systemd timer (or, without systemd, a cron.d entry) runs
 * "hardenwiz --check-queue --threshold N" every interval; it logs the
 * report to the journal (or syslog) and fails above the threshold, so
 * "systemctl --failed" and cron's mail show it. A second job,
 * "hardenwiz --check-mail --since 1h", reads the last hour of Postfix's
 * log at the same interval and fails while a login or sender looks
 * abused: the queue shows a spam run that is stuck, the log one that is
 * flowing out.
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
	{ "mail_watch", V_BOOL, N_("Watch the mail log too"),
	  N_("Also run 'hardenwiz --check-mail' at that interval: it "
	     "fails, and logs who, when in the last hour a SASL login was "
	     "used from many addresses, a login or sender sent more than "
	     "the limit below or far more than usual, most of its mail "
	     "bounced, or a client kept failing SMTP AUTH."), NULL, 0, 0, 0 },
	{ "mail_limit", V_INT, N_("Messages per hour per login"),
	  N_("The most messages one SASL login or envelope sender may send "
	     "in an hour before the mail-log watch calls it abuse."), NULL,
	  1, 10000000, 0 },
};

#define MAIL_LIMIT	200	/* messages per hour, as --check-mail's */

static int
mailqueue_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	long threshold = settings_long(set, "threshold", 500);
	char *args = xasprintf("--check-queue --threshold %ld", threshold);
	struct periodic_job job = { "mailqueue",
	    "check the Postfix mail queue", "postfix.service", args,
	    settings_long(set, "interval", 600) };
	char *watch_args = xasprintf("--check-mail --since 1h --threshold %ld",
	    settings_long(set, "mail_limit", MAIL_LIMIT));
	struct periodic_job watch = { "mailwatch",
	    "check Postfix's log for abused logins", "postfix.service",
	    watch_args, job.interval };
	int r;

	if (postfix_skip_step(p, ctx->id))
		r = 0;
	else if ((r = plan_periodic(p, ctx->id, &job, cause)) == 0 &&
	    settings_bool(set, "mail_watch", true))
		r = plan_periodic(p, ctx->id, &watch, cause);
	free(watch_args);
	free(args);
	return r;
}

static int
mailqueue_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	if (!periodic_installed(ctx->root, "mailqueue"))
		audit_finding(a, _("queue monitor"), _("none"),
		    _("every 10 minutes"));
	if (!periodic_installed(ctx->root, "mailwatch"))
		audit_finding(a, _("mail-log watch"), _("none"),
		    _("every 10 minutes"));
	settings_set(&a->current, "threshold", "500");
	settings_set(&a->current, "interval", "600");
	settings_set(&a->current, "mail_watch", "yes");
	settings_set(&a->current, "mail_limit", "200");
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_mailqueue = {
	.id = "mailqueue",
	.title = N_("Mail queue monitor"),
	.help = N_("A timer runs 'hardenwiz --check-queue' every interval: "
	    "it reports the queue size, the oldest message, the top senders "
	    "and repeated delay reasons to the journal (or syslog), and fails "
	    "above the threshold. A spam run shows up there first. A second "
	    "timer runs 'hardenwiz --check-mail' on the last hour of "
	    "Postfix's log and fails when a login looks abused. The "
	    "wizard's 'Mail queue' view holds, shows and deletes the messages "
	    "of one sender; 'Mail health' shows who sends what and acts on "
	    "a suspicious login."),
	.questions = mailqueue_questions,
	.nquestions = nitems(mailqueue_questions),
	.audit = mailqueue_audit,
	.prefetch = postfix_prefetch,
	.plan = mailqueue_plan,
};
