/*
 * dns/records.c -- rec_check_all: the domain's SPF, DKIM, DMARC and MX
 * and the addresses' PTR in one round of questions, then one round per
 * level of SPF includes (at most 10, the RFC's own limit) and one for the
 * addresses the PTR names and the a/mx terms point to.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/records.h"
#include "i18n.h"

#define SPF_MAX_LOOKUPS	10
#define SPF_MAX_VOID	2

const char *
rec_verdict_name(enum rec_verdict v)
{
	static const char *const names[] = { "matches", "missing", "differs",
	    "unknown" };

	return names[v];
}

/* "k=v; k=v" into KEYS and VALUES, white space around each trimmed. */
static void
tags_parse(const char *record, struct strv *keys, struct strv *values)
{
	char *copy = xstrdup(record), *save = NULL;

	for (char *t = strtok_r(copy, ";", &save); t != NULL;
	    t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');

		if (eq == NULL) {
			if (*trim(t) != '\0') {
				strv_add(keys, trim(t));
				strv_add(values, "");
			}
			continue;
		}
		*eq = '\0';
		strv_add(keys, trim(t));
		strv_add(values, trim(eq + 1));
	}
	free(copy);
}

static const char *
tag(const struct strv *keys, const struct strv *values, const char *k)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->v[i], k) == 0)
			return values->v[i];
	return NULL;
}

char *
dmarc_problem(const char *record, char **policy)
{
	struct strv k, v;
	const char *p, *sp, *rua;
	char *why = NULL;

	*policy = NULL;
	strv_init(&k);
	strv_init(&v);
	tags_parse(record, &k, &v);
	p = tag(&k, &v, "p");
	sp = tag(&k, &v, "sp");
	rua = tag(&k, &v, "rua");
	if (k.n == 0 || strcmp(k.v[0], "v") != 0 || strcmp(v.v[0],
	    "DMARC1") != 0)
		why = xstrdup(_("it does not start with v=DMARC1: receivers "
		    "ignore the whole record"));
	else if (p == NULL)
		why = xstrdup(_("it has no p= (none, quarantine or reject): "
		    "receivers ignore the whole record"));
	else if (strcmp(p, "none") != 0 && strcmp(p, "quarantine") != 0 &&
	    strcmp(p, "reject") != 0)
		why = xasprintf(_("p=%s is not none, quarantine or reject"), p);
	else if (sp != NULL && strcmp(sp, "none") != 0 && strcmp(sp,
	    "quarantine") != 0 && strcmp(sp, "reject") != 0)
		why = xasprintf(_("sp=%s is not none, quarantine or reject"),
		    sp);
	else if (rua != NULL && strncasecmp(rua, "mailto:", 7) != 0)
		why = xasprintf(_("rua=%s is not a mailto: address"), rua);
	if (why == NULL && p != NULL)
		*policy = xstrdup(p);
	strv_release(&k);
	strv_release(&v);
	return why;
}

