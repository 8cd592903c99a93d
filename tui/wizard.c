/*
 * wizard.c -- the interactive flow, written once for every frontend: main
 * menu of steps with their audit state, a step's form, the plan previewed as
 * a diff, confirmation, apply, the result; and a history menu to roll back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"
#include "hardenwiz.h"
#include "fsutil.h"
#include "i18n.h"
#include "textwidth.h"
#include "postfix/postfix.h"
#include "journal.h"
#include "transaction.h"

char *
audit_summary(const struct audit *a)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < a->nfindings; i++)
		/* TRANSLATORS: a finding: setting, its value now, and the
		 * recommended one. */
		buf_addf(&b, _("%s: %s (recommended: %s)\n"),
		    a->findings[i].key, a->findings[i].current,
		    a->findings[i].wanted);
	for (size_t i = 0; i < a->notes.n; i++)
		buf_addf(&b, "%s\n", a->notes.v[i]);
	if (b.len == 0)
		buf_adds(&b, _("The current settings follow the "
		    "recommendations.\n"));
	return buf_detach(&b, NULL);
}

int
form_check(const struct form *f, struct settings *answers, char **cause,
    size_t *first)
{
	struct buf bad;
	int r = 0;

	buf_init(&bad);
	*first = 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct question *q = f->questions[i];
		const char *v = settings_get(answers, q->key);
		char *canon = NULL, *why = NULL;

		if (v == NULL)
			continue;
		if (v[0] == '\0' && (q->type == V_PUBKEY || q->type == V_TEXT))
			continue;	/* optional and left empty */
		if (value_parse(q, v, &canon, &why) != 0) {
			if (r == 0)
				*first = i;
			if (bad.len > 0)
				buf_adds(&bad, "\n");
			/* TRANSLATORS: a field's label, and what is wrong
			 * with its value or what it means. */
			buf_addf(&bad, _("%s: %s"), _(q->label), why);
			free(why);
			r = -1;
			continue;
		}
		settings_set(answers, q->key, canon);
		free(canon);
	}
	if (r != 0)
		set_cause(cause, "%s", bad.data);
	buf_release(&bad);
	return r;
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

/*
 * What this session changed, for the summary when the admin leaves: one
 * wizard runs per process, so one record. A transaction rolled back in
 * the session keeps its line, loses its advice and its recipe section.
 */
struct sess_txn {
	char		*id, *title;
	char		*recipe;	/* "[step]" section, or NULL */
	struct strv	 notes;		/* what to do next, masked */
	bool		 undone;
};

static struct {
	struct sess_txn	*v;
	size_t		 n;
} sess;

/*
 * Bumped whenever this wizard changed the system (an apply, a rollback, a
 * step's work done before planning): the menu audits again only then.
 */
static unsigned int changes;

static void
session_applied(const struct plan *p, const char *title,
    const struct apply_result *res, bool kept)
{
	struct sess_txn *t;

	sess.v = xreallocarray(sess.v, sess.n + 1, sizeof *sess.v);
	t = &sess.v[sess.n++];
	t->id = xstrdup(res->id);
	t->title = xstrdup(title);
	t->recipe = NULL;
	t->undone = !kept;
	strv_init(&t->notes);
	for (size_t i = 0; i < p->notes.n; i++) {
		char *m = plan_mask(p, p->notes.v[i]);

		strv_add(&t->notes, m);
		free(m);
	}
}

static void
session_undone(const char *id)
{
	for (size_t i = 0; i < sess.n; i++)
		if (strcmp(sess.v[i].id, id) == 0)
			sess.v[i].undone = true;
}

static void
session_release(void)
{
	for (size_t i = 0; i < sess.n; i++) {
		free(sess.v[i].id);
		free(sess.v[i].title);
		free(sess.v[i].recipe);
		strv_release(&sess.v[i].notes);
	}
	free(sess.v);
	sess.v = NULL;
	sess.n = 0;
}

