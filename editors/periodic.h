/*
 * periodic.h -- a hardenwiz check run every interval: a systemd timer and
 * its oneshot service where systemd manages the root, else a cron.d entry
 * (logging to syslog). Planned like every other change: files in the
 * plan, "systemctl enable --now" with its "disable --now" for rollback.
 */
#ifndef HW_PERIODIC_H
#define HW_PERIODIC_H

#include "plan.h"

struct periodic_job {
	const char	*name;		/* hardenwiz-NAME.timer, cron.d/hardenwiz-NAME */
	const char	*what;		/* "check the Postfix mail queue" */
	const char	*after;		/* a unit to order after, or NULL */
	const char	*args;		/* "--check-queue --threshold 500" */
	long		 interval;	/* seconds, at least 60 */
};

/* Plan JOB for STEP under the plan's root. */
int	 plan_periodic(struct plan *, const char *step,
	    const struct periodic_job *, char **cause);
/* JOB NAME's timer or cron entry is in ROOT. */
bool	 periodic_installed(const char *root, const char *name);

#endif