char *
dkim_problem(const char *record, char **key)
{
	struct strv k, v;
	const char *p, *ver, *kt;
	char *why = NULL;
	struct buf b;

	*key = NULL;
	strv_init(&k);
	strv_init(&v);
	tags_parse(record, &k, &v);
	p = tag(&k, &v, "p");
	ver = tag(&k, &v, "v");
	kt = tag(&k, &v, "k");
	buf_init(&b);
	for (const char *c = p != NULL ? p : ""; *c != '\0'; c++)
		if (!isspace((unsigned char)*c))
			buf_add(&b, c, 1);
	if (ver != NULL && (strcmp(k.v[0], "v") != 0 || strcmp(ver,
	    "DKIM1") != 0))
		why = xstrdup(_("v= must be first and DKIM1"));
	else if (kt != NULL && strcmp(kt, "rsa") != 0 && strcmp(kt,
	    "ed25519") != 0)
		why = xasprintf(_("k=%s is not rsa or ed25519"), kt);
	else if (p == NULL)
		why = xstrdup(_("it has no p= (the public key)"));
	else if (b.len == 0)
		why = xstrdup(_("p= is empty: the key is revoked"));
	else if (strspn(buf_str(&b), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789+/=") != b.len)
		why = xstrdup(_("p= is not base64 (quotes or a line break "
		    "pasted into the value?)"));
	if (why == NULL)
		*key = xstrdup(buf_str(&b));
	buf_release(&b);
	strv_release(&k);
	strv_release(&v);
	return why;
}

bool
spf_record(const char *value)
{
	return strncasecmp(value, "v=spf1", 6) == 0 && (value[6] == '\0' ||
	    value[6] == ' ');
}

const char *
spf_mechanism(const char *term, char *qualifier)
{
	if (*term != '\0' && strchr("+-~?", *term) != NULL) {
		*qualifier = *term;
		return term + 1;
	}
	*qualifier = '+';
	return term;
}

/* The domain of a mechanism "name:domain/cidr" or "name/cidr", or NULL. */
static char *
mech_domain(const char *arg)
{
	if (arg == NULL || *arg != ':')
		return NULL;
	return xstrndup(arg + 1, strcspn(arg + 1, "/"));
}

int
spf_terms(const char *record, int *lookups, struct strv *follow, char **why)
{
	static const char *const counted[] = { "include", "a", "mx", "ptr",
	    "exists", NULL };
	static const char *const free_mechs[] = { "all", "ip4", "ip6",
	    NULL };
	char *copy, *save = NULL;
	int r = 0;

	*lookups = 0;
	if (!spf_record(record))
		return set_cause(why, _("'%s' is not an SPF record"), record);
	copy = xstrdup(record + 6);
	for (char *t = strtok_r(copy, " ", &save); t != NULL && r == 0;
	    t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '='), qualifier;
		const char *name;
		size_t n;
		bool known = false;

		if (eq != NULL && strcspn(t, ":/") > (size_t)(eq - t)) {
			/* A modifier: redirect= costs a lookup, exp= not. */
			if (strncasecmp(t, "redirect=", 9) == 0) {
				(*lookups)++;
				strv_add(follow, eq + 1);
			}
			continue;
		}
		name = spf_mechanism(t, &qualifier);
		n = strcspn(name, ":/");
		for (size_t i = 0; counted[i] != NULL; i++) {
			if (strlen(counted[i]) == n && strncasecmp(name,
			    counted[i], n) == 0) {
				(*lookups)++;
				known = true;
				if (i == 0) {
					char *d = mech_domain(name + n);

					if (d == NULL)
						r = set_cause(why, _("'%s' "
						    "names no domain"), t);
					else
						strv_add(follow, d);
					free(d);
				}
			}
		}
		for (size_t i = 0; free_mechs[i] != NULL; i++)
			known |= strlen(free_mechs[i]) == n &&
			    strncasecmp(name, free_mechs[i], n) == 0;
		if (!known && r == 0)
			r = set_cause(why, _("'%s' is not an SPF mechanism: "
			    "receivers give a permerror"), t);
	}
	free(copy);
	return r;
}

/*
 * The names RECORD's a:, mx: and exists: terms ask about, into HOSTS as
 * "A name" or "MX name": each that has no answer is a void lookup.
 */
static void
spf_hosts(const char *record, struct strv *hosts)
{
	static const char *const kinds[] = { "a", "mx", "exists", NULL };
	char *copy = xstrdup(record), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save)) {
		char qualifier;
		const char *name = spf_mechanism(t, &qualifier);
		size_t n = strcspn(name, ":/");

		for (size_t i = 0; kinds[i] != NULL; i++) {
			char *d;

			if (strlen(kinds[i]) != n || strncasecmp(name, kinds[i],
			    n) != 0 || (d = mech_domain(name + n)) == NULL)
				continue;
			/* A macro (%{i}) cannot be asked ahead. */
			if (strchr(d, '%') == NULL)
				strv_addf(hosts, "%s %s", i == 1 ? "MX" : "A",
				    d);
			free(d);
		}
	}
	free(copy);
}