/* STEP's answers as a recipe section; what a recipe never holds (the
 * relay password) is left out, with a comment saying what to give. */
static char *
answers_section(const struct step *s, const struct settings *set)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "\n[%s]\n", s->id);
	for (size_t i = 0; i < set->keys.n; i++) {
		const struct question *q = step_question(s, set->keys.v[i]);

		if (q != NULL && (q->flags & Q_WIZARD_ONLY))
			buf_addf(&b, "# %s: %s\n", set->keys.v[i],
			    _("not written here; give password_file or "
			    "password_env"));
		else
			buf_addf(&b, "%s = %s\n", set->keys.v[i],
			    set->values.v[i]);
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

/*
 * A live change to SSH waits for the admin to prove a new login works.
 * True: it stays (confirmed).
 */
static bool
keep_or_undo(const struct frontend *fe, const struct options *o,
    const struct apply_result *res, unsigned int timeout)
{
	char *text = xasprintf(_("Open a NEW terminal now and log in to this "
	    "server. Does it work?\n\nYes keeps the change. No rolls it back "
	    "now. If this session is lost, the change is rolled back by "
	    "itself after %u seconds."), timeout);
	char *cause = NULL;
	int count = 0;
	bool kept = false;

	if (fe->confirm(_("Keep the change?"), text)) {
		if (txn_confirm(o->root, &count, &cause) != 0)
			fe->message(_("Error"), cause);
		else if (count == 0)
			fe->message(_("Too late"), _("The change was already "
			    "rolled back by the timer."));
		else
			kept = true;
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
	return kept;
}

static void
fe_progress(void *arg, int percent, const char *what)
{
	const struct frontend *fe = arg;

	fe->gauge(percent, what);
}

bool
review_and_apply(const struct frontend *fe, const struct options *o,
    struct plan *p, const char *title, unsigned int timeout)
{
	struct apply_result res;
	struct apply_opts dry = { .dry_run = true };
	struct progress pr = { fe_progress, (void *)fe };
	char *cause = NULL, *text;
	enum apply_status st;
	bool applied = false;

	apply_result_init(&res);
	if (p->refusal != NULL)
		fe->message(p->lockout ? _("Refused: that would lock you out")
		    : _("Not possible yet"), p->refusal);
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
			/* Reloads and checks take seconds: the admin sees
			 * what is being done, not a blank screen. */
			fe->gauge_open(_("Applying"));
			changes++;	/* even a failed apply may leave some */
			st = txn_apply(p, p->offline ? 0 : timeout, o->self,
			    &pr, &res, &cause);
			fe->gauge_close();
			show_result(fe, st, &res, cause);
			if (st == APPLY_OK)
				session_applied(p, title, &res, !res.pending ||
				    keep_or_undo(fe, o, &res, timeout));
			applied = true;
		}
		free(text);
	}
	apply_result_release(&res);
	free(cause);
	return applied;
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
		changes++;
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

/*
 * A refusal that names its way out (install Dovecot): offered in place.
 * True: the admin took it, and the step is planned again with it.
 */
static bool
take_offer(const struct frontend *fe, const struct plan *p,
    struct settings *answers)
{
	char *text = xasprintf("%s\n\n%s", p->refusal, p->offer_label);
	bool yes = fe->confirm(_("Not possible yet"), text);

	if (yes)
		settings_set(answers, p->offer_key, p->offer_value);
	free(text);
	return yes;
}

static void
step_flow(const struct frontend *fe, const struct options *o,
    const struct step *s, const struct audit *a)
{
	struct settings answers;
	bool live = strcmp(o->root, "/") == 0, done = false, again = false;
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
	/* AGAIN: an offer was taken; plan again without the form. */
	while (!done && (again || fe->form(&f, &answers) == FE_OK)) {
		struct settings set;
		const struct settings *setp;
		struct plan p;
		char *cause = NULL;

		again = false;
		answers_to_settings(s, &answers, &set);
		setp = &set;
		plan_init(&p, o->root);
		p.wizard = true;
		if (!before_flow(fe, o, s, setp))
			;	/* said; the form again */
		else if (plan_steps(o->root, &s, &setp, 1, &p, &cause) != 0)
			fe->message(_("Cannot plan"), cause);
		else if (p.refusal != NULL && p.offer_key != NULL)
			again = take_offer(fe, &p, &answers);
		else
		{
			size_t before = sess.n;

			done = review_and_apply(fe, o, &p, _(s->title),
			    step_confirm_timeout(s, &set));
			if (sess.n > before)
				sess.v[sess.n - 1].recipe = answers_section(s,
				    &set);
		}
		plan_release(&p);
		settings_release(&set);
		free(cause);
	}
	settings_release(&answers);
	free(qs);
}

/*
 * One past transaction: what it changed (its diff), then rolling it back.
 * A file changed after it stops the rollback; that is shown above the
 * file, and rolling back anyway is offered, saying what is lost.
 */
static void
history_one(const struct frontend *fe, const struct options *o,
    const char *id)
{
	struct buf d;
	struct strv warnings;
	char *cause = NULL, *title, *q;
	bool since = false, force = false;
	int r;

	buf_init(&d);
	buf_adds(&d, "");
	if (journal_diff(o->root, id, &d, &since, &cause) != 0) {
		fe->message(_("Error"), cause);
		goto out;
	}
	title = xasprintf(_("Transaction %s"), id);
	r = fe->preview(title, d.data);
	free(title);
	if (r != FE_OK)
		goto out;
	q = xasprintf(_("Roll back transaction %s? Its files get their old "
	    "content, mode and owner back, and its commands are undone."),
	    id);
	r = fe->confirm(_("Roll back"), q);
	free(q);
	strv_init(&warnings);
	while (r) {
		r = txn_rollback(o->root, id, force, false, false, NULL,
		    &warnings, &cause) != 0;
		if (!r) {
			changes++;
			session_undone(id);
			fe->message(_("Rolled back"), id);
			break;
		}
		if (force || !since) {
			fe->message(_("Not rolled back"), cause);
			break;
		}
		q = xasprintf(_("%s\n\nSomeone changed the files marked \"was "
		    "changed after this transaction\" in the list you saw. "
		    "Rolling back anyway puts back their versions from before "
		    "transaction %s: those later changes are lost. Roll back "
		    "anyway?"), cause, id);
		r = fe->confirm(_("Changed since"), q);
		free(q);
		force = true;
	}
	strv_release(&warnings);
out:
	buf_release(&d);
	free(cause);
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
	    "see what it changed, and to roll it back."), items.v, items.n,
	    &choice) == FE_OK)
		history_one(fe, o, json_string_value(json_object_get(
		    json_array_get(list, n - 1 - choice), "id")));
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

