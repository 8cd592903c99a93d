/*
 * systemd/units.h -- the state of a systemd unit and turning one off:
 * what the services step needs. Live, systemd answers ("systemctl show");
 * under --root the unit files and enable links of the root do (what
 * "systemctl --root" would read), and nothing is known to run.
 */
#ifndef HW_UNITS_H
#define HW_UNITS_H

#include <stdbool.h>

#include "plan.h"
#include "util.h"

struct unit_state {
	bool	 exists;	/* a unit file (or a loaded unit) */
	bool	 enabled;	/* started at boot (an enable link) */
	bool	 active;	/* running now (live only) */
	bool	 masked;
};

/*
 * UNIT's state in ROOT: systemctl when LIVE (systemd runs ROOT), else its
 * files. -1 with *CAUSE when systemctl cannot be asked.
 */
int	 unit_state(const char *root, bool live, const char *unit,
	    struct unit_state *, char **cause);
/* NAME is a service or socket unit's: "cups.service", "cups.socket". */
bool	 unit_service_or_socket(const char *name);
/*
 * The .service or .socket unit of process PID in ROOT ("cups.service"),
 * from /proc/PID/cgroup; NULL when it is in none (a session scope).
 */
char	*unit_of_pid(const char *root, const char *pid);
/*
 * The units of the live system whose processes still run code that an
 * upgrade replaced on disk (a program or library mapped "(deleted)"):
 * they run the old version until restarted. Into UNITS; processes in no
 * unit (a login session) are counted in *OTHERS.
 */
void	 units_running_replaced(struct strv *units, size_t *others);
/* The units of this process and of each of its ancestors into UNITS. */
void	 units_of_session(const char *root, struct strv *units);
/*
 * Plan UNIT (in state ST) stopped and disabled, and masked when MASK,
 * for STEP: each command with the inverse that gives ST back.
 */
void	 unit_plan_off(struct plan *, const char *step, const char *unit,
	    const struct unit_state *st, bool mask);

#endif
