/*
 * spamassassin/spamassassin.c -- spamass-milter and spamd. See
 * spamassassin.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "listening.h"
#include "run.h"
#include "spamassassin/spamassassin.h"
#include "stage.h"

const struct expect_kind spamass_value = { &spamass_checker, false, false };
/* Probes: the milter at KEY answers; spamd answers spamc. */
static const struct expect_kind spamass_listening = { &spamass_checker,
	true, false };
static const struct expect_kind spamd_answers = { &spamass_checker, true,
	false };

bool
spamass_present(const char *root)
{
	return fs_exists(root, "/usr/sbin/spamass-milter") &&
	    fs_exists(root, "/usr/sbin/spamd");
}

/* WORD is one of the options hardenwiz sets; *ARG: it takes the next. */
static bool
ours(const char *word, bool *arg)
{
	*arg = strcmp(word, "-r") == 0 || strcmp(word, "-i") == 0;
	return *arg || strcmp(word, "-m") == 0 || strcmp(word, "-I") == 0 ||
	    str_has_prefix(word, "-r") || str_has_prefix(word, "-i");
}

char *
spamass_options(const char *current, bool outbound)
{
	struct strv words;
	struct buf b;
	char *text = xstrdup(current != NULL ? current : ""), *w, *save = NULL;
	bool skip = false, arg;

	strv_init(&words);
	buf_init(&b);
	for (w = strtok_r(text, " \t\"'", &save); w != NULL;
	    w = strtok_r(NULL, " \t\"'", &save)) {
		if (skip)
			skip = false;
		else if (ours(w, &arg))
			skip = arg;
		else
			strv_add(&words, w);
	}
	for (size_t i = 0; i < words.n; i++)
		buf_addf(&b, "%s ", words.v[i]);
	buf_adds(&b, "-m -r 15");
	if (!outbound)
		buf_adds(&b, " -I -i 127.0.0.1");
	strv_release(&words);
	free(text);
	return buf_detach(&b, NULL);
}

void
spamass_plan_restart(struct plan *p, const char *step,
    const char *spamd_unit)
{
	char *restart[] = { "systemctl", "restart", "spamass-milter", NULL };
	char *enable[] = { "systemctl", "enable", "--now", (char *)spamd_unit,
	    NULL };
	char *disable[] = { "systemctl", "disable", "--now",
	    (char *)spamd_unit, NULL };

	if (spamd_unit != NULL)
		plan_command(p, step, enable, disable, _("start spamd, which "
		    "scores each message, and at every boot"));
	if (!plan_has_command(p, restart))
		plan_command(p, step, restart, restart, _("spamass-milter "
		    "reads its settings again"))->order = ORDER_ACTIVATE;
	plan_resync(p, restart);
	plan_expect(p, step, &spamass_listening, SPAMASS_MILTER,
	    "spamass-milter", "yes", NULL, NULL);
	plan_expect(p, step, &spamd_answers, "spamd", "spamd", "yes", NULL,
	    NULL);
}

/* What the init script reads: the file sourced, its variables printed. */
static const char reader[] =
    ". \"$1\" && printf 'SOCKET=%s\\nOPTIONS=%s\\n' \"$SOCKET\" \"$OPTIONS\"";

/* Source the candidate (the file as it is after apply) with sh. */
static int
check_file(struct plan *p, char **cause)
{
	char *stage = NULL, *copy = NULL;
	char *argv[] = { "sh", "-c", (char *)reader, "sh", NULL, NULL };
	struct run_opts ro = { .timeout = 30 };
	struct buf out;
	bool exists;
	int status = 0, r = CHECK_FAILED;

	buf_init(&out);
	if (stage_file(p, SPAMASS_DEFAULT, &stage, &copy, &exists,
	    cause) != 0)
		goto out;
	if (!exists) {
		r = CHECK_OK;	/* a rollback removed it */
		goto out;
	}
	argv[4] = copy;
	if (run_argv(argv, &ro, &out, &status, cause) != 0)
		goto out;
	if (status != 0) {
		/* sh names the copy: say the root's file. */
		char *said = str_replace(trim(buf_str(&out)), copy,
		    SPAMASS_DEFAULT);

		set_cause(cause, _("spamass-milter's start script cannot read "
		    "%s: %s"), SPAMASS_DEFAULT, said);
		free(said);
		r = CHECK_REJECTED;
	} else
		r = dump_expected(p, &spamass_value, buf_str(&out),
		    _("spamass-milter's start script"), SPAMASS_DEFAULT, cause);
out:
	stage_remove(stage);
	free(copy);
	buf_release(&out);
	return r;
}

/* spamc's ping: spamd answers. */
static bool
spamd_pong(void)
{
	char *argv[] = { "spamc", "-K", NULL };
	struct run_opts ro = { .timeout = 30 };
	int status = 0;

	return run_argv(argv, &ro, NULL, &status, NULL) == 0 && status == 0;
}

static int
spamass_check(struct plan *p, bool candidates, char **cause)
{
	int r;

	if ((r = check_file(p, cause)) != CHECK_OK || candidates ||
	    p->offline)
		return r;
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];

		if (e->kind == &spamass_listening &&
		    !milter_answers(e->key, 60)) {
			set_cause(cause, _("spamass-milter does not answer as "
			    "a milter on %s after its restart: Postfix would "
			    "pass every message unfiltered (see journalctl -u "
			    "spamass-milter)"), e->key);
			return CHECK_REJECTED;
		}
		if (e->kind == &spamd_answers && !spamd_pong()) {
			set_cause(cause, "%s", _("spamd does not answer spamc "
			    "-K: spamass-milter would pass every message "
			    "unscored (see journalctl -u spamd)"));
			return CHECK_REJECTED;
		}
	}
	return CHECK_OK;
}

const struct checker spamass_checker = { "spamass-milter", spamass_check };