/* Where "save these answers" writes: the admin's home, never the root. */
static char *
recipe_path(void)
{
	const char *home = getenv("HOME");
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s/hardenwiz-%s.conf", home != NULL && home[0] ==
	    '/' ? home : "/root", stamp);
}

static void
save_recipe(const struct frontend *fe)
{
	char *path = recipe_path(), *text, *cause = NULL;
	char *head = xasprintf("# %s\n", _("hardenwiz answers: apply them "
	    "elsewhere with hardenwiz --apply FILE"));
	int fd;

	text = xasprintf(_("Save the answers of this session as a recipe in "
	    "%s? hardenwiz --apply with it makes the same changes on "
	    "another server."), path);
	if (fe->confirm(_("Save these answers"), text)) {
		/* 0600, never over an existing file or through a link. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0 || write_all(fd, head, strlen(head)) != 0)
			set_cause(&cause, _("cannot write %s: %s"), path,
			    strerror(errno));
		for (size_t i = 0; i < sess.n && cause == NULL; i++)
			if (!sess.v[i].undone && sess.v[i].recipe != NULL &&
			    write_all(fd, sess.v[i].recipe,
			    strlen(sess.v[i].recipe)) != 0)
				set_cause(&cause, _("cannot write %s: %s"),
				    path, strerror(errno));
		if (cause == NULL && fsync(fd) != 0)
			set_cause(&cause, _("cannot write %s: %s"), path,
			    strerror(errno));
		if (fd >= 0 && close(fd) != 0 && cause == NULL)
			set_cause(&cause, _("cannot write %s: %s"), path,
			    strerror(errno));
		free(text);
		text = cause != NULL ? xstrdup(cause) : xasprintf(_("Saved "
		    "as %s."), path);
		fe->message(_("Save these answers"), text);
	}
	free(cause);
	free(text);
	free(head);
	free(path);
}

/*
 * Leaving (Quit, or Esc on the menu: ASKED): what this session changed,
 * what to do next (the applied changes' notes: "log in on port 2222 from
 * a new terminal"), and its answers offered as a recipe. False: the admin
 * stays.
 */
static bool
leave(const struct frontend *fe, bool asked)
{
	struct buf b;
	bool kept = false, advice = false;

	if (sess.n == 0)
		return !asked || fe->confirm(_("Quit"), _("Leave hardenwiz? "
		    "Nothing was changed in this session."));
	buf_init(&b);
	buf_addf(&b, "%s\n", _("Changed in this session:"));
	for (size_t i = 0; i < sess.n; i++) {
		buf_adds(&b, "  * ");
		buf_addf(&b, sess.v[i].undone ? _("%s: rolled back "
		    "(transaction %s)") : _("%s: applied as transaction %s"),
		    sess.v[i].title, sess.v[i].id);
		buf_adds(&b, "\n");
		kept |= !sess.v[i].undone && sess.v[i].recipe != NULL;
	}
	for (size_t i = 0; i < sess.n; i++)
		for (size_t k = 0; !sess.v[i].undone && k < sess.v[i].notes.n;
		    k++) {
			if (!advice)
				buf_addf(&b, "\n%s\n", _("Before you close this "
				    "session:"));
			advice = true;
			buf_addf(&b, "  * %s\n", sess.v[i].notes.v[k]);
		}
	buf_addf(&b, "\n%s", _("Undo any of it with hardenwiz --rollback ID "
	    "(History and rollback lists them)."));
	fe->message(_("This session"), b.data);
	buf_release(&b);
	if (kept)
		save_recipe(fe);
	return true;
}

typedef void (*view_fn)(const struct frontend *, const struct options *);

/*
 * The main menu: each step with its state ("checking" while STALE), then
 * the views, whose functions go into VIEWS (*NVIEWS of them), then Quit.
 */
static void
menu_items(const struct options *o, const struct step *const *steps,
    size_t n, const struct audit *audits, const bool *stale, bool postfix,
    struct strv *items, view_fn *views, size_t *nviews)
{
	strv_init(items);
	*nviews = 0;
	for (size_t i = 0; i < n; i++) {
		char *title = tw_pad(_(steps[i]->title), 28);

		/* TRANSLATORS: a step's state while it is being audited. */
		strv_addf(items, "%s [%s]", title, stale[i] ? _("checking") :
		    step_state_label(audits[i].state));
		free(title);
	}
	if (postfix) {	/* the log: under --root too */
		strv_add(items, _("Mail health: who sends, who abuses"));
		views[(*nviews)++] = mail_flow;
	}
	if (postfix && o->root[1] == '\0') {	/* the live queue */
		strv_add(items, _("Mail queue: inspect, hold, delete"));
		views[(*nviews)++] = queue_flow;
	}
	strv_add(items, _("History and rollback"));
	views[(*nviews)++] = history_flow;
	strv_add(items, _("Quit"));
}

/* Two steps read a file in common through Augeas. */
static bool
share_files(const struct step *a, const struct step *b)
{
	for (size_t i = 0; i < a->nfiles; i++)
		for (size_t k = 0; k < b->nfiles; k++)
			if (strcmp(a->files[i].glob, b->files[k].glob) == 0)
				return true;
	return false;
}

/*
 * After step CHANGED changed the system: it, the steps that read its files,
 * and the steps that declare none (they ask the daemons' own tools, and
 * cannot say what they depend on) are audited again. CHANGED == N: all.
 */
static void
mark_stale(const struct step *const *steps, size_t n, size_t changed,
    bool *stale)
{
	for (size_t i = 0; i < n; i++)
		stale[i] |= changed == n || i == changed ||
		    steps[i]->nfiles == 0 ||
		    share_files(steps[changed], steps[i]);
}

/* Audit the STALE steps again, in one session; the others keep theirs. */
static void
audit_stale(const char *root, const struct step *const *steps, size_t n,
    struct audit *audits, bool *stale)
{
	const struct step **sub = xcalloc(n, sizeof *sub);
	struct audit *fresh = xcalloc(n, sizeof *fresh);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (stale[i]) {
			audit_init(&fresh[k]);
			sub[k++] = steps[i];
		}
	if (k > 0)
		audit_steps(root, sub, k, true, fresh);
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (stale[i]) {
			audit_release(&audits[i]);
			audits[i] = fresh[k++];
			stale[i] = false;
		}
	free(fresh);
	free(sub);
}

int
wizard_main(const struct options *o)
{
	const struct frontend *fe = pick_frontend(o);
	const struct step **steps = NULL;
	struct audit *audits;
	bool *stale;
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
	audits = xcalloc(n, sizeof *audits);
	stale = xcalloc(n, sizeof *stale);
	for (size_t i = 0; i < n; i++) {
		audit_init(&audits[i]);
		stale[i] = true;
	}
	for (;;) {
		struct strv items;
		enum fe_answer ans;
		view_fn views[3];
		size_t nviews = 0;
		bool postfix = postfix_present(o->root), any = false;
		unsigned int before = changes;
		const char *text = o->root[1] == '\0' ?
		    _("Harden this server. Pick a step; every change is shown "
		    "before it is made.") : _("Harden the system under --root. "
		    "Pick a step; every change is shown before it is made.");

		for (size_t i = 0; i < n; i++)
			any |= stale[i];
		if (any && fe->menu_draft != NULL) {
			/* On screen at once; the states follow. */
			menu_items(o, steps, n, audits, stale, postfix, &items,
			    views, &nviews);
			fe->menu_draft(_("hardenwiz"), text, items.v, items.n,
			    choice);
			strv_release(&items);
		}
		audit_stale(o->root, steps, n, audits, stale);
		menu_items(o, steps, n, audits, stale, postfix, &items, views,
		    &nviews);
		ans = fe->menu(_("hardenwiz"), text, items.v, items.n, &choice);
		strv_release(&items);
		if (ans == FE_OK && choice < n) {
			/* Its form starts from the files as they are now,
			 * even if changed in another terminal since. */
			stale[choice] = true;
			audit_stale(o->root, steps, n, audits, stale);
			step_flow(fe, o, steps[choice], &audits[choice]);
			if (changes != before)
				mark_stale(steps, n, choice, stale);
		} else if (ans == FE_OK && choice < n + nviews) {
			views[choice - n](fe, o);
			if (changes != before)	/* a rollback: of anything */
				mark_stale(steps, n, n, stale);
		}
		if (ans == FE_QUIT || ((ans != FE_OK || choice >= n + nviews)
		    && leave(fe, ans != FE_OK)))
			break;
	}
	for (size_t i = 0; i < n; i++)
		audit_release(&audits[i]);
	free(audits);
	free(stale);
	fe->stop();
	free(steps);
	session_release();
	return EXIT_OK;
}
