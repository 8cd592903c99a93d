/*
 * dns/resolver.h -- many DNS questions at once, through libunbound.
 *
 * libunbound is a whole recursive resolver in a library: by default the
 * questions go from this machine to each zone's own name servers, never
 * through the provider's or a public resolver (which Spamhaus refuses
 * with 127.255.255.254, and which may cache an old record for hours).
 * With a server, every question goes to it (a recursive resolver, or an
 * authoritative server for the zones asked). All questions are sent at
 * once and answered within one deadline: ten DNSBL zones cost one round
 * trip, not ten. No DNSSEC validation (no trust anchor is assumed).
 */
#ifndef HW_DNS_RESOLVER_H
#define HW_DNS_RESOLVER_H

#include <stdbool.h>

#include "daemon.h"
#include "util.h"

enum dns_type {
	DNS_A = 1, DNS_NS = 2, DNS_CNAME = 5, DNS_PTR = 12, DNS_MX = 15,
	DNS_TXT = 16, DNS_AAAA = 28,
};

/* How a question ended. */
enum dns_status {
	DNS_PENDING,
	DNS_ANSWER,		/* NOERROR with records of the type */
	DNS_NODATA,		/* NOERROR, the name has no such record */
	DNS_NXDOMAIN,		/* the name does not exist */
	DNS_FAILED,		/* SERVFAIL, REFUSED, timeout: nothing known */
};

struct dns_query {
	char		*name;		/* owned */
	enum dns_type	 type;
	enum dns_status	 status;
	/*
	 * One entry per record, as text: A/AAAA the address, TXT the
	 * record's strings joined (RFC 7208 3.3), MX "PREF HOST", NS, PTR
	 * and CNAME the host (no final dot).
	 */
	struct strv	 values;
	/* TXT: how many strings each record had, in order ("1", "2"). */
	struct strv	 strings;
	char		*why;		/* DNS_FAILED: what happened; owned */
	int		 async_id;
};

struct dns_opts {
	const char	*server;	/* NULL: recursion from the root */
	unsigned int	 timeout_ms;	/* 0: 5000 */
};

void	 dns_query_init(struct dns_query *, const char *name,
	    enum dns_type);
void	 dns_query_release(struct dns_query *);
/*
 * Ask all N questions at once and wait for their answers, up to the
 * deadline (what is not answered then is DNS_FAILED, "no answer in N ms").
 * -1 with a cause only when the resolver cannot be set up (a server that
 * is not an IP address, no memory).
 */
int	 dns_resolve(const struct dns_opts *, struct dns_query *, size_t n,
	    char **cause);
/* The reversed form of IP for DNSBL and PTR: "4.3.2.1" or 32 nibbles;
 * NULL when IP is not an address. Caller frees. */
char	*dns_reverse(const char *ip);
/* The name a PTR question about IP asks: "4.3.2.1.in-addr.arpa". */
char	*dns_ptr_name(const char *ip);

/* addr.c: this machine's public addresses (not private, loopback,
 * link-local, shared or documentation), from its interfaces, into OUT. */
void	 dns_public_addresses(struct strv *out);

#endif
