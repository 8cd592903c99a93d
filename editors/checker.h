/*
 * checker.h -- what a daemon's checker answers. "The daemon rejected the
 * candidate" (exit 3, nothing changed) and "the check itself could not run"
 * (no namespace without root, a missing tool on a live system, a stage that
 * could not be written: exit 1) are different news for the admin, so every
 * checker says which.
 */
#ifndef HW_CHECKER_H
#define HW_CHECKER_H

enum check_status {
	CHECK_OK = 0,
	CHECK_REJECTED = -1,	/* the daemon's own tool said no */
	CHECK_FAILED = -2,	/* it could not be asked */
};

#endif
