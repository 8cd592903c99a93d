/*
 * transaction.c -- lock and held signals around apply, rollback and
 * confirm. See transaction.h.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "i18n.h"
#include "deadman.h"
#include "journal.h"
#include "transaction.h"

/* No half-done transaction: Ctrl-C, SIGTERM, SIGHUP and SIGQUIT wait. */
static void
signals_hold(sigset_t *old)
{
	sigset_t hold;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, old);
}

/*
 * Under the lock: every pending transaction past its deadline is rolled
 * back now (its timer was killed, or the machine was down). Never over a
 * later transaction (journal_rollback stands back and says why).
 */
static void
expire(const char *root)
{
	struct strv ids;

	strv_init(&ids);
	if (journal_expired(root, (long)time(NULL), &ids, NULL) == 0) {
		for (size_t i = 0; i < ids.n; i++) {
			struct strv warnings;
			char *cause = NULL;
			int r;

			strv_init(&warnings);
			r = journal_rollback(root, ids.v[i], true, true, NULL,
			    &warnings, &cause);
			if (r == 0)
				deadman_log("transaction %s was not confirmed "
				    "before its deadline: rolled back",
				    ids.v[i]);
			else
				deadman_log("transaction %s is past its "
				    "confirmation deadline: %s", ids.v[i],
				    cause != NULL ? cause : "not rolled back");
			for (size_t k = 0; k < warnings.n; k++)
				deadman_log("%s", warnings.v[k]);
			if (r == 0)
				deadman_disarm(root, ids.v[i]);
			strv_release(&warnings);
			free(cause);
		}
	}
	strv_release(&ids);
}

int
txn_refuse_interrupted(const char *root, char **cause)
{
	struct strv ids;
	int r = 0;

	strv_init(&ids);
	if (journal_interrupted(root, &ids, cause) != 0)
		r = -1;
	else if (ids.n > 0)
		r = set_cause(cause, _("transaction %s was interrupted half "
		    "way (hardenwiz was killed or the machine stopped) and its "
		    "changes are partly in place; undo it first with "
		    "'hardenwiz --rollback %s', then run this again"),
		    ids.v[ids.n - 1], ids.v[ids.n - 1]);
	strv_release(&ids);
	return r;
}

enum apply_status
txn_apply(struct plan *p, unsigned int confirm_timeout, const char *self,
    const struct progress *progress, struct apply_result *res, char **cause)
{
	struct apply_opts ao = { .confirm_timeout = confirm_timeout,
	    .self = self, .progress = progress };
	sigset_t old;
	enum apply_status st;
	int lock = -1;

	if (lock_acquire(p->root, false, &lock, cause) != 0)
		return APPLY_FAILED;
	expire(p->root);
	if (txn_refuse_interrupted(p->root, cause) != 0) {
		lock_release(lock);
		return APPLY_FAILED;
	}
	signals_hold(&old);
	st = apply_plan(p, &ao, res, cause);
	sigprocmask(SIG_SETMASK, &old, NULL);
	lock_release(lock);
	return st;
}

int
txn_rollback(const char *root, const char *id, bool force, bool if_pending,
    bool wait, char **rolled, struct strv *warnings, char **cause)
{
	sigset_t old;
	int lock = -1, r;
	char *done = NULL;

	if (lock_acquire(root, wait, &lock, cause) != 0)
		return -1;
	signals_hold(&old);
	r = journal_rollback(root, id, force, if_pending, &done, warnings,
	    cause);
	/* A pending one rolled back by hand needs its timer no more. */
	if (r == 0 && done != NULL)
		deadman_disarm(root, done);
	sigprocmask(SIG_SETMASK, &old, NULL);
	lock_release(lock);
	if (rolled != NULL)
		*rolled = done;
	else
		free(done);
	return r;
}

int
txn_confirm(const char *root, int *count, char **cause)
{
	struct strv kept;
	int lock = -1, r;

	*count = 0;
	if (lock_acquire(root, true, &lock, cause) != 0)
		return -1;
	strv_init(&kept);
	r = journal_confirm(root, &kept, cause);
	for (size_t i = 0; i < kept.n; i++)
		deadman_disarm(root, kept.v[i]);
	*count = (int)kept.n;
	strv_release(&kept);
	lock_release(lock);
	return r;
}

int
txn_expire(const char *root, char **cause)
{
	int lock = -1;

	if (lock_acquire(root, true, &lock, cause) != 0)
		return -1;
	expire(root);
	lock_release(lock);
	return 0;
}
