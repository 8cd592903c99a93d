/*
 * apply.c -- performing a plan, transactionally.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "apply.h"
#include "checker.h"
#include "deadman.h"
#include "fsutil.h"
#include "journal.h"
#include "run.h"
#include "validate.h"

void
apply_result_init(struct apply_result *r)
{
	memset(r, 0, sizeof *r);
	strv_init(&r->log);
	strv_init(&r->warnings);
}

void
apply_result_release(struct apply_result *r)
{
	free(r->id);
	strv_release(&r->log);
	strv_release(&r->warnings);
	memset(r, 0, sizeof *r);
}

/* Set *cause to the plan-masked version of *cause. */
static void
mask_cause(const struct plan *p, char **cause)
{
	if (cause != NULL && *cause != NULL) {
		char *m = plan_mask(p, *cause);

		free(*cause);
		*cause = m;
	}
}

/* The file must still be what the plan was computed from. */
/* The change about to be made, said to the progress (never a secret:
 * paths and argv hold none). */
static void
say_change(const struct plan *p, const struct progress *pr,
    const struct change *c, int percent)
{
	char *what;

	/* Under --root a command is not run: nothing to wait for. */
	if (pr == NULL || (c->kind == CHANGE_COMMAND && p->offline))
		return;
	if (c->kind == CHANGE_COMMAND)
		what = xasprintf(_("running %s %s"), c->argv[0],
		    c->argv[1] != NULL ? c->argv[1] : "");
	else
		what = xasprintf(_("writing %s"), c->path);
	progress_say(pr, percent, what);
	free(what);
}

static int
still_as_planned(const struct plan *p, const struct change *c, char **cause)
{
	bool same;

	if (fs_same(p->root, c->path, c->existed, c->old_text, c->old_len,
	    &same, cause) != 0)
		return -1;
	if (!same)
		return set_cause(cause, _("'%s' changed while hardenwiz was "
		    "planning; nothing was kept, run it again"), c->path);
	return 0;
}

static int
do_file(const struct plan *p, const struct change *c, char **cause)
{
	if (still_as_planned(p, c, cause) != 0)
		return -1;
	return fs_write_atomic(p->root, c->path, c->new_text, c->new_len,
	    c->new_mode, c->new_uid, c->new_gid, cause);
}

static int
do_command(const struct plan *p, const struct change *c, char **cause)
{
	int r = run_checked(c->argv, NULL, NULL, cause);

	mask_cause(p, cause);
	return r;
}

static void
log_change(const struct plan *p, const struct change *c,
    struct apply_result *res)
{
	char *q, *m;

	switch (c->kind) {
	case CHANGE_FILE:
		strv_addf(&res->log, "%s %s", c->existed ? "wrote" :
		    "created", c->path);
		break;
	case CHANGE_MKDIR:
		strv_addf(&res->log, "created directory %s", c->path);
		break;
	case CHANGE_COMMAND:
		q = argv_quote(c->argv);
		m = plan_mask(p, q);
		if (p->offline)
			strv_addf(&res->log, "skipped (offline root): %s", m);
		else
			strv_addf(&res->log, "ran: %s", m);
		free(q);
		free(m);
		break;
	}
}

/* The dead-man timer (deadman.h), with the deadline in the journal. */
static int
arm(const struct plan *p, const struct apply_opts *o, struct journal *j,
    long deadline, struct apply_result *res, char **cause)
{
	char *how = NULL;

	if (journal_state(j, "applying", deadline, cause) != 0 ||
	    deadman_arm(p->root, o->self, journal_id(j), o->confirm_timeout,
	    &how, cause) != 0)
		return -1;
	strv_add(&res->log, how);
	free(how);
	return 0;
}

/* Undo after a failure; the journal records the outcome. */
static void
abort_transaction(struct plan *p, struct journal *j, struct apply_result *res,
    char **cause)
{
	char *err = NULL;

	if (journal_undo(j, true, &res->warnings, &err) != 0) {
		strv_addf(&res->warnings, _("ROLLBACK FAILED: %s; the "
		    "originals are in the journal %s"), err, journal_id(j));
		free(err);
		(void)journal_state(j, "failed", 0, NULL);
	} else {
		strv_addf(&res->log, _("rolled back every change of %s"),
		    journal_id(j));
		(void)journal_state(j, "failed-rolled-back", 0, NULL);
	}
	deadman_disarm(p->root, journal_id(j));
	mask_cause(p, cause);
}

enum apply_status
apply_plan(struct plan *p, const struct apply_opts *o,
    struct apply_result *res, char **cause)
{
	struct journal *j = NULL;
	enum apply_status st = APPLY_FAILED;
	bool pending;
	long deadline;
	int checked;

	if (plan_is_empty(p))
		return APPLY_OK;
	progress_say(o->progress, 0, _("checking the new configuration with "
	    "the daemons' own tools"));
	if ((checked = validate_plan(p, cause)) != CHECK_OK) {
		mask_cause(p, cause);
		return checked == CHECK_FAILED ? APPLY_FAILED : APPLY_INVALID;
	}
	if (o->dry_run)
		return APPLY_OK;
	if (journal_begin(p->root, p, &j, cause) != 0)
		return APPLY_FAILED;
	res->id = xstrdup(journal_id(j));
	/*
	 * Armed before the first change: a timer that cannot be armed
	 * refuses the apply, never leaves a change without its net. It
	 * waits for the lock we hold, and acts only on a pending state.
	 */
	pending = !p->offline && o->confirm_timeout > 0 && o->self != NULL;
	deadline = (long)time(NULL) + o->confirm_timeout;
	if (pending && arm(p, o, j, deadline, res, cause) != 0) {
		(void)journal_state(j, "failed", 0, NULL);
		goto out;
	}
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];
		int r = 0;

		say_change(p, o->progress, c, 10 + (int)(80 * i /
		    p->nchanges));
		if (c->kind == CHANGE_FILE)
			r = do_file(p, c, cause);
		else if (c->kind == CHANGE_MKDIR)
			r = fs_mkdir(p->root, c->path, c->new_mode, c->new_uid,
			    c->new_gid, cause);
		else if (!p->offline && (r = journal_started(j, i,
		    cause)) == 0)
			r = do_command(p, c, cause);
		if (r == 0)
			r = journal_done(j, i, c->kind == CHANGE_COMMAND &&
			    p->offline, cause);
		if (r != 0) {
			abort_transaction(p, j, res, cause);
			goto out;
		}
		log_change(p, c, res);
	}
	if (journal_seal(j, cause) != 0) {
		abort_transaction(p, j, res, cause);
		goto out;
	}
	/* Effect, not text: the daemon's own view of the live files. */
	progress_say(o->progress, 90, _("checking that the daemons work "
	    "with it"));
	if ((checked = validate_live(p, cause)) != CHECK_OK) {
		abort_transaction(p, j, res, cause);
		st = checked == CHECK_FAILED ? APPLY_FAILED : APPLY_INVALID;
		goto out;
	}
	if (journal_state(j, pending ? "pending" : "applied", pending ?
	    deadline : 0, cause) != 0) {
		abort_transaction(p, j, res, cause);
		goto out;
	}
	res->pending = pending;
	st = APPLY_OK;
out:
	journal_free(j);
	return st;
}
