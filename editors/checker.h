/*
 * checker.h -- the interface a daemon's checker implements.
 *
 * A checker is a table of functions, like tmux's struct window_mode: the
 * engine (validate.c) runs every checker the plan names and knows none of
 * them by name. A new daemon's checker is one new file exporting one
 * const struct checker and the expectation kinds it answers.
 *
 * "The daemon rejected the candidate" (exit 3, nothing changed) and "the
 * check itself could not run" (no namespace without root, a missing tool
 * on a live system, a stage that could not be written: exit 1) are
 * different news for the admin, so every checker says which.
 */
#ifndef HW_CHECKER_H
#define HW_CHECKER_H

#include <stdbool.h>

enum check_status {
	CHECK_OK = 0,
	CHECK_REJECTED = -1,	/* the daemon's own tool said no */
	CHECK_FAILED = -2,	/* it could not be asked */
};

struct plan;

struct checker {
	const char	*name;		/* "sshd": for the reader */
	/*
	 * Check PLAN's candidate files (CANDIDATES: before the first
	 * change) or the live files (after apply), and every expectation
	 * of a kind this checker answers. Returns an enum check_status
	 * with *CAUSE set when not CHECK_OK. A checker whose tool is
	 * missing notes it in the plan under an offline root and fails
	 * with CHECK_FAILED on a live one, in its own words.
	 */
	int	(*check)(struct plan *, bool candidates, char **cause);
};

/*
 * A kind of expectation: what the daemon's own view must report after the
 * plan (a setting), or a probe run after apply (a socket, a login).
 */
struct expect_kind {
	const struct checker	*checker;	/* who answers it */
	/* A check to run, not a setting: never shown as a finding. */
	bool			 probe;
	/*
	 * One expectation per key and label (a map asked for many keys);
	 * otherwise a later expectation of the same key replaces it.
	 */
	bool			 per_label;
};

#endif
