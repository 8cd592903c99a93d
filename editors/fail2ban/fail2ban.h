/*
 * fail2ban/fail2ban.h -- fail2ban's own client as the checker, and facts
 * about the fail2ban under the root.
 *
 * The candidate: ROOT/etc/fail2ban is copied to a scratch directory with
 * the plan's files in it and must pass "fail2ban-client -c DIR -t" before
 * anything is replaced. Offline, the log paths (auth.log, mail.log) are
 * pinned to the root's files in the copy, as fail2ban would otherwise look
 * at this machine's. After a reload on a live system, "fail2ban-client
 * status JAIL" must answer for every jail the plan enables.
 */
#ifndef HW_FAIL2BAN_H
#define HW_FAIL2BAN_H

#include <stdbool.h>

#include "daemon.h"
#include "plan.h"

#define FAIL2BAN_DIR	"/etc/fail2ban"
#define FAIL2BAN_PID	"/run/fail2ban/fail2ban.pid"

/* fail2ban is installed under ROOT (its jail.conf is there). */
bool	 fail2ban_present(const char *root);
/* The server of a live root runs. */
bool	 fail2ban_running(const char *root);
/*
 * The live server's jail JAIL runs: the addresses it bans now into IPS.
 * -1 with *CAUSE when the server or the jail does not run.
 */
int	 fail2ban_banned(const char *jail, struct strv *ips, char **cause);
/* The candidates (or, !CANDIDATES, the live jails) pass fail2ban. */
extern const struct checker fail2ban_checker;
/* Probe, live roots: the jail KEY runs, with a ban action. */
extern const struct expect_kind fail2ban_jail;

#endif