/* How many of HOSTS ("A name", "MX name") have no answer; into VOID. */
static int
void_lookups(const struct dns_opts *o, const struct strv *hosts,
    struct strv *voided, char **cause)
{
	struct dns_query *q = xcalloc(hosts->n + 1, sizeof *q);
	int n = 0;

	for (size_t i = 0; i < hosts->n; i++)
		dns_query_init(&q[i], strchr(hosts->v[i], ' ') + 1,
		    hosts->v[i][0] == 'M' ? DNS_MX : DNS_A);
	if (hosts->n > 0 && dns_resolve(o, q, hosts->n, cause) != 0)
		n = -1;
	for (size_t i = 0; i < hosts->n; i++) {
		if (n >= 0 && (q[i].status == DNS_NXDOMAIN ||
		    q[i].status == DNS_NODATA)) {
			n++;
			strv_add(voided, q[i].name);
		}
		dns_query_release(&q[i]);
	}
	free(q);
	return n;
}

/* The v=spf1 records among Q's TXT answers. */
static void
spf_records(const struct dns_query *q, struct strv *out)
{
	for (size_t i = 0; q->status == DNS_ANSWER && i < q->values.n; i++)
		if (spf_record(q->values.v[i]))
			strv_add(out, q->values.v[i]);
}

static struct rec_check *
add_check(struct rec_check **list, size_t *n, const char *record,
    const char *name)
{
	struct rec_check *c;

	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	c = &(*list)[(*n)++];
	memset(c, 0, sizeof *c);
	c->record = xstrdup(record);
	c->name = xstrdup(name);
	return c;
}

static void
judge_unknown(struct rec_check *c, const struct dns_query *q)
{
	c->verdict = REC_UNKNOWN;
	c->why = xasprintf(_("no answer: %s"), q->why != NULL ? q->why :
	    "?");
}

/* Does ADDR (text) fall in the ip4:/ip6: network NET ("a.b.c.d/n")? */
static bool
in_network(const char *addr, const char *net)
{
	unsigned char a[16], b[16];
	char *host = xstrndup(net, strcspn(net, "/"));
	const char *slash = strchr(net, '/');
	int fam = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	int bits = slash != NULL ? atoi(slash + 1) : fam == AF_INET ? 32 : 128;
	bool ok = inet_pton(fam, addr, a) == 1 && inet_pton(fam, host, b) == 1;

	free(host);
	for (int i = 0; ok && i < bits; i++)
		ok = ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8))) == 0;
	return ok;
}

/* The ip4:/ip6: networks of RECORD into NETS. */
static void
spf_networks(const char *record, struct strv *nets)
{
	char *copy = xstrdup(record), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t != NULL;
	    t = strtok_r(NULL, " ", &save)) {
		char qualifier;
		const char *m = spf_mechanism(t, &qualifier);

		/* Only pass (+ or none) mechanisms authorize. */
		if (qualifier != '+')
			continue;
		if (strncasecmp(m, "ip4:", 4) == 0 || strncasecmp(m, "ip6:",
		    4) == 0)
			strv_add(nets, m + 4);
	}
	free(copy);
}

/*
 * SPF through its includes, a round of questions per level: the lookup
 * and void counts, the networks, and the first problem found.
 */
