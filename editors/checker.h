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

/*
 * What a checker does when PROG, its daemon's own tool, is not on this
 * machine. The candidates of a plan that installs the daemon
 * (AFTER_INSTALL) pass with a note: the check runs after apply, once the
 * package is there. Under an offline root it passes with a note saying
 * WHAT ("the sshd configuration") was not checked: the root is not this
 * machine. On a live system it cannot be checked: CHECK_FAILED, with
 * *CAUSE saying what to install.
 */
int	 checker_without_tool(struct plan *, bool candidates,
	    bool after_install, const char *prog, const char *what,
	    char **cause);

/*
 * For a checker that asks its daemon what it reads ("KEY=value" lines in
 * DUMP): the value of KEY (caller frees), or NULL.
 */
char	*dump_value(const char *dump, const char *key);
/*
 * Every expectation of KIND holds in DUMP; else CHECK_REJECTED with
 * *CAUSE "WHO reads LABEL in FILE as 'GOT', not 'WANT'".
 */
int	 dump_expected(struct plan *, const struct expect_kind *kind,
	    const char *dump, const char *who, const char *file,
	    char **cause);

#endif
