/*
 * firewall/rules_check.h -- the checkers of iptables-restore rule files.
 * iptables-restore --test parses a candidate in a private network
 * namespace; it cannot know chains defined in other files, so it is a
 * parser check.
 */
#ifndef HW_RULES_CHECK_H
#define HW_RULES_CHECK_H

#include "daemon.h"
#include "plan.h"

extern const struct checker iptables_checker;	/* before.rules */
extern const struct checker ip6tables_checker;	/* before6.rules */

#endif
