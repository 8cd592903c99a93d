/*
 * wizard.c -- the interactive flow, written once for every frontend: main
 * menu of steps with their audit state, a step's form, the plan previewed as
 * a diff, confirmation, apply, the result; and a history menu to roll back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "journal.h"
#include "transaction.h"

char *
audit_summary(const struct audit *a)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < a->nfindings; i++)
		buf_addf(&b, "%s: %s (%s %s)\n", a->findings[i].key,
		    a->findings[i].current, _("recommended:"),
		    a->findings[i].wanted);
	for (size_t i = 0; i < a->notes.n; i++)
		buf_addf(&b, "%s\n", a->notes.v[i]);
	if (b.len == 0)
		buf_adds(&b, _("The current settings follow the "
		    "recommendations.\n"));
	return buf_detach(&b, NULL);
}

int
form_check(const struct form *f, struct settings *answers, char **cause)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct question *q = f->questions[i];
		const char *v = settings_get(answers, q->key);
		char *canon = NULL, *why = NULL;

		if (v == NULL)
			continue;
		if (v[0] == '\0' && (q->type == V_PUBKEY || q->type == V_TEXT))
			continue;	/* optional and left empty */
		if (value_parse(q, v, &canon, &why) != 0) {
			set_cause(cause, "%s: %s", _(q->label), why);
			free(why);
			return -1;
		}
		settings_set(answers, q->key, canon);
		free(canon);
	}
	return 0;
}

/* The answers a plan takes: empty optional answers mean "leave alone". */
static void
answers_to_settings(const struct step *s, const struct settings *answers,
    struct settings *out)
{
	settings_init(out);
	/* Every key the step knows: its questions and confirm_timeout. */
	for (size_t i = 0; i < answers->keys.n; i++) {
		const char *v = answers->values.v[i];

		if (step_question(s, answers->keys.v[i]) != NULL && v[0] !=
		    '\0')
			settings_set(out, answers->keys.v[i], v);
	}
}

static char *
plan_text(const struct plan *p)
{
	struct buf b;

	buf_init(&b);
	plan_render(p, NULL, &b);
	for (size_t i = 0; i < p->notes.n; i++) {
		char *m = plan_mask(p, p->notes.v[i]);

		buf_addf(&b, "# note: %s\n", m);
		free(m);
	}
	return buf_detach(&b, NULL);
}

static void
show_result(const struct frontend *fe, enum apply_status st,
    const struct apply_result *res, const char *cause)
{
	struct buf b;

	buf_init(&b);
	if (st == APPLY_OK)
		buf_addf(&b, _("Applied as transaction %s.\nUndo it from the "
		    "main menu: History and rollback.\n\n"), res->id);
	else
		buf_addf(&b, _("Nothing was changed: %s\n\n"), cause);
	for (size_t i = 0; i < res->log.n; i++)
		buf_addf(&b, "%s\n", res->log.v[i]);
	for (size_t i = 0; i < res->warnings.n; i++)
		buf_addf(&b, "%s: %s\n", _("warning"), res->warnings.v[i]);
	fe->message(st == APPLY_OK ? _("Done") : _("Not applied"), b.data);
	buf_release(&b);
}

/* A live change to SSH waits for the admin to prove a new login works. */
static void
keep_or_undo(const struct frontend *fe, const struct options *o,
    const struct apply_result *res, unsigned int timeout)
{
	char *text = xasprintf(_("Open a NEW terminal now and log in to this "
	    "server. Does it work?\n\nYes keeps the change. No rolls it back "
	    "now. If this session is lost, the change is rolled back by "
	    "itself after %u seconds."), timeout);
	char *cause = NULL;
	int count = 0;

	if (fe->confirm(_("Keep the change?"), text)) {
		if (txn_confirm(o->root, &count, &cause) != 0)
			fe->message(_("Error"), cause);
		else if (count == 0)
			fe->message(_("Too late"), _("The change was already "
			    "rolled back by the timer."));
	} else {
		struct strv warnings;

		strv_init(&warnings);
		if (txn_rollback(o->root, res->id, true, false, true, NULL,
		    &warnings, &cause) != 0)
			fe->message(_("Error"), cause);
		else
			fe->message(_("Rolled back"), _("The change was rolled "
			    "back."));
		strv_release(&warnings);
	}
	free(cause);
	free(text);
}

bool
review_and_apply(const struct frontend *fe, const struct options *o,
    struct plan *p, const char *title, unsigned int timeout)
{
	struct apply_result res;
	struct apply_opts dry = { .dry_run = true };
	char *cause = NULL, *text;
	enum apply_status st;
	bool applied = false;

