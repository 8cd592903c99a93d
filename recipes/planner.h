/*
 * planner.h -- opens one Augeas session with the files of the chosen steps
 * and asks each step to audit or to plan. Used by every mode and frontend,
 * so the wizard, --apply, --dry-run and --json see the same plan.
 */
#ifndef HW_PLANNER_H
#define HW_PLANNER_H

#include "step.h"

/* Steps in table order, restricted to ONLY (comma list) when not NULL. */
int	steps_select(const char *only, const struct step ***out, size_t *n,
	    char **cause);

/*
 * Plan STEPS[i] with SETTINGS[i] into P (initialised on ROOT by the
 * caller). PLAN_REFUSED: a file's content cannot be edited safely (a NUL
 * byte), nothing planned: exit 3.
 */
#define PLAN_REFUSED	(-2)
int	plan_steps(const char *root, const struct step *const *steps,
	    const struct settings *const *settings, size_t n, struct plan *p,
	    char **cause);

/*
 * Each chosen step's work before planning (step.h, before), in table
 * order, into REPORT: said (PREVIEW, or not on the live system) or done.
 */
int	before_steps(const char *root, const struct step *const *steps,
	    const struct settings *const *settings, size_t n, bool preview,
	    const struct progress *, struct strv *report, char **cause);

/*
 * Audit each step into AUDITS[i] (audit_init'ed by the caller). It cannot
 * fail as a whole: a step that cannot be audited is STATE_ERROR, with why.
 */
void	audit_steps(const char *root, const struct step *const *steps,
	    size_t n, bool effective, struct audit *audits);

#endif