static void
spf_follow(const struct dns_opts *o, const char *record, int *lookups,
    int *voids, struct strv *nets, char **why)
{
	struct strv level, next, hosts;
	char *cause = NULL;

	strv_init(&level);
	strv_init(&hosts);
	if (spf_terms(record, lookups, &level, why) != 0) {
		strv_release(&level);
		strv_release(&hosts);
		return;
	}
	spf_networks(record, nets);
	spf_hosts(record, &hosts);
	for (int depth = 0; level.n > 0 && *why == NULL && depth < 10;
	    depth++) {
		struct dns_query *q = xcalloc(level.n, sizeof *q);

		strv_init(&next);
		for (size_t i = 0; i < level.n; i++)
			dns_query_init(&q[i], level.v[i], DNS_TXT);
		if (dns_resolve(o, q, level.n, &cause) != 0) {
			*why = cause;
			cause = NULL;
		}
		for (size_t i = 0; i < level.n && *why == NULL; i++) {
			struct strv recs;
			int more = 0;

			strv_init(&recs);
			spf_records(&q[i], &recs);
			if (q[i].status == DNS_FAILED)
				*why = xasprintf(_("include:%s got no answer "
				    "(%s): receivers give a temperror"),
				    level.v[i], q[i].why);
			else if (recs.n == 0) {
				(*voids) += q[i].status != DNS_ANSWER;
				*why = xasprintf(_("include:%s has no SPF "
				    "record: receivers give a permerror"),
				    level.v[i]);
			} else if (recs.n > 1)
				*why = xasprintf(_("include:%s has %zu SPF "
				    "records: a permerror"), level.v[i],
				    recs.n);
			else if (spf_terms(recs.v[0], &more, &next, why) ==
			    0) {
				*lookups += more;
				spf_networks(recs.v[0], nets);
				spf_hosts(recs.v[0], &hosts);
			}
			strv_release(&recs);
		}
		for (size_t i = 0; i < level.n; i++)
			dns_query_release(&q[i]);
		free(q);
		strv_release(&level);
		level = next;
	}
	strv_release(&level);
	if (*why == NULL) {
		struct strv voided;
		int n;

		strv_init(&voided);
		n = void_lookups(o, &hosts, &voided, &cause);
		if (n < 0) {
			*why = cause;
			cause = NULL;
		} else if (*voids + n > SPF_MAX_VOID) {
			char *list = argv_quote(voided.v);

			*why = xasprintf(_("%d of its lookups find nothing "
			    "(%s), more than 2: receivers give a permerror "
			    "(RFC 7208 4.6.4). Remove the terms for names "
			    "that no longer exist"), *voids + n, list);
			free(list);
		}
		*voids += n > 0 ? n : 0;
		strv_release(&voided);
	}
	strv_release(&hosts);
}

static void
check_spf(const struct dns_opts *o, const struct rec_want *w,
    const struct dns_query *q, const struct strv *own, struct rec_check *c)
{
	struct strv recs, nets;
	int lookups = 0, voids = 0;

	strv_init(&recs);
	strv_init(&nets);
	spf_records(q, &recs);
	if (q->status == DNS_FAILED)
		judge_unknown(c, q);
	else if (recs.n == 0) {
		c->verdict = REC_MISSING;
	} else if (recs.n > 1) {
		c->verdict = REC_DIFFERS;
		c->value = xstrdup(recs.v[0]);
		c->why = xasprintf(_("%zu SPF records: receivers give a "
		    "permerror (RFC 7208 4.5) even when they are alike. Keep "
		    "one, merged"), recs.n);
	} else {
		c->value = xstrdup(recs.v[0]);
		spf_follow(o, recs.v[0], &lookups, &voids, &nets, &c->why);
		/* The a and mx terms of the domain itself: its addresses. */
		for (size_t i = 0; i < own->n; i++)
			strv_add(&nets, own->v[i]);
		if (c->why == NULL && lookups > SPF_MAX_LOOKUPS)
			c->why = xasprintf(_("%d DNS lookups through its "
			    "includes, more than 10: receivers give a "
			    "permerror (RFC 7208 4.6.4). Remove includes no "
			    "longer used, or put ip4:/ip6: in their place"),
			    lookups);
		for (size_t i = 0; i < w->nips && c->why == NULL; i++) {
			bool in = false;

			for (size_t k = 0; k < nets.n && !in; k++)
				in = in_network(w->ips[i], nets.v[k]);
			if (!in)
				c->why = xasprintf(_("this server's address %s "
				    "is not in it: add ip%c:%s"), w->ips[i],
				    strchr(w->ips[i], ':') ? '6' : '4',
				    w->ips[i]);
		}
		c->verdict = c->why == NULL ? REC_MATCHES : REC_DIFFERS;
	}
	strv_release(&recs);
	strv_release(&nets);
}

