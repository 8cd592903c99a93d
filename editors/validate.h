/*
 * validate.h -- the daemons' own checkers, run on candidate files before
 * they replace live ones and on the live files afterwards.
 *
 * sshd: a staging copy of ROOT/etc/ssh (configuration copied, host keys
 * linked) with the plan's candidates applied is bind-mounted over /etc/ssh in
 * a private mount namespace, with a private /run, and "sshd -T" runs
 * there: the extended test mode, -t's checks plus the effective values. Includes then resolve exactly as on the live system
 * and nothing outside the namespace sees the candidate.
 */
#ifndef HW_VALIDATE_H
#define HW_VALIDATE_H

#include <stdbool.h>

#include "plan.h"

/* sshd -T output: lowercase keyword -> value (repeated keys joined by ' '). */
struct sshd_view {
	struct strv	keys;
	struct strv	values;
};
void		 sshd_view_init(struct sshd_view *);
void		 sshd_view_release(struct sshd_view *);
const char	*sshd_view_get(const struct sshd_view *, const char *key);

/* Whether an sshd binary is here to validate with. */
bool	 sshd_available(void);

/*
 * Run sshd -T (which also does -t's checks) on ROOT's /etc/ssh, with PLAN's candidate files
 * applied when PLAN is not NULL. Fills VIEW when not NULL. Fails with sshd's
 * own message when it rejects the configuration.
 */
int	 sshd_check(const char *root, const struct plan *, struct sshd_view *,
	    char **cause);

/*
 * Check every sshd expectation of PLAN against VIEW; on a mismatch fail
 * naming the keyword, what sshd reports and what was wanted.
 */
int	 sshd_expectations(const struct plan *, const struct sshd_view *,
	    char **cause);

/*
 * Validate PLAN's candidates with every validator they name and check the
 * expectations: the gate before the first change. Returns an enum
 * check_status (checker.h) with a cause when not CHECK_OK. Missing checkers are noted in the plan, not fatal, under an offline
 * root; on a live root they are fatal.
 */
int	 validate_plan(struct plan *, char **cause);
/* The same on the files as they are now (after apply). */
int	 validate_live(const struct plan *, char **cause);

#endif