	apply_result_init(&res);
	if (p->refusal != NULL)
		fe->message(_("Refused: that would lock you out"), p->refusal);
	else if (plan_is_empty(p))
		fe->message(_("Nothing to change"), _("The system already has "
		    "these settings."));
	else if (apply_plan(p, &dry, &res, &cause) != APPLY_OK)
		fe->message(_("Rejected by the validator"), cause);
	else {
		text = plan_text(p);
		if (fe->preview(title, text) == FE_OK && fe->confirm(_("Apply"),
		    _("Apply these changes now? Every file is kept in the "
		    "journal and can be rolled back."))) {
			apply_result_release(&res);
			apply_result_init(&res);
			st = txn_apply(p, p->offline ? 0 : timeout, o->self,
			    &res, &cause);
			show_result(fe, st, &res, cause);
			if (st == APPLY_OK && res.pending)
				keep_or_undo(fe, o, &res, timeout);
			applied = true;
		}
		free(text);
	}
	apply_result_release(&res);
	free(cause);
	return applied;
}

static void
fe_progress(void *arg, int percent, const char *what)
{
	const struct frontend *fe = arg;

	fe->gauge(percent, what);
}

/*
 * The step's work before planning (an upgrade), when its answers ask for
 * it: what it would do is shown and done only when the admin says so,
 * under a gauge, and what it did is shown. False: it failed (the step is
 * not planned on a half-known system).
 */
static bool
before_flow(const struct frontend *fe, const struct options *o,
    const struct step *s, const struct settings *set)
{
	struct progress pr = { fe_progress, (void *)fe };
	struct strv report;
	char *cause = NULL, *said, *text;
	bool ok = true;

	strv_init(&report);
	if (s->before == NULL || before_steps(o->root, &s, &set, 1, true,
	    NULL, &report, &cause) != 0 || report.n == 0) {
		if (cause != NULL)
			fe->message(_("Cannot do it"), cause);
		ok = cause == NULL;
		goto out;
	}
	said = strv_join(&report, "\n");
	text = xasprintf("%s\n\n%s", said, _("Do it now, before this "
	    "step's changes are worked out? No: go on without it."));
	if (o->root[1] != '\0')	/* said "skipped (offline root)" */
		fe->message(_(s->title), said);
	else if (fe->confirm(_(s->title), text)) {
		strv_release(&report);
		strv_init(&report);
		fe->gauge_open(_(s->title));
		ok = before_steps(o->root, &s, &set, 1, false, &pr, &report,
		    &cause) == 0;
		fe->gauge_close();
		free(said);
		said = strv_join(&report, "\n");
		fe->message(ok ? _(s->title) : _("Failed: nothing else was "
		    "changed"), ok ? said : cause);
	}
	free(said);
	free(text);
out:
	free(cause);
	strv_release(&report);
	return ok;
}

static void
step_flow(const struct frontend *fe, const struct options *o,
    const struct step *s, const struct audit *a)
{
	struct settings answers;
	bool live = strcmp(o->root, "/") == 0, done = false;
	const struct question **qs = xcalloc(s->nquestions + 1, sizeof *qs);
	struct form f = { s, a, qs, step_form_questions(s, live, qs) };

	settings_init(&answers);
	for (size_t i = 0; i < a->current.keys.n; i++)
		settings_set(&answers, a->current.keys.v[i],
		    a->current.values.v[i]);
	if (live) {
		char *t = xasprintf("%u", step_confirm_default(s));

		settings_set(&answers, "confirm_timeout", t);
		free(t);
	}
	while (!done && fe->form(&f, &answers) == FE_OK) {
		struct settings set;
		const struct settings *setp;
		struct plan p;
		char *cause = NULL;

		answers_to_settings(s, &answers, &set);
		setp = &set;
		plan_init(&p, o->root);
		if (!before_flow(fe, o, s, setp))
			;	/* said; the form again */
		else if (plan_steps(o->root, &s, &setp, 1, &p, &cause) != 0)
			fe->message(_("Cannot plan"), cause);
		else
			done = review_and_apply(fe, o, &p, _(s->title),
			    step_confirm_timeout(s, &set));
		plan_release(&p);
		settings_release(&set);
		free(cause);
	}
	settings_release(&answers);
	free(qs);
}

