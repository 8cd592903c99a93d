/*
 * spamfilter.c -- filter spam in and, above all, out: a stolen password or
 * a hacked web form sending spam through this server is what gets its
 * address blocklisted.
 *
 * Rspamd (Debian's package, installed when missing) is a milter Postfix
 * asks about every message: those from outside (smtpd_milters) and, with
 * outbound = yes, those this server's users send by SMTP AUTH (the same
 * milters) and by sendmail (non_smtpd_milters). Its proxy worker already
 * runs in milter mode on localhost:11332 in the rspamd.conf the package
 * ships; the step's settings go in local.d files it owns whole, which
 * Rspamd merges over its own, and an admin's file of the same name is
 * never overwritten (refused, with what to do). Rspamd comes first in
 * each milter list, so that every other milter, OpenDKIM above all, sees
 * the message as it leaves (a signature made before a filter adds a
 * header would break), and milter_default_action = accept keeps mail
 * flowing while Rspamd is down. Rspamd's own check (rspamadm configtest)
 * judges the candidate, and after a reload its proxy must accept
 * connections again, or the change is rolled back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "rspamd/rspamd.h"
#include "step.h"

static const char *const engines[] = { "rspamd", "spamassassin", NULL };

static const struct aug_file spamfilter_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker, NULL },
};

static const struct question spamfilter_questions[] = {
	{ "engine", V_CHOICE, N_("Spam filter"),
	  N_("rspamd: Rspamd as a milter (installed when missing). "
	     "spamassassin (spamass-milter) is not built in this version."),
	  engines, 0, 0, 0 },
	{ "outbound", V_BOOL, N_("Filter the mail this server sends"),
	  N_("Scan the mail your users send (SMTP AUTH, and sendmail from "
	     "web applications) as well as the mail that comes in: spam from "
	     "a stolen password is rejected before it leaves and gets this "
	     "server blocklisted."), NULL, 0, 0, 0 },
};

#define OWNED_MARK	"# Written by hardenwiz (spamfilter). Rspamd merges " \
	"this over its own\n# settings; roll back with hardenwiz.\n"

static const char actions_conf[] =
	"# Reject at 15, mark (X-Spam headers) at 6: Rspamd's own scores,\n"
	"# written down. No greylisting: it needs Redis, which is not set\n"
	"# up here, and would only delay mail.\n"
	"reject = 15;\n"
	"add_header = 6;\n"
	"greylist = null;\n";

static const char headers_conf[] =
	"# Incoming mail says what Rspamd found.\n"
	"use = [\"x-spamd-bar\", \"x-spam-status\", "
	"\"authentication-results\"];\n";

static const char dkim_conf[] =
	"# OpenDKIM signs this server's mail (hardenwiz's [dns] step), after\n"
	"# Rspamd in Postfix's milter order: no second signature from Rspamd.\n"
	"enabled = false;\n";

static const char settings_out[] =
	"# outbound = yes: mail from logged-in users (SMTP AUTH) is filtered\n"
	"# like any other, so a stolen password cannot send spam unseen.\n";

static const char settings_in[] =
	"# outbound = no: mail from logged-in users (SMTP AUTH) is not\n"
	"# filtered.\n"
	"authenticated {\n"
	"  priority = high;\n"
	"  authenticated = yes;\n"
	"  want_spam = yes;\n"
	"}\n";

/* Plan local.d/NAME to hold BODY, unless an admin wrote that file. */
static int
plan_owned(struct step_ctx *ctx, struct plan *p, const char *name,
    const char *body, char **cause)
{
	char *path = xasprintf("%s/%s", RSPAMD_LOCAL, name);
	char *text = xasprintf("%s%s", OWNED_MARK, body);
	struct fs_file f;
	int r;

	if ((r = fs_read(ctx->root, path, &f, cause)) == 0 && f.exists &&
	    !str_has_prefix(f.data, OWNED_MARK))
		r = set_cause(cause, _("%s holds settings hardenwiz did not "
		    "write, and it does not overwrite them: move them to %s "
		    "(which wins over local.d) or remove the file, and run "
		    "again"), path, RSPAMD_DIR "/override.d/");
	else if (r == 0)
		r = plan_file(p, ctx->id, path, text, strlen(text), 0644, 0, 0,
		    &rspamd_checker, cause);
	fs_file_release(&f);
	free(text);
	free(path);
	return r;
}

