/*
 * dns/dnsbl.h -- is this server's address on a DNS blocklist?
 *
 * A list is trusted only after it passes RFC 5782's test in the same
 * round of questions: it lists 127.0.0.2 and does not list 127.0.0.1
 * (IPv6: ::ffff:7f00:2 and ::ffff:7f00:1). A dead list that lists every
 * address, or a resolver that turns NXDOMAIN into an address, fails it
 * and is reported as unusable, never as a listing. Answers a list
 * documents as errors (Spamhaus 127.255.255.252/254/255: typo, public
 * resolver, too many queries) are refusals with their fix, not listings.
 * The zones are data (dnsbl_default_zones), overridable by the recipe.
 */
#ifndef HW_DNS_DNSBL_H
#define HW_DNS_DNSBL_H

#include <stdbool.h>

#include "dns/resolver.h"

/* What an answer address means for a list (LO..HI of the last octet). */
struct dnsbl_code {
	const char	*prefix;	/* "127.0.0." or "127.255.255." */
	unsigned int	 lo, hi;
	const char	*name;		/* "SBL", "XBL", "PBL" */
	const char	*meaning;	/* N_(...) */
};

struct dnsbl_zone {
	const char	*zone;		/* "zen.spamhaus.org" */
	const char	*label;		/* "Spamhaus ZEN" */
	bool		 ipv6;		/* it lists IPv6 addresses */
	const char	*delist;	/* where to ask for removal */
	const struct dnsbl_code *codes;		/* listings; NULL: any 127/8 */
	const struct dnsbl_code *errors;	/* refusals */
	const struct dnsbl_code *policy;	/* listings that are no abuse */
};

extern const struct dnsbl_zone dnsbl_default_zones[];
extern const size_t dnsbl_ndefault_zones;

enum dnsbl_verdict {
	DNSBL_CLEAN,		/* a working list does not list the address */
	DNSBL_LISTED,		/* listed for abuse */
	DNSBL_POLICY,		/* listed by policy (PBL): use a relay */
	DNSBL_REFUSED,		/* the list refused the question */
	DNSBL_UNUSABLE,		/* failed the 127.0.0.2/127.0.0.1 test */
	DNSBL_UNKNOWN,		/* no answer (timeout, SERVFAIL) */
	DNSBL_SKIPPED,		/* an IPv6 address and a list without IPv6 */
};

struct dnsbl_result {
	const struct dnsbl_zone *zone;
	const char	*ip;
	enum dnsbl_verdict verdict;
	struct strv	 answers;	/* the A answers */
	struct strv	 names;		/* what each means: "SBL: ..." */
	char		*txt;		/* the list's TXT reason, or NULL */
	char		*why;		/* for REFUSED, UNUSABLE, UNKNOWN */
};

/*
 * Check each of the NIPS addresses against each of the NZONES lists: one
 * round of questions. *RESULTS gets NIPS * NZONES entries (address-major)
 * the caller frees with dnsbl_results_free. -1 with a cause when the
 * resolver cannot be set up or an address is not one.
 */
int	 dnsbl_check(const struct dns_opts *, char *const *ips, size_t nips,
	    const struct dnsbl_zone *zones, size_t nzones,
	    struct dnsbl_result **results, char **cause);
void	 dnsbl_results_free(struct dnsbl_result *, size_t n);
const char *dnsbl_verdict_name(enum dnsbl_verdict);
/* A zone named in a recipe: the default's table when it is one, else a
 * plain list (any 127/8 answer is a listing) that points at ZONE itself:
 * the caller keeps the string. */
struct dnsbl_zone dnsbl_zone_named(const char *zone);

#endif
