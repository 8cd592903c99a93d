/*
 * validate.h -- running the checkers a plan names (checker.h), on the
 * candidate files before they replace live ones and on the live files
 * afterwards. The checkers themselves live with their daemons.
 */
#ifndef HW_VALIDATE_H
#define HW_VALIDATE_H

#include "plan.h"

/*
 * Validate PLAN's candidates with every checker its changes and
 * expectations name: the gate before the first change. Returns an enum
 * check_status (checker.h) with a cause when not CHECK_OK.
 */
int	 validate_plan(struct plan *, char **cause);
/* The same on the files as they are now (after apply). */
int	 validate_live(struct plan *, char **cause);

#endif
