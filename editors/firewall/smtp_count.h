/*
 * firewall/smtp_count.h -- who tried to send mail out directly. A table of
 * our own in nftables ("inet hardenwiz") counts, per local uid, the new
 * connections to port 25 that the outbound block rejects: every user but
 * the MTA, never loopback. It only counts; ufw's or firewalld's rule does
 * the rejecting. One table serves both backends because neither can
 * count per user: iptables' owner match needs a rule per uid known in
 * advance, and a LOG rule writes nothing from a container's network
 * namespace. A compromised web application shows up here, not in
 * Postfix's log.
 *
 * A oneshot unit loads the table at boot, after nftables.service, and
 * again whenever that service reloads: its "flush ruleset" erases every
 * table (gotcha F8).
 */
#ifndef HW_SMTP_COUNT_H
#define HW_SMTP_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "daemon.h"
#include "plan.h"

#define SMTP_COUNT_FILE	"/etc/hardenwiz/smtp-out.nft"
#define SMTP_COUNT_UNIT	"hardenwiz-smtp-count.service"
#define SMTP_COUNT_DAYS	7	/* a uid silent this long is forgotten */

struct smtp_try {
	long		 uid;
	unsigned long long attempts;	/* connections rejected */
	time_t		 last;		/* the latest one */
};

struct smtp_tries {
	struct smtp_try	*v;
	size_t		 n;
	bool		 loaded;	/* the table is in the kernel */
};

/* The counting is set up in ROOT (its file). */
bool	 smtp_count_installed(const char *root);
/*
 * Plan the counting for STEP, MTA_UID (-1: none) not counted: the table's
 * file, its unit, and starting it. Only notes when nft or the kernel's
 * nftables is missing: the block works without it.
 */
int	 smtp_count_plan(struct plan *, const char *step, long mta_uid,
	    char **cause);
/*
 * The live counts, most attempts first. 0 also when the table is not
 * loaded (T->loaded false); -1 when nft cannot be asked.
 */
int	 smtp_count_read(struct smtp_tries *t, char **cause);
/* The counts in JSON of "nft -j list set" at time NOW (pure: tested). */
int	 smtp_count_parse(const char *json, time_t now, struct smtp_tries *t,
	    char **cause);
void	 smtp_tries_release(struct smtp_tries *t);

extern const struct checker nft_checker;

#endif
