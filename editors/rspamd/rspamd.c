/*
 * rspamd/rspamd.c -- Rspamd's own tool as the checker. See rspamd.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "listening.h"
#include "rspamd/rspamd.h"
#include "run.h"
#include "stage.h"

bool
rspamd_present(const char *root)
{
	return fs_exists(root, RSPAMD_DIR "/rspamd.conf");
}

void
rspamd_plan_reload(struct plan *p, const char *step)
{
	char *argv[] = { "systemctl", "reload-or-restart", "rspamd", NULL };

	if (!plan_has_command(p, argv))
		plan_command(p, step, argv, argv, _("Rspamd reads its "
		    "configuration again"))->order = ORDER_ACTIVATE;
	plan_expect(p, step, &rspamd_listening, RSPAMD_MILTER,
	    "rspamd_proxy", "yes", NULL, NULL);
}

/*
 * What rspamadm said that matters: its error lines, without the failed
 * name lookups of fuzzy servers it reports on a machine without DNS, and
 * with the stage's name replaced by the root's.
 */
static char *
said(char *out, const char *dir)
{
	struct strv lines;
	char *line, *save = NULL, *text;

	strv_init(&lines);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *at;

		if (strstr(line, "address resolution") != NULL ||
		    strstr(line, "servers definition") != NULL ||
		    strcmp(line, "syntax BAD") == 0)
			continue;
		if ((at = strstr(line, dir)) != NULL)
			strv_addf(&lines, "%.*s%s%s", (int)(at - line), line,
			    RSPAMD_DIR, at + strlen(dir));
		else
			strv_add(&lines, line);
	}
	text = strv_join(&lines, "; ");
	strv_release(&lines);
	return text;
}

/* rspamadm configtest of the configuration in DIR (host path). */
static int
configtest(const char *dir, char **cause)
{
	char *confdir = xasprintf("--var=CONFDIR=%s", dir);
	char *localdir = xasprintf("--var=LOCAL_CONFDIR=%s", dir);
	char *conf = xasprintf("%s/rspamd.conf", dir);
	char *argv[] = { "rspamadm", confdir, localdir, "configtest", "-c",
	    conf, NULL };
	struct run_opts ro = { .timeout = 120 };
	struct buf out;
	int status = 0, r;

	buf_init(&out);
	r = run_argv(argv, &ro, &out, &status, cause);
	if (r != 0)
		r = CHECK_FAILED;
	else if (status != 0 || strstr(buf_str(&out), "syntax BAD") != NULL) {
		char *why = said(buf_str(&out), dir);

		set_cause(cause, _("Rspamd rejects the configuration "
		    "(rspamadm configtest): %s"), why);
		free(why);
		r = CHECK_REJECTED;
	}
	buf_release(&out);
	free(confdir);
	free(localdir);
	free(conf);
	return r;
}

static int
rspamd_check(struct plan *p, bool candidates, char **cause)
{
	struct stage_rules rules = { .what = "rspamd", .dir = RSPAMD_DIR,
	    .recurse = true };
	char *tool = run_which("rspamadm"), *stage = NULL;
	int r;

	free(tool);
	/* Installed by this plan: checked after the install. */
	if (tool == NULL || !rspamd_present(p->root))
		return checker_without_tool(p, candidates, true, "Rspamd",
		    _("the Rspamd configuration"), cause);
	if (candidates || p->offline) {
		if (stage_make(p->root, candidates ? p : NULL, &rules, &stage,
		    cause) != 0)
			return CHECK_FAILED;
		r = configtest(stage, cause);
		stage_remove(stage);
		return r;
	}
	if ((r = configtest(RSPAMD_DIR, cause)) != CHECK_OK)
		return r;
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];

		if (e->kind == &rspamd_listening && !milter_answers(e->key, 60)) {
			set_cause(cause, _("Rspamd does not answer as a "
			    "milter on %s after its reload: Postfix would "
			    "pass every message unfiltered (see its log: "
			    "journalctl -u rspamd)"), e->key);
			return CHECK_REJECTED;
		}
	}
	return CHECK_OK;
}

const struct checker rspamd_checker = { "rspamd", rspamd_check };
const struct expect_kind rspamd_listening = { &rspamd_checker, true, false };
