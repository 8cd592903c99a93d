/*
 * dns/records.h -- are a mail domain's published records right?
 *
 * Each check says missing, matches or differs, with the exact reason, the
 * way a receiving server would see it: two SPF records are a permerror
 * (RFC 7208 4.5) even when identical; more than 10 DNS-querying terms or 2
 * void lookups, counted through every include, are a permerror (4.6.4); a
 * DKIM key split into two TXT records is no key (RFC 6376 3.6.2.2); a
 * DMARC record needs v=DMARC1 first and a p= (RFC 7489 6.4); a sending
 * address needs a PTR whose name resolves back to it (FCrDNS), best the
 * name the server greets with.
 */
#ifndef HW_DNS_RECORDS_H
#define HW_DNS_RECORDS_H

#include "dns/resolver.h"

enum rec_verdict {
	REC_MATCHES,	/* present and right */
	REC_MISSING,	/* not published */
	REC_DIFFERS,	/* published, and wrong: see why */
	REC_UNKNOWN,	/* the question got no answer */
};

struct rec_check {
	char		*record;	/* "SPF", "DKIM", "DMARC", "MX", "PTR" */
	char		*name;		/* the DNS name asked */
	enum rec_verdict verdict;
	char		*value;		/* what is published, or NULL */
	char		*why;		/* the reason, or NULL */
};

struct rec_want {
	const char	*domain;
	const char	*selector;	/* DKIM; NULL: not checked */
	const char	*dkim_key;	/* the p= OpenDKIM signs with, or NULL */
	const char	*helo;		/* the name Postfix greets with, or NULL */
	char *const	*ips;		/* this server's public addresses */
	size_t		 nips;
};

/*
 * Ask and judge; *OUT gets *N checks (free with rec_checks_free). -1 with
 * a cause only when the resolver cannot be set up.
 */
int	 rec_check_all(const struct dns_opts *, const struct rec_want *,
	    struct rec_check **out, size_t *n, char **cause);
void	 rec_checks_free(struct rec_check *, size_t n);
const char *rec_verdict_name(enum rec_verdict);

/*
 * The DKIM record answer Q judged into C's verdict, value and why: ONE
 * record, well formed, and when SIGNING_KEY is not NULL its p= (what
 * OpenDKIM signs with).
 */
void	 dkim_judge(const struct dns_query *q, const char *signing_key,
	    struct rec_check *c);

/* The pure parts, for the unit tests and the fuzzer. */
/* VALUE is an SPF record: "v=spf1" alone or followed by a space. */
bool	 spf_record(const char *value);
/* An SPF TERM without its qualifier, which goes to *QUALIFIER ('+' when
 * there is none). */
const char *spf_mechanism(const char *term, char *qualifier);
/* SPF: the terms of RECORD that cost a DNS lookup, and its includes and
 * redirect (domains to follow) into FOLLOW; -1 with WHY on bad syntax. */
int	 spf_terms(const char *record, int *lookups, struct strv *follow,
	    char **why);
/* A TXT value at _dmarc that is meant as a DMARC record (right or not). */
bool	 dmarc_record(const char *value);
/* DMARC RECORD's problem, or NULL when it is right (*POLICY: its p=). */
char	*dmarc_problem(const char *record, char **policy);
/* DKIM RECORD's problem, or NULL (*KEY: its p=, caller frees). */
char	*dkim_problem(const char *record, char **key);

#endif