void
dkim_judge(const struct dns_query *q, const char *signing_key,
    struct rec_check *c)
{
	char *key = NULL;

	if (q->status == DNS_FAILED) {
		judge_unknown(c, q);
		return;
	}
	if (q->status != DNS_ANSWER) {
		c->verdict = REC_MISSING;
		return;
	}
	c->value = xstrdup(q->values.v[0]);
	c->verdict = REC_DIFFERS;
	if (q->values.n > 1)
		c->why = xasprintf(_("%zu TXT records: a key split into "
		    "records is no key. Publish ONE record; its value may be "
		    "several strings of at most 255 bytes"), q->values.n);
	else if ((c->why = dkim_problem(q->values.v[0], &key)) == NULL &&
	    signing_key != NULL && strcmp(key, signing_key) != 0)
		c->why = xstrdup(_("the published key is not the one "
		    "OpenDKIM signs with: every signature fails"));
	if (c->why == NULL)
		c->verdict = REC_MATCHES;
	free(key);
}

bool
dmarc_record(const char *value)
{
	/* Meant as one even when misordered: it must be replaced, not added. */
	return strncasecmp(value, "v=DMARC1", 8) == 0 ||
	    strstr(value, "DMARC1") != NULL;
}

static void
check_dmarc(const struct dns_query *q, struct rec_check *c)
{
	char *policy = NULL;
	size_t n = 0;

	if (q->status == DNS_FAILED) {
		judge_unknown(c, q);
		return;
	}
	const char *first = NULL;

	for (size_t i = 0; q->status == DNS_ANSWER && i < q->values.n; i++)
		if (dmarc_record(q->values.v[i])) {
			n++;
			if (first == NULL)
				first = q->values.v[i];
		}
	if (n == 0) {
		c->verdict = REC_MISSING;
		return;
	}
	c->value = xstrdup(first);
	if (n > 1)
		c->why = xasprintf(_("%zu DMARC records: receivers ignore "
		    "them all. Keep one"), n);
	else
		c->why = dmarc_problem(first, &policy);
	c->verdict = c->why == NULL ? REC_MATCHES : REC_DIFFERS;
	free(policy);
}