static int
plan_rspamd_files(struct step_ctx *ctx, struct plan *p, bool outbound,
    char **cause)
{
	if (!fs_exists(ctx->root, RSPAMD_LOCAL))
		plan_parents(p, ctx->id, RSPAMD_LOCAL "/actions.conf");
	if (plan_owned(ctx, p, "actions.conf", actions_conf, cause) != 0 ||
	    plan_owned(ctx, p, "milter_headers.conf", headers_conf,
	    cause) != 0 ||
	    plan_owned(ctx, p, "dkim_signing.conf", dkim_conf, cause) != 0 ||
	    plan_owned(ctx, p, "settings.conf", outbound ? settings_out :
	    settings_in, cause) != 0)
		return -1;
	return 0;
}

/* Rspamd first in Postfix's milter lists; accept while it is down. */
static int
plan_postfix(struct step_ctx *ctx, struct plan *p, bool outbound,
    char **cause)
{
	size_t before = p->nchanges;

	if (postfix_plan_milter(ctx->augs, p, ctx->id, "smtpd_milters",
	    RSPAMD_MILTER, true, true, cause) != 0 ||
	    postfix_plan_milter(ctx->augs, p, ctx->id, "non_smtpd_milters",
	    RSPAMD_MILTER, outbound, true, cause) != 0 ||
	    postfix_set_main(ctx->augs, p, ctx->id, "milter_default_action",
	    "accept", cause) != 0 ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		return -1;
	if (p->nchanges != before || plan_find_file(p, POSTFIX_MAIN) != NULL)
		postfix_plan_reload(p, ctx->id);
	return 0;
}

static int
spamfilter_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	const char *engine = settings_get(set, "engine");
	bool outbound = settings_bool(set, "outbound", true);
	size_t before;

	if (engine != NULL && strcmp(engine, "spamassassin") == 0)
		return set_cause(cause, "%s", _("engine = spamassassin "
		    "(spamass-milter) is not built in this version: use "
		    "engine = rspamd"));
	if (postfix_skip_step(p, ctx->id))
		return 0;
	if (!rspamd_present(ctx->root) && plan_package(p, ctx->id, ctx->os,
	    "rspamd", NULL, _("the spam filter"), cause) != 0)
		return -1;
	before = p->nchanges;
	if (plan_rspamd_files(ctx, p, outbound, cause) != 0)
		return -1;
	if (p->nchanges != before || !rspamd_present(ctx->root))
		rspamd_plan_reload(p, ctx->id);
	if (plan_postfix(ctx, p, outbound, cause) != 0)
		return -1;
	if (!outbound)
		plan_note(p, "%s", _("outbound = no: mail your users send is "
		    "not filtered; spam from a stolen password leaves "
		    "unseen"));
	return 0;
}

/* KEY's milter list in ROOT names Rspamd. */
static bool
lists_rspamd(const char *root, const char *key)
{
	char *v = postfix_param(root, key, true);
	bool yes = v != NULL && strstr(v, RSPAMD_MILTER) != NULL;

	free(v);
	return yes;
}

static int
spamfilter_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	(void)cause;
	settings_set(&a->current, "engine", "rspamd");
	settings_set(&a->current, "outbound", lists_rspamd(ctx->root,
	    "non_smtpd_milters") || !lists_rspamd(ctx->root,
	    "smtpd_milters") ? "yes" : "no");
	if (audit_without_postfix(ctx->root, a))
		return 0;
	if (!rspamd_present(ctx->root))
		audit_finding(a, "rspamd", _("not installed"),
		    _("installed, a milter"));
	if (!lists_rspamd(ctx->root, "smtpd_milters"))
		audit_finding(a, "smtpd_milters", _("no spam filter"),
		    RSPAMD_MILTER);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_spamfilter = {
	.id = "spamfilter",
	.title = N_("Spam filter"),
	.help = N_("Rspamd scans the mail that comes in and the mail your "
	    "users send (installed when missing), as a milter Postfix asks "
	    "first, before OpenDKIM signs. Mail still flows if Rspamd is "
	    "down. Its settings go in files hardenwiz owns under "
	    "/etc/rspamd/local.d; rspamadm configtest checks them, and "
	    "after a reload Rspamd must accept connections again or the "
	    "change is rolled back."),
	.files = spamfilter_files,
	.nfiles = nitems(spamfilter_files),
	.questions = spamfilter_questions,
	.nquestions = nitems(spamfilter_questions),
	.audit = spamfilter_audit,
	.plan = spamfilter_plan,
};
