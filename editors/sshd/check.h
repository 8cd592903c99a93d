/*
 * sshd/check.h -- sshd's own test mode as the checker of sshd's files.
 *
 * A staging copy of ROOT/etc/ssh (configuration copied, host keys linked)
 * with the plan's candidates applied is bind-mounted over /etc/ssh in a
 * private mount namespace, with a private /run, and "sshd -T" runs there:
 * the extended test mode, -t's checks plus the effective values. Includes
 * then resolve exactly as on the live system and nothing outside the
 * namespace sees the candidate.
 */
#ifndef HW_SSHD_CHECK_H
#define HW_SSHD_CHECK_H

#include <stdbool.h>

#include "daemon.h"
#include "plan.h"

extern const struct checker sshd_checker;
/* Expectation: sshd -T reports KEY (lowercase) as VALUE (or ALIAS). */
extern const struct expect_kind sshd_setting;

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
 * Run sshd -T (which also does -t's checks) on ROOT's /etc/ssh, with
 * PLAN's candidate files applied when PLAN is not NULL. Fills VIEW when not
 * NULL. Fails with sshd's own message when it rejects the configuration.
 * Without a PLAN, the run sshd_check_early started in E is taken when
 * there is one (E may be NULL).
 */
struct early;
int	 sshd_check(const char *root, const struct plan *, struct early *,
	    struct sshd_view *, char **cause);
/* Start sshd -T on ROOT's files in E, for an audit's sshd_check. */
void	 sshd_check_early(const char *root, struct early *);

/*
 * Check every sshd expectation of PLAN against VIEW; on a mismatch fail
 * naming the keyword, what sshd reports and what was wanted.
 */
int	 sshd_expectations(const struct plan *, const struct sshd_view *,
	    char **cause);

#endif
