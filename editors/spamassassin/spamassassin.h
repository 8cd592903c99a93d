/*
 * spamassassin/spamassassin.h -- SpamAssassin as the spam filter Postfix
 * asks, through spamass-milter (Debian's package), which hands each
 * message to spamd with spamc. Its settings are the variables its init
 * script reads from /etc/default/spamass-milter: SOCKET, the milter on
 * localhost:11331 (an inet socket works whether Postfix's daemons run
 * chrooted or not, where the package's unix socket needs a path for
 * each), and OPTIONS. The checker is that script's own reading: the
 * candidate is sourced by sh and the variables printed, and each the step
 * set must come back as set. After apply the milter must answer, and
 * spamd spamc's ping.
 */
#ifndef HW_SPAMASSASSIN_H
#define HW_SPAMASSASSIN_H

#include <stdbool.h>

#include "checker.h"
#include "daemon.h"
#include "plan.h"
#include "util.h"

#define SPAMASS_DEFAULT	"/etc/default/spamass-milter"
/* How Postfix names the milter, and how spamass-milter's -p does. */
#define SPAMASS_MILTER	"inet:127.0.0.1:11331"
#define SPAMASS_SOCKET	"inet:11331@127.0.0.1"

/* spamass-milter and spamd are installed under ROOT. */
bool	 spamass_present(const char *root);
/*
 * The OPTIONS words of spamass-milter from the admin's CURRENT (may be
 * NULL): theirs kept, except the ones hardenwiz decides, which are set
 * anew: -r 15 (reject from 15), -m (headers only, no Subject or body
 * rewritten), and with OUTBOUND = no, -I and -i 127.0.0.1 (mail of
 * logged-in users and local mail not scanned). Caller frees.
 */
char	*spamass_options(const char *current, bool outbound);
/*
 * Plan spamass-milter restarted, last, for STEP, and spamd's SPAMD_UNIT
 * enabled and started first (NULL: it runs), with the probes that both
 * then answer.
 */
void	 spamass_plan_restart(struct plan *, const char *step,
	    const char *spamd_unit);

extern const struct checker spamass_checker;
/* After the plan, the init script must read variable KEY as VALUE. */
extern const struct expect_kind spamass_value;

#endif