static void
check_mx(const struct dns_query *q, struct rec_check *c)
{
	struct buf b;

	if (q->status == DNS_FAILED) {
		judge_unknown(c, q);
		return;
	}
	if (q->status != DNS_ANSWER) {
		c->verdict = REC_MISSING;
		c->why = xstrdup(_("no MX: mail to the domain goes to its "
		    "A record, and bounces cannot come back"));
		return;
	}
	buf_init(&b);
	for (size_t i = 0; i < q->values.n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", q->values.v[i]);
	c->value = buf_detach(&b, NULL);
	c->verdict = REC_MATCHES;
}

/* PTR of IP: FCrDNS with the forward answers FWD (A/AAAA of the name). */
static void
check_ptr(const struct rec_want *w, const char *ip, const struct dns_query *q,
    const struct dns_query *fwd, struct rec_check *c)
{
	bool back = false;

	if (q->status == DNS_FAILED) {
		judge_unknown(c, q);
		return;
	}
	if (q->status != DNS_ANSWER) {
		c->verdict = REC_MISSING;
		c->why = xasprintf(_("no PTR for %s: many servers refuse mail "
		    "from it. Only the address's owner (your provider's panel) "
		    "can set it, to %s"), ip, w->helo != NULL ? w->helo :
		    _("this server's name"));
		return;
	}
	c->value = xstrdup(q->values.v[0]);
	for (size_t i = 0; fwd != NULL && i < fwd->values.n; i++)
		back |= strcmp(fwd->values.v[i], ip) == 0;
	if (!back)
		c->why = xasprintf(_("%s does not resolve back to %s "
		    "(forward-confirmed reverse DNS fails): give it an %s "
		    "record with this address"), q->values.v[0], ip,
		    strchr(ip, ':') ? "AAAA" : "A");
	else if (w->helo != NULL && strcasecmp(q->values.v[0], w->helo) != 0)
		c->why = xasprintf(_("the PTR is %s but Postfix greets as %s "
		    "(myhostname): make them the same name"), q->values.v[0],
		    w->helo);
	c->verdict = c->why == NULL ? REC_MATCHES : REC_DIFFERS;
}

int
rec_check_all(const struct dns_opts *o, const struct rec_want *w,
    struct rec_check **out, size_t *nout, char **cause)
{
	/* Round 1: TXT, DKIM, DMARC, MX, A and AAAA of the domain, PTRs. */
	size_t base = 6, n = base + w->nips, nf = 0;
	struct dns_query *q = xcalloc(n, sizeof *q), *f = NULL;
	char *name;
	struct rec_check *list = NULL;
	struct strv own;
	size_t count = 0;
	int r;

	dns_query_init(&q[0], w->domain, DNS_TXT);
	name = xasprintf("%s._domainkey.%s", w->selector != NULL ?
	    w->selector : "default", w->domain);
	dns_query_init(&q[1], name, DNS_TXT);
	free(name);
	name = xasprintf("_dmarc.%s", w->domain);
	dns_query_init(&q[2], name, DNS_TXT);
	free(name);
	dns_query_init(&q[3], w->domain, DNS_MX);
	dns_query_init(&q[4], w->domain, DNS_A);
	dns_query_init(&q[5], w->domain, DNS_AAAA);
	for (size_t i = 0; i < w->nips; i++) {
		name = dns_ptr_name(w->ips[i]);
		dns_query_init(&q[base + i], name, DNS_PTR);
		free(name);
	}
	r = dns_resolve(o, q, n, cause);
	/* Round 2: the PTR names' addresses, for FCrDNS. */
	if (r == 0 && w->nips > 0) {
		f = xcalloc(w->nips, sizeof *f);
		for (size_t i = 0; i < w->nips; i++, nf++)
			dns_query_init(&f[i], q[base + i].status == DNS_ANSWER ?
			    q[base + i].values.v[0] : "invalid.", strchr(
			    w->ips[i], ':') ? DNS_AAAA : DNS_A);
		r = dns_resolve(o, f, nf, cause);
	}
	strv_init(&own);
	for (size_t k = 4; r == 0 && k < 6; k++)
		for (size_t i = 0; q[k].status == DNS_ANSWER &&
		    i < q[k].values.n; i++)
			strv_add(&own, q[k].values.v[i]);
	if (r == 0) {
		check_spf(o, w, &q[0], &own, add_check(&list, &count, "SPF",
		    w->domain));
		if (w->selector != NULL)
			dkim_judge(&q[1], w->dkim_key, add_check(&list,
			    &count, "DKIM", q[1].name));
		check_dmarc(&q[2], add_check(&list, &count, "DMARC",
		    q[2].name));
		check_mx(&q[3], add_check(&list, &count, "MX", w->domain));
		for (size_t i = 0; i < w->nips; i++)
			check_ptr(w, w->ips[i], &q[base + i], &f[i],
			    add_check(&list, &count, "PTR", q[base + i].name));
	}
	strv_release(&own);
	for (size_t i = 0; i < n; i++)
		dns_query_release(&q[i]);
	for (size_t i = 0; i < nf; i++)
		dns_query_release(&f[i]);
	free(q);
	free(f);
	if (r != 0) {
		rec_checks_free(list, count);
		return -1;
	}
	*out = list;
	*nout = count;
	return 0;
}

void
rec_checks_free(struct rec_check *list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++) {
		free(list[i].record);
		free(list[i].name);
		free(list[i].value);
		free(list[i].why);
	}
	free(list);
}
