/*
 * postfix_ratelimit.c -- anvil's per-client limits, and what really caps
 * outgoing mail.
 *
 * Honest about what the limits do: smtpd_client_message_rate_limit and
 * smtpd_client_recipient_rate_limit count per client IP address and per
 * smtpd service, over anvil_rate_time_unit; clients in
 * smtpd_client_event_limit_exceptions ($mynetworks by default) are not
 * counted, nor is mail a local program hands to sendmail; a client over
 * the limit gets 450, a temporary error, and its mail comes back later.
 * What caps the server's own outgoing mail is smtp_destination_rate_delay
 * (with a relayhost, one destination: a global pace), with
 * smtp_destination_concurrency_failed_cohort_limit raised so a throttling
 * relay does not mark itself dead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "postfix/postfix.h"
#include "step.h"

static const struct aug_file ratelimit_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
};

static const struct question ratelimit_questions[] = {
	{ "message_rate", V_INT, N_("Messages per client"),
	  N_("smtpd_client_message_rate_limit: how many messages one client "
	     "IP address may send to one smtpd service per time unit; 0 is "
	     "no limit. Over the limit the client gets 450, a temporary "
	     "error, and tries again later. Clients in $mynetworks are not "
	     "counted (smtpd_client_event_limit_exceptions), and mail that "
	     "local programs hand to sendmail is never counted."),
	  NULL, 0, 1000000, 0 },
	{ "recipient_rate", V_INT, N_("Recipients per client"),
	  N_("smtpd_client_recipient_rate_limit: the same, counting "
	     "recipient addresses. 0 is no limit."), NULL, 0, 1000000, 0 },
	{ "time_unit", V_DURATION, N_("Time unit"),
	  N_("anvil_rate_time_unit: the window both limits count over."),
	  NULL, 0, 0, 0 },
	{ "destination_rate_delay", V_DURATION, N_("Delivery pause"),
	  N_("smtp_destination_rate_delay: the pause between two deliveries "
	     "to the same destination. With a relayhost every message goes "
	     "to one destination, so this paces all outgoing mail: what "
	     "actually caps a spam run. 0 turns it off. hardenwiz also sets "
	     "smtp_destination_concurrency_failed_cohort_limit = 10, so a "
	     "relay that throttles is not marked dead."), NULL, 0, 0, 0 },
};

static int
set_param(struct step_ctx *ctx, struct plan *p, const char *key,
    const char *value, char **cause)
{
	return postfix_set_main(ctx->augs, p, ctx->id, key, value,
	    cause);
}

static int
ratelimit_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	static const struct { const char *q, *param, *unit; } map[] = {
		{ "message_rate", "smtpd_client_message_rate_limit", "" },
		{ "recipient_rate", "smtpd_client_recipient_rate_limit", "" },
		{ "time_unit", "anvil_rate_time_unit", "s" },
		{ "destination_rate_delay", "smtp_destination_rate_delay",
		  "s" },
	};
	const char *delay = settings_get(set, "destination_rate_delay");
	size_t before = p->nchanges;
	char *exempt;

	if (postfix_skip_step(p, ctx->id))
		return 0;
	for (size_t i = 0; i < nitems(map); i++) {
		const char *v = settings_get(set, map[i].q);
		char *value;
		int r;

		if (v == NULL)
			continue;
		value = xasprintf("%s%s", v, map[i].unit);
		r = set_param(ctx, p, map[i].param, value, cause);
		free(value);
		if (r != 0)
			return -1;
	}
	if (delay != NULL && strcmp(delay, "0") != 0 && set_param(ctx, p,
	    "smtp_destination_concurrency_failed_cohort_limit", "10",
	    cause) != 0)
		return -1;
	if (augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		return -1;
	if (p->nchanges > before)
		postfix_plan_reload(p, ctx->id);
	exempt = postfix_param(ctx->root,
	    "smtpd_client_event_limit_exceptions", true);
	if (exempt != NULL)
		plan_note(p, _("not counted by the client limits: %s (and "
		    "everything local programs send through sendmail)"),
		    exempt[0] != '\0' ? exempt : _("nobody"));
	free(exempt);
	return 0;
}

static int
ratelimit_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	static const struct { const char *param, *key, *dflt; } show[] = {
		{ "smtpd_client_message_rate_limit", "message_rate", "100" },
		{ "smtpd_client_recipient_rate_limit", "recipient_rate",
		  "50" },
		{ "anvil_rate_time_unit", "time_unit", "60" },
		{ "smtp_destination_rate_delay", "destination_rate_delay",
		  "0" },
	};

	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	for (size_t i = 0; i < nitems(show); i++) {
		char *v = postfix_param(ctx->root, show[i].param, true);

		if (v == NULL)
			continue;
		if (i < 2 && strcmp(v, "0") == 0)
			audit_finding(a, show[i].param, _("0 (no limit)"),
			    show[i].dflt);
		/* The form shows what is set now, else the recommendation;
		 * durations without postconf's "s". */
		if (str_has_suffix(v, "s"))
			v[strlen(v) - 1] = '\0';
		settings_set(&a->current, show[i].key, i < 2 &&
		    strcmp(v, "0") == 0 ? show[i].dflt : v);
		free(v);
	}
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_postfix_ratelimit = {
	.id = "postfix-ratelimit",
	.title = N_("Postfix rate limits"),
	.help = N_("Per-client limits on messages and recipients, and a pace "
	    "for outgoing deliveries. The client limits count per IP address "
	    "and smtpd service, exempt $mynetworks, never see local sendmail, "
	    "and answer 450 (try later). The delivery pace is what caps "
	    "outgoing mail when a relayhost is used."),
	.files = ratelimit_files,
	.nfiles = nitems(ratelimit_files),
	.questions = ratelimit_questions,
	.nquestions = nitems(ratelimit_questions),
	.audit = ratelimit_audit,
	.prefetch = postfix_prefetch,
	.plan = ratelimit_plan,
};
