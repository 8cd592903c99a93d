/*
 * dns/publish.h -- the records a mail domain should publish, worked out
 * from the server (its domain, addresses, greeting name, relay host) and
 * from what is published now: exactly one SPF record (the existing one
 * merged, never a second), within 10 lookups, with the relay's include;
 * DMARC starting at p=none with reports; MX; the PTR only the address's
 * owner can set. Shown as BIND zone-file lines (a TXT value longer than
 * 255 bytes split into strings of ONE record), as one unsplit value per
 * record for web DNS panels, and as JSON.
 */
#ifndef HW_DNS_PUBLISH_H
#define HW_DNS_PUBLISH_H

#include "dns/resolver.h"

struct pub_record {
	char	*name;		/* "example.com", "_dmarc.example.com" */
	char	*type;		/* "TXT", "MX", "A", "AAAA", "PTR" */
	char	*value;		/* one unsplit value */
	char	*note;		/* why, or what to do; NULL */
	bool	 at_provider;	/* set by the address's owner, not the zone */
};

struct pub_want {
	const char	*domain;
	const char	*helo;		/* myhostname */
	const char	*relayhost;	/* Postfix relayhost, or NULL/"" */
	char *const	*ips;
	size_t		 nips;
	char *const	*includes;	/* SPF includes the admin names */
	size_t		 nincludes;
	const char	*dmarc_rua;	/* NULL: mailto:dmarc@DOMAIN */
	const char	*dmarc_policy;	/* NULL: none */
	const char	*dkim_selector;	/* OpenDKIM's, or NULL: no DKIM record */
	const char	*dkim_key;	/* its p= */
	const char	*dkim_type;	/* "rsa", "ed25519" */
	/* Optional: TLS-RPT's report address (NULL: no record), MTA-STS's
	 * mode ("testing", "enforce"; NULL: no record). */
	const char	*tls_rpt;
	const char	*mta_sts;
	/* What is published now (NULL: nothing, or not asked). */
	const char	*spf_now;
	const char	*dmarc_now;
};

/*
 * The records for W, with notes (a relay hardenwiz does not know, an SPF
 * that would pass 10 lookups) into NOTES. -1 with a cause when the merged
 * SPF cannot be made (it would need an 11th lookup).
 */
int	 pub_records(const struct pub_want *, struct pub_record **, size_t *n,
	    struct strv *notes, char **cause);
void	 pub_records_free(struct pub_record *, size_t n);
/* VALUE as zone-file TXT data: quoted strings of at most 255 bytes, split
 * at a space where there is one, in parentheses when more than one. */
char	*pub_txt_zone(const char *value);

#endif