static void
history_flow(const struct frontend *fe, const struct options *o)
{
	json_t *list = NULL, *e;
	char *cause = NULL;
	struct strv items;
	size_t choice = 0, n;

	if (journal_history(o->root, &list, &cause) != 0) {
		fe->message(_("Error"), cause);
		free(cause);
		return;
	}
	n = json_array_size(list);
	if (n == 0) {
		fe->message(_("History"), _("No transactions yet."));
		json_decref(list);
		return;
	}
	strv_init(&items);
	for (size_t i = n; i-- > 0;) {	/* newest first */
		json_t *steps;
		size_t k;
		struct buf b;

		e = json_array_get(list, i);
		buf_init(&b);
		buf_addf(&b, "%s  %-12s", json_string_value(json_object_get(e,
		    "id")), json_string_value(json_object_get(e, "state")));
		steps = json_object_get(e, "steps");
		for (k = 0; k < json_array_size(steps); k++)
			buf_addf(&b, " %s", json_string_value(
			    json_array_get(steps, k)));
		strv_add(&items, b.data);
		buf_release(&b);
	}
	if (fe->menu(_("History and rollback"), _("Choose a transaction to "
	    "roll back."), items.v, items.n, &choice) == FE_OK) {
		const char *id = json_string_value(json_object_get(
		    json_array_get(list, n - 1 - choice), "id"));
		char *q = xasprintf(_("Roll back transaction %s? Its files get "
		    "their old content, mode and owner back, and its commands "
		    "are undone."), id);
		struct strv warnings;

		strv_init(&warnings);
		if (fe->confirm(_("Roll back"), q)) {
			if (txn_rollback(o->root, id, false, false, false, NULL,
			    &warnings, &cause) != 0)
				fe->message(_("Not rolled back"), cause);
			else
				fe->message(_("Rolled back"), id);
		}
		strv_release(&warnings);
		free(q);
	}
	strv_release(&items);
	json_decref(list);
	free(cause);
}

static const struct frontend *
pick_frontend(const struct options *o)
{
	const char *term = getenv("TERM");

	if (o->plain || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    term == NULL || strcmp(term, "dumb") == 0)
		return &plain_frontend;
	return &newt_frontend;
}

int
wizard_main(const struct options *o)
{
	const struct frontend *fe = pick_frontend(o);
	const struct step **steps = NULL;
	size_t n = 0, choice = 0;
	char *cause = NULL;

	if (steps_select(o->only, &steps, &n, &cause) != 0) {
		fprintf(stderr, "hardenwiz: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (fe->start() != 0) {
		free(steps);
		return EXIT_RUNTIME;
	}
	/* First thing on screen: nothing else may change a half-applied tree. */
	if (txn_refuse_interrupted(o->root, &cause) != 0) {
		char *text = xasprintf("%s\n\n%s", cause, _("Choose \"History "
		    "and rollback\" to undo it."));

		fe->message(_("An earlier run was interrupted"), text);
		free(text);
		free(cause);
		cause = NULL;
	}
	for (;;) {
		struct audit *audits = xcalloc(n, sizeof *audits);
		struct strv items;
		enum fe_answer ans;
		/* The views after the steps, in the menu's order. */
		void (*views[3])(const struct frontend *,
		    const struct options *);
		size_t nviews = 0;
		bool postfix = postfix_present(o->root);

		for (size_t i = 0; i < n; i++)
			audit_init(&audits[i]);
		audit_steps(o->root, steps, n, true, audits);
		strv_init(&items);
		for (size_t i = 0; i < n; i++)
			strv_addf(&items, "%-28s [%s]", _(steps[i]->title),
			    step_state_name(audits[i].state));
		if (postfix) {	/* the log: under --root too */
			strv_add(&items, _("Mail health: who sends, who "
			    "abuses"));
			views[nviews++] = mail_flow;
		}
		if (postfix && o->root[1] == '\0') {	/* the live queue */
			strv_add(&items, _("Mail queue: inspect, hold, "
			    "delete"));
			views[nviews++] = queue_flow;
		}
		strv_add(&items, _("History and rollback"));
		views[nviews++] = history_flow;
		strv_add(&items, _("Quit"));
		ans = fe->menu(_("hardenwiz"), o->root[1] == '\0' ?
		    _("Harden this server. Pick a step; every change is shown "
		    "before it is made.") : _("Harden the system under --root. "
		    "Pick a step; every change is shown before it is made."),
		    items.v, items.n, &choice);
		strv_release(&items);
		if (ans == FE_OK && choice < n)
			step_flow(fe, o, steps[choice], &audits[choice]);
		else if (ans == FE_OK && choice < n + nviews)
			views[choice - n](fe, o);
		for (size_t i = 0; i < n; i++)
			audit_release(&audits[i]);
		free(audits);
		if (ans != FE_OK || choice >= n + nviews)
			break;
	}
	fe->stop();
	free(steps);
	return EXIT_OK;
}
