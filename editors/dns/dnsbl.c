/*
 * dns/dnsbl.c -- the DNSBL check: every question of every list and
 * address (the lists' own tests included) in one dns_resolve round.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnsbl.h"
#include "i18n.h"

/* Spamhaus's return codes (https://www.spamhaus.org/faq/section/DNSBL%20Usage). */
static const struct dnsbl_code spamhaus_codes[] = {
	{ "127.0.0.", 2, 2, "SBL", N_("Spamhaus Block List: a known "
	    "spam source or spam operation") },
	{ "127.0.0.", 3, 3, "CSS", N_("Spamhaus CSS: this address sent "
	    "low-reputation mail (a compromised account or form, or a "
	    "mass-mailing script)") },
	{ "127.0.0.", 4, 7, "XBL", N_("Exploits Block List: a machine "
	    "infected or exploited to send spam (a bot, a proxy)") },
	{ "127.0.0.", 9, 9, "DROP", N_("Don't Route Or Peer: the whole "
	    "network is run by spammers") },
	{ NULL, 0, 0, NULL, NULL },
};
static const struct dnsbl_code spamhaus_policy[] = {
	{ "127.0.0.", 10, 11, "PBL", N_("Policy Block List: this range is "
	    "not meant to send mail straight to other servers; no abuse is "
	    "claimed. Send through your provider's relay (postfix-relay), or "
	    "ask the provider to take the range off the PBL") },
	{ NULL, 0, 0, NULL, NULL },
};
static const struct dnsbl_code spamhaus_errors[] = {
	{ "127.255.255.", 252, 252, "typo", N_("the list's name is "
	    "mistyped") },
	{ "127.255.255.", 254, 254, "public resolver", N_("Spamhaus "
	    "refuses questions that come through a public or shared "
	    "resolver. Ask the list's own servers (the default: no "
	    "--server), run a local resolver (unbound), or use a Spamhaus "
	    "DQS key") },
	{ "127.255.255.", 255, 255, "excessive queries", N_("Spamhaus "
	    "refuses the resolver in use: too many questions came through "
	    "it. Ask the list's own servers (no --server), or use a Spamhaus "
	    "DQS key") },
	{ NULL, 0, 0, NULL, NULL },
};

/* Lists that answer today and are used widely (notes D7). */
const struct dnsbl_zone dnsbl_default_zones[] = {
	{ "zen.spamhaus.org", "Spamhaus ZEN", true,
	  "https://check.spamhaus.org/", spamhaus_codes, spamhaus_errors,
	  spamhaus_policy },
	{ "bl.spamcop.net", "SpamCop", false,
	  "https://www.spamcop.net/bl.shtml", NULL, NULL, NULL },
	{ "b.barracudacentral.org", "Barracuda", false,
	  "https://www.barracudacentral.org/rbl/removal-request", NULL, NULL,
	  NULL },
	{ "psbl.surriel.com", "PSBL", false, "https://psbl.org/", NULL, NULL,
	  NULL },
	{ "bl.mailspike.net", "Mailspike", false,
	  "https://mailspike.org/anubis/lookup.html", NULL, NULL, NULL },
	{ "dnsbl-1.uceprotect.net", "UCEPROTECT level 1", false,
	  "https://www.uceprotect.net/en/rblcheck.php", NULL, NULL, NULL },
};
const size_t dnsbl_ndefault_zones = nitems(dnsbl_default_zones);

struct dnsbl_zone
dnsbl_zone_named(const char *zone)
{
	struct dnsbl_zone z = { zone, zone, true, NULL, NULL, NULL, NULL };

	for (size_t i = 0; i < dnsbl_ndefault_zones; i++)
		if (strcmp(dnsbl_default_zones[i].zone, zone) == 0)
			return dnsbl_default_zones[i];
	return z;
}

const char *
dnsbl_verdict_name(enum dnsbl_verdict v)
{
	static const char *const names[] = { "clean", "listed", "policy",
	    "refused", "unusable", "unknown", "skipped" };

	return names[v];
}

