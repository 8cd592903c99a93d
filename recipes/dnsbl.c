/*
 * dnsbl.c -- watch the blocklists: a timer (or cron entry) runs
 * "hardenwiz --check-dnsbl" every interval, which logs a listing to the
 * mail log and fails, so "systemctl --failed" and cron's mail show it.
 * The lists, a server to ask (the default asks the lists' own servers,
 * as Spamhaus requires) and the addresses (behind NAT the interfaces do
 * not have the public one) come from the recipe.
 */
#include <stdlib.h>
#include <string.h>

#include "dns/resolver.h"
#include "i18n.h"
#include "periodic.h"
#include "step.h"

static const struct question dnsbl_questions[] = {
	{ "zones", V_LIST, N_("Blocklists"),
	  N_("The DNS blocklists to ask (zen.spamhaus.org bl.spamcop.net "
	     "...). Empty: hardenwiz's list of lists that work today. Each "
	     "list must pass its own test (127.0.0.2 listed, 127.0.0.1 not) "
	     "or it is reported as unusable, never as a listing."), NULL, 0,
	  0, 0 },
	{ "addresses", V_IPS, N_("Addresses to check"),
	  N_("The public addresses other mail servers see. Empty: the public "
	     "addresses of this machine's interfaces (behind NAT, give the "
	     "public one)."), NULL, 0, 0, 0 },
	{ "server", V_IPS, N_("DNS server to ask"),
	  N_("Empty: ask each list's own servers (Spamhaus refuses public "
	     "resolvers such as 8.8.8.8). An IP address: ask that resolver "
	     "instead."), NULL, 0, 0, 0 },
	{ "interval", V_DURATION, N_("Check every"),
	  N_("How often the check runs: 6h, 1d ... (at least one minute; "
	     "the lists ask for no more than a few checks a day)."), NULL, 0,
	  0, 0 },
};

/* " --zones a,b" from "a b": the command line takes commas. */
static void
add_list(struct buf *b, const char *flag, const char *list, bool commas)
{
	struct strv v;

	strv_init(&v);
	split_list(list, &v);
	for (size_t i = 0; i < v.n; i++)
		buf_addf(b, "%s%s", i == 0 ? flag : commas ? "," : " ",
		    v.v[i]);
	strv_release(&v);
}

static int
dnsbl_plan(struct step_ctx *ctx, const struct settings *set, struct plan *p,
    char **cause)
{
	const char *zones = settings_get(set, "zones");
	const char *server = settings_get(set, "server");
	const char *addrs = settings_get(set, "addresses");
	struct periodic_job job = { "dnsbl", "check the DNS blocklists",
	    NULL, NULL, settings_long(set, "interval", 21600) };
	struct buf args;
	int r;

	buf_init(&args);
	buf_adds(&args, "--check-dnsbl");
	if (zones != NULL && *zones != '\0')
		add_list(&args, " --zones ", zones, true);
	/* One server: the first of the list. */
	if (server != NULL && *server != '\0')
		buf_addf(&args, " --server %.*s", (int)strcspn(server, " "),
		    server);
	if (addrs != NULL && *addrs != '\0')
		add_list(&args, " ", addrs, false);
	job.args = buf_str(&args);
	r = plan_periodic(p, ctx->id, &job, cause);
	buf_release(&args);
	return r;
}

static int
dnsbl_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	if (!periodic_installed(ctx->root, "dnsbl"))
		audit_finding(a, _("blocklist check"), _("none"),
		    _("every 6 hours"));
	settings_set(&a->current, "interval", "21600");
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_dnsbl = {
	.id = "dnsbl",
	.title = N_("Blocklist check"),
	.help = N_("A timer runs 'hardenwiz --check-dnsbl' every interval: it "
	    "asks the DNS blocklists whether this server's addresses are "
	    "listed, logs a listing to the mail log with the list's reason "
	    "and removal page, and fails. Lists that fail their own test, "
	    "and refusals such as Spamhaus's answer to a public resolver, are "
	    "reported, never counted as a listing. Run 'hardenwiz "
	    "--check-dnsbl' any time to see it now."),
	.questions = dnsbl_questions,
	.nquestions = nitems(dnsbl_questions),
	.audit = dnsbl_audit,
	.plan = dnsbl_plan,
};
