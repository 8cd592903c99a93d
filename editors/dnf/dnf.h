/*
 * dnf/dnf.h -- dnf-automatic's configuration as dnf-automatic reads it.
 * Its own loader (python3's dnf.automatic.main.AutomaticConfig) reads the
 * candidate /etc/dnf/automatic.conf and prints every value in effect.
 * Parsing alone proves nothing: dnf-automatic logs a value it cannot use
 * at debug level and keeps the default (apply_updates = maybe is "no"),
 * so the checker compares what is in effect with what the step expects.
 */
#ifndef HW_DNF_H
#define HW_DNF_H

#include <stdbool.h>

#include "checker.h"
#include "daemon.h"
#include "plan.h"
#include "util.h"

#define DNF_AUTOMATIC_CONF	"/etc/dnf/automatic.conf"
#define DNF_AUTOMATIC_TIMER	"dnf-automatic.timer"

/* dnf-automatic is installed under ROOT. */
bool	 dnf_automatic_present(const char *root);
/*
 * What dnf-automatic reads from ROOT's automatic.conf (PLAN's candidate
 * when PLAN is not NULL), one "section.option=value" line each, lists
 * joined by commas, into OUT. 0; 1 when dnf-automatic's loader is not on
 * this machine; -1 with *CAUSE when it rejects the file (*REJECTED) or
 * cannot run.
 */
int	 dnf_automatic_dump(const char *root, struct plan *,
	    struct buf *out, bool *rejected, char **cause);

extern const struct checker dnf_automatic_checker;
/* After the plan, dnf-automatic must read KEY as VALUE. */
extern const struct expect_kind dnf_automatic_value;

#endif
