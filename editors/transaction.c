/*
 * transaction.c -- lock and held signals around apply, rollback and
 * confirm. See transaction.h.
 */
#include <signal.h>

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

int
txn_refuse_interrupted(const char *root, char **cause)
{
	struct strv ids;
	int r = 0;

	strv_init(&ids);
	if (journal_interrupted(root, &ids, cause) != 0)
		r = -1;
	else if (ids.n > 0)
		r = set_cause(cause, "transaction %s was interrupted half way "
		    "(hardenwiz was killed or the machine stopped) and its "
		    "changes are partly in place; undo it first with "
		    "'hardenwiz --rollback %s', then run this again",
		    ids.v[ids.n - 1], ids.v[ids.n - 1]);
	strv_release(&ids);
	return r;
}

enum apply_status
txn_apply(struct plan *p, unsigned int confirm_timeout, const char *self,
    struct apply_result *res, char **cause)
{
	struct apply_opts ao = { .confirm_timeout = confirm_timeout,
	    .self = self };
	sigset_t old;
	enum apply_status st;
	int lock = -1;

	if (lock_acquire(p->root, false, &lock, cause) != 0)
		return APPLY_FAILED;
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

	if (lock_acquire(root, wait, &lock, cause) != 0)
		return -1;
	signals_hold(&old);
	r = journal_rollback(root, id, force, if_pending, rolled, warnings,
	    cause);
	sigprocmask(SIG_SETMASK, &old, NULL);
	lock_release(lock);
	return r;
}

int
txn_confirm(const char *root, int *count, char **cause)
{
	int lock = -1, r;

	*count = 0;
	if (lock_acquire(root, true, &lock, cause) != 0)
		return -1;
	r = journal_confirm(root, count, cause);
	lock_release(lock);
	return r;
}
