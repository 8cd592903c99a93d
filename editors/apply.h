/*
 * apply.h -- the one loop that changes the system. Order: validate every
 * candidate with its daemon's checker, record the journal, perform changes in
 * plan order (each file compared with what was planned just before it is
 * replaced), check the daemons' view of the result, and undo everything on
 * any failure.
 */
#ifndef HW_APPLY_H
#define HW_APPLY_H

#include "plan.h"
#include "progress.h"

/* Outcome; the values are the exit codes of SPEC. */
enum apply_status {
	APPLY_OK = 0,
	APPLY_FAILED = 1,	/* runtime failure, everything undone */
	APPLY_INVALID = 3,	/* a validator rejected it, nothing changed */
};

struct apply_opts {
	bool		 dry_run;	/* validate only */
	unsigned int	 confirm_timeout; /* live root: roll back unless confirmed */
	const char	*self;		/* our executable, for the dead-man timer */
	/* What is being done, for a slow apply (reloads, checks). */
	const struct progress *progress;
};

struct apply_result {
	char		*id;		/* transaction id, or NULL */
	bool		 pending;	/* waiting for --confirm */
	struct strv	 log;		/* what happened, one line each */
	struct strv	 warnings;
};

void	apply_result_init(struct apply_result *);
void	apply_result_release(struct apply_result *);

/* The caller holds the lock. Secrets never reach RESULT or CAUSE unmasked. */
enum apply_status apply_plan(struct plan *, const struct apply_opts *,
	    struct apply_result *, char **cause);

#endif
