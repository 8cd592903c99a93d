/*
 * deadman.h -- the dead-man timer of a pending transaction: unless
 * "hardenwiz --confirm" runs in time (from a new login, which proves the
 * change lets the admin in), the transaction is rolled back.
 *
 * It must not fail open. Where systemd runs, the timer is a transient unit
 * (hardenwiz-confirm-ID.timer, shown by "systemctl list-timers") that
 * survives the SSH session, the wizard and hardenwiz itself; elsewhere a
 * detached process whose exec is verified. Either way the deadline is in
 * the journal, and a pending transaction whose deadline passed (the timer
 * killed, the machine down) is rolled back by the next hardenwiz that
 * changes anything and, on systemd hosts, at boot by
 * hardenwiz-expired.service. A timer that cannot be armed refuses the apply
 * before any change.
 */
#ifndef HW_DEADMAN_H
#define HW_DEADMAN_H

#include <stdbool.h>

/*
 * Arm the timer of transaction ID under ROOT (live: "/"): in SECS seconds
 * SELF --rollback-unconfirmed ID runs. *HOW gets a line for the log.
 */
int	 deadman_arm(const char *root, const char *self, const char *id,
	    unsigned int secs, char **how, char **cause);
/* Stand ID's timer down (confirmed, or rolled back); best effort. */
void	 deadman_disarm(const char *root, const char *id);
/* An automatic action, for syslog (authpriv) and the standard error. */
void	 deadman_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