/* The code of TABLE that ADDR is, or NULL. */
static const struct dnsbl_code *
code_of(const struct dnsbl_code *table, const char *addr)
{
	for (size_t i = 0; table != NULL && table[i].prefix != NULL; i++) {
		const struct dnsbl_code *c = &table[i];
		size_t n = strlen(c->prefix);
		char *end;
		unsigned long last;

		if (strncmp(addr, c->prefix, n) != 0)
			continue;
		last = strtoul(addr + n, &end, 10);
		if (*end == '\0' && last >= c->lo && last <= c->hi)
			return c;
	}
	return NULL;
}

static bool
in_loopback_net(const char *addr)
{
	struct in_addr a;

	return inet_pton(AF_INET, addr, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

/* The list's documented error among Q's answers, or NULL. */
static const struct dnsbl_code *
refusal(const struct dnsbl_zone *z, const struct dns_query *q)
{
	for (size_t i = 0; q->status == DNS_ANSWER && i < q->values.n; i++) {
		const struct dnsbl_code *c = code_of(z->errors, q->values.v[i]);

		if (c != NULL)
			return c;
	}
	return NULL;
}

/*
 * RFC 5782's test of zone Z from the answers for its listed (T2) and
 * unlisted (T1) test addresses: DNSBL_CLEAN when it passes.
 */
static enum dnsbl_verdict
zone_health(const struct dnsbl_zone *z, const struct dns_query *t2,
    const struct dns_query *t1, char **why)
{
	const struct dnsbl_code *c;

	if ((c = refusal(z, t2)) != NULL || (c = refusal(z, t1)) != NULL) {
		*why = xasprintf(_("%s refused the question (%s): %s"),
		    z->zone, c->name, _(c->meaning));
		return DNSBL_REFUSED;
	}
	if (t2->status == DNS_FAILED || t1->status == DNS_FAILED) {
		const struct dns_query *f = t2->status == DNS_FAILED ? t2 : t1;

		*why = xasprintf(_("%s did not answer (%s)"), z->zone,
		    f->why != NULL ? f->why : "?");
		return DNSBL_UNKNOWN;
	}
	if (t1->status == DNS_ANSWER) {
		*why = xasprintf(_("%s lists its own test address 127.0.0.1 "
		    "(%s): a dead list that lists everything, or a resolver "
		    "that answers for names that do not exist. Its answers are "
		    "not counted"), z->zone, t1->values.v[0]);
		return DNSBL_UNUSABLE;
	}
	if (t2->status != DNS_ANSWER || !in_loopback_net(t2->values.v[0])) {
		*why = xasprintf(_("%s does not list its test address "
		    "127.0.0.2: the list is gone or the resolver blocks it. Its "
		    "answers are not counted"), z->zone);
		return DNSBL_UNUSABLE;
	}
	return DNSBL_CLEAN;
}

/* The verdict for one address on a list that passed its test. */
static void
judge(struct dnsbl_result *r, const struct dns_query *a,
    const struct dns_query *txt)
{
	const struct dnsbl_zone *z = r->zone;
	const struct dnsbl_code *c;

	if (a->status == DNS_NXDOMAIN || a->status == DNS_NODATA) {
		r->verdict = DNSBL_CLEAN;
		return;
	}
	if (a->status == DNS_FAILED) {
		r->verdict = DNSBL_UNKNOWN;
		r->why = xasprintf(_("%s did not answer (%s)"), z->zone,
		    a->why != NULL ? a->why : "?");
		return;
	}
	if ((c = refusal(z, a)) != NULL) {
		r->verdict = DNSBL_REFUSED;
		r->why = xasprintf(_("%s refused the question (%s): %s"),
		    z->zone, c->name, _(c->meaning));
		return;
	}
	r->verdict = DNSBL_POLICY;
	for (size_t i = 0; i < a->values.n; i++) {
		const char *v = a->values.v[i];

		strv_add(&r->answers, v);
		if (!in_loopback_net(v)) {
			r->verdict = DNSBL_UNKNOWN;
			r->why = xasprintf(_("%s answered %s, which is not a "
			    "blocklist answer (127.0.0.0/8): a resolver that "
			    "rewrites answers?"), z->zone, v);
			return;
		}
		if ((c = code_of(z->policy, v)) != NULL) {
			strv_addf(&r->names, "%s: %s", c->name, _(c->meaning));
			continue;
		}
		r->verdict = DNSBL_LISTED;
		if ((c = code_of(z->codes, v)) != NULL)
			strv_addf(&r->names, "%s: %s", c->name, _(c->meaning));
	}
	if (txt->status == DNS_ANSWER)
		r->txt = xstrdup(txt->values.v[0]);
}

/* The test addresses of RFC 5782, reversed, for IPv4 or IPv6 lists. */
static const char *const test_v4[] = { "2.0.0.127", "1.0.0.127" };
static const char *const test_v6[] = {
	"2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
	"1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0" };

int
dnsbl_check(const struct dns_opts *o, char *const *ips, size_t nips,
    const struct dnsbl_zone *zones, size_t nzones,
    struct dnsbl_result **results, char **cause)
{
	/* Per zone: 4 test questions; per address and zone: A and TXT. */
	size_t ntest = 4 * nzones, n = ntest + 2 * nips * nzones;
	struct dns_query *q = xcalloc(n, sizeof *q);
	struct dnsbl_result *res = xcalloc(nips * nzones + 1, sizeof *res);
	bool *v6 = xcalloc(nips + 1, sizeof *v6);
	int r = 0;

	for (size_t i = 0; i < nips && r == 0; i++) {
		unsigned char a[16];

		v6[i] = inet_pton(AF_INET6, ips[i], a) == 1;
		if (!v6[i] && inet_pton(AF_INET, ips[i], a) != 1)
			r = set_cause(cause, _("'%s' is not an IPv4 or IPv6 "
			    "address"), ips[i]);
	}
	for (size_t k = 0; k < nzones && r == 0; k++) {
		for (int t = 0; t < 4; t++) {
			char *name = xasprintf("%s.%s", t < 2 ? test_v4[t] :
			    test_v6[t - 2], zones[k].zone);

			dns_query_init(&q[4 * k + (size_t)t], name, DNS_A);
			free(name);
		}
		for (size_t i = 0; i < nips; i++) {
			char *rev = dns_reverse(ips[i]);
			char *name = xasprintf("%s.%s", rev, zones[k].zone);
			size_t at = ntest + 2 * (i * nzones + k);

			dns_query_init(&q[at], name, DNS_A);
			dns_query_init(&q[at + 1], name, DNS_TXT);
			free(name);
			free(rev);
		}
	}
	if (r == 0)
		r = dns_resolve(o, q, n, cause);
	for (size_t i = 0; i < nips && r == 0; i++) {
		for (size_t k = 0; k < nzones; k++) {
			struct dnsbl_result *x = &res[i * nzones + k];
			size_t at = ntest + 2 * (i * nzones + k);
			size_t t = 4 * k + (v6[i] ? 2 : 0);

			x->zone = &zones[k];
			x->ip = ips[i];
			strv_init(&x->answers);
			strv_init(&x->names);
			if (v6[i] && !zones[k].ipv6) {
				x->verdict = DNSBL_SKIPPED;
				continue;
			}
			x->verdict = zone_health(&zones[k], &q[t], &q[t + 1],
			    &x->why);
			if (x->verdict == DNSBL_CLEAN)
				judge(x, &q[at], &q[at + 1]);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (q[i].name != NULL)
			dns_query_release(&q[i]);
	free(q);
	free(v6);
	if (r != 0) {
		free(res);
		return -1;
	}
	*results = res;
	return 0;
}

void
dnsbl_results_free(struct dnsbl_result *res, size_t n)
{
	for (size_t i = 0; res != NULL && i < n; i++) {
		strv_release(&res[i].answers);
		strv_release(&res[i].names);
		free(res[i].txt);
		free(res[i].why);
	}
	free(res);
}
