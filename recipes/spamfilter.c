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
 *
 * SpamAssassin is the other engine: spamass-milter (Debian's package)
 * asks spamd, its settings are the variables of its start script
 * (spamassassin/). Each engine is a row of a table: its milter, whether
 * it is installed, and the plan of its own settings; the step puts the
 * chosen one first in Postfix's lists and takes the other out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "rspamd/rspamd.h"
#include "spamassassin/spamassassin.h"
#include "step.h"
#include "sysinfo.h"
#include "systemd/units.h"

static const char *const engines[] = { "rspamd", "spamassassin", NULL };

static const struct aug_file spamfilter_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
	{ "Shellvars.lns", SPAMASS_DEFAULT, 0644, &spamass_checker,
	  NULL, false },
};

static const struct question spamfilter_questions[] = {
	{ "engine", V_CHOICE, N_("Spam filter"),
	  N_("rspamd: Rspamd as a milter. spamassassin: SpamAssassin's "
	     "spamd through spamass-milter. Installed when missing; the "
	     "other one is taken out of Postfix's milters."),
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

/* ---- the engines ---- */

static int
plan_rspamd(struct step_ctx *ctx, struct plan *p, bool outbound,
    bool *ready, char **cause)
{
	size_t before;

	*ready = true;
	if (!rspamd_present(ctx->root) && plan_package(p, ctx->id, ctx->os,
	    "rspamd", NULL, _("the spam filter"), cause) != 0)
		return -1;
	before = p->nchanges;
	if (plan_rspamd_files(ctx, p, outbound, cause) != 0)
		return -1;
	if (p->nchanges != before || !rspamd_present(ctx->root))
		rspamd_plan_reload(p, ctx->id);
	return 0;
}

/*
 * spamd runs, and starts at boot (under a root: its enable link). Debian
 * 12 and later name its unit spamd.service, Debian 11 spamassassin.service;
 * with neither, how it starts is not known here: said, and left alone.
 */
static int
spamd_on(struct step_ctx *ctx, struct plan *p, const char **unit,
    bool *on, char **cause)
{
	bool live = !p->offline && systemd_running(p->root);
	struct unit_state st;

	*unit = "spamd.service";
	if (unit_state(ctx->root, live, *unit, &st, cause) != 0)
		return -1;
	if (!st.exists) {
		*unit = "spamassassin.service";
		if (unit_state(ctx->root, live, *unit, &st, cause) != 0)
			return -1;
	}
	*on = !st.exists || (st.enabled && (p->offline || st.active));
	if (!st.exists)
		plan_note(p, "%s", _("spamd has no systemd unit here: make "
		    "sure it runs, or every message passes unscored"));
	return 0;
}

/* VALUE quoted, as the start script's sh reads it. */
static int
set_var(struct step_ctx *ctx, const char *key, const char *value,
    char **cause)
{
	char *quoted = xasprintf("\"%s\"", value);
	int r = augs_set(ctx->augs, SPAMASS_DEFAULT, key, quoted, cause);

	free(quoted);
	return r;
}

/*
 * SpamAssassin. Its start script's file comes with the package: a run
 * that installs it asks for another (*READY false: Postfix is not told
 * about a milter that is not set up yet).
 */
static int
plan_spamass(struct step_ctx *ctx, struct plan *p, bool outbound,
    bool *ready, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	const char *now = NULL, *unit;
	char *options;
	size_t before = p->nchanges;
	bool on;
	int r;

	*ready = false;
	if (!spamass_present(ctx->root)) {
		if (plan_package(p, ctx->id, ctx->os, "spamass-milter", NULL,
		    _("the milter that asks SpamAssassin"), cause) != 0 ||
		    plan_package(p, ctx->id, ctx->os, "spamd", NULL,
		    _("SpamAssassin's daemon"), cause) != 0)
			return -1;
		plan_note(p, "%s", _("spamass-milter's settings come with the "
		    "package: run hardenwiz again after this run to set it up "
		    "and put it in Postfix's milters"));
		return 0;
	}
	if (aug_match(aug, "/files" SPAMASS_DEFAULT, NULL) != 1)
		return set_cause(cause, _("%s is missing: reinstall "
		    "spamass-milter (apt-get install --reinstall "
		    "spamass-milter)"), SPAMASS_DEFAULT);
	(void)aug_get(aug, "/files" SPAMASS_DEFAULT "/OPTIONS", &now);
	options = spamass_options(now, outbound);
	r = set_var(ctx, "OPTIONS", options, cause);
	if (r == 0)
		r = set_var(ctx, "SOCKET", SPAMASS_SOCKET, cause);
	plan_expect(p, ctx->id, &spamass_value, "OPTIONS", "OPTIONS",
	    options, NULL, NULL);
	plan_expect(p, ctx->id, &spamass_value, "SOCKET", "SOCKET",
	    SPAMASS_SOCKET, NULL, NULL);
	free(options);
	if (r != 0 || augs_collect(ctx->augs, p, ctx->id, cause) != 0 ||
	    spamd_on(ctx, p, &unit, &on, cause) != 0)
		return -1;
	if (p->nchanges != before || !on)
		spamass_plan_restart(p, ctx->id, on ? NULL : unit);
	*ready = true;
	return 0;
}

struct engine {
	const char	*name;		/* engine = NAME */
	const char	*milter;	/* as Postfix names it */
	bool		(*present)(const char *root);
	/* Its own settings, (re)start and probes; *READY: Postfix may ask. */
	int		(*plan)(struct step_ctx *, struct plan *, bool outbound,
			    bool *ready, char **cause);
};

static const struct engine engine_table[] = {
	{ "rspamd", RSPAMD_MILTER, rspamd_present, plan_rspamd },
	{ "spamassassin", SPAMASS_MILTER, spamass_present, plan_spamass },
};

/*
 * E first in Postfix's milter lists, every other engine out of them;
 * accept while the filter is down.
 */
static int
plan_postfix(struct step_ctx *ctx, struct plan *p, const struct engine *e,
    bool outbound, char **cause)
{
	size_t before = p->nchanges;

	for (size_t i = 0; i < nitems(engine_table); i++) {
		const struct engine *o = &engine_table[i];

		if (postfix_plan_milter(ctx->augs, p, ctx->id, "smtpd_milters",
		    o->milter, o == e, true, cause) != 0 ||
		    postfix_plan_milter(ctx->augs, p, ctx->id,
		    "non_smtpd_milters", o->milter, o == e && outbound, true,
		    cause) != 0)
			return -1;
	}
	if (postfix_set_main(ctx->augs, p, ctx->id, "milter_default_action",
	    "accept", cause) != 0 ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		return -1;
	if (p->nchanges != before || plan_find_file(p, POSTFIX_MAIN) != NULL)
		postfix_plan_reload(p, ctx->id);
	return 0;
}

static const struct engine *
engine_named(const char *name)
{
	for (size_t i = 0; i < nitems(engine_table); i++)
		if (strcmp(engine_table[i].name, name) == 0)
			return &engine_table[i];
	return NULL;
}

static int
spamfilter_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	const char *name = settings_get(set, "engine");
	const struct engine *e = engine_named(name != NULL ? name : "rspamd");
	bool outbound = settings_bool(set, "outbound", true), ready;

	if (e == NULL)
		return set_cause(cause, _("engine = %s: rspamd or "
		    "spamassassin"), name);
	if (postfix_skip_step(p, ctx->id))
		return 0;
	if (e->plan(ctx, p, outbound, &ready, cause) != 0 ||
	    (ready && plan_postfix(ctx, p, e, outbound, cause) != 0))
		return -1;
	if (!outbound)
		plan_note(p, "%s", _("outbound = no: mail your users send is "
		    "not filtered; spam from a stolen password leaves "
		    "unseen"));
	return 0;
}

/* LIST (a milter list as postconf prints it, may be NULL) names MILTER. */
static bool
lists(const char *list, const char *milter)
{
	return list != NULL && strstr(list, milter) != NULL;
}

static int
spamfilter_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	const struct engine *e = &engine_table[0];
	/* Each list asked of postconf once. */
	char *smtpd = postfix_param(ctx->root, "smtpd_milters", true);
	char *local = postfix_param(ctx->root, "non_smtpd_milters", true);
	bool in_smtpd;

	(void)cause;
	/* The engine Postfix asks now, else the default. */
	for (size_t i = 0; i < nitems(engine_table); i++)
		if (lists(smtpd, engine_table[i].milter))
			e = &engine_table[i];
	in_smtpd = lists(smtpd, e->milter);
	settings_set(&a->current, "engine", e->name);
	settings_set(&a->current, "outbound", lists(local, e->milter) ||
	    !in_smtpd ? "yes" : "no");
	free(smtpd);
	free(local);
	if (audit_without_postfix(ctx, a))
		return 0;
	if (!e->present(ctx->root))
		audit_finding(a, e->name, _("not installed"),
		    _("installed, a milter"));
	if (!in_smtpd)
		audit_finding(a, "smtpd_milters", _("no spam filter"),
		    e->milter);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	return 0;
}

const struct step step_spamfilter = {
	.id = "spamfilter",
	.title = N_("Spam filter"),
	.help = N_("Rspamd (or SpamAssassin) scans the mail that comes in "
	    "and the mail your users send (installed when missing), as a "
	    "milter Postfix asks first, before OpenDKIM signs. Mail still "
	    "flows if the filter is down. Rspamd's settings go in files "
	    "hardenwiz owns under /etc/rspamd/local.d, checked by rspamadm "
	    "configtest; SpamAssassin's in /etc/default/spamass-milter, read "
	    "back as its start script reads it. After the restart the "
	    "filter must answer, or the change is rolled back."),
	.files = spamfilter_files,
	.nfiles = nitems(spamfilter_files),
	.questions = spamfilter_questions,
	.nquestions = nitems(spamfilter_questions),
	.audit = spamfilter_audit,
	.prefetch = postfix_prefetch,
	.plan = spamfilter_plan,
};
