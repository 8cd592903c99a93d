/*
 * transaction.h -- the policy around every change to a root: one
 * hardenwiz at a time (the journal's lock), and no half-done transaction
 * because of Ctrl-C, SIGTERM, SIGHUP or SIGQUIT (held while it runs). Every
 * apply, rollback and confirmation of every mode and frontend goes through
 * here; the frontends only ask and show.
 */
#ifndef HW_TRANSACTION_H
#define HW_TRANSACTION_H

#include <stdbool.h>

#include "apply.h"
#include "plan.h"

/*
 * Fail, naming it and the way out, when a transaction of ROOT stopped half
 * way: nothing may change a half-applied tree but its rollback.
 */
int	 txn_refuse_interrupted(const char *root, char **cause);
/*
 * Apply P (apply_plan) under the lock with signals held, after rolling
 * back what is past its confirmation deadline; refused while a
 * transaction is interrupted. CONFIRM_TIMEOUT and SELF as in struct
 * apply_opts.
 */
enum apply_status txn_apply(struct plan *p, unsigned int confirm_timeout,
	    const char *self, const struct progress *, struct apply_result *,
	    char **cause);
/*
 * Roll back ID (NULL: the latest) of ROOT under the lock (WAIT: block for
 * it) with signals held. Arguments as journal_rollback.
 */
int	 txn_rollback(const char *root, const char *id, bool force,
	    bool if_pending, bool wait, char **rolled, struct strv *warnings,
	    char **cause);
/*
 * Keep every pending transaction of ROOT (the dead-man timer stands
 * down); *COUNT gets how many. Waits for the lock: the dead-man process
 * takes it before it acts, so a confirmation never races a rollback.
 */
int	 txn_confirm(const char *root, int *count, char **cause);
/*
 * Roll back every pending transaction of ROOT past its deadline (the boot
 * check, and the start of every apply), logging each to syslog; never over
 * a later transaction.
 */
int	 txn_expire(const char *root, char **cause);

#endif
