/*
 * dns/resolver.c -- dns_resolve: libunbound's asynchronous queries, all
 * sent before the first answer is read, processed in this thread (the
 * resolver's own thread does the network work) until the deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>

#include "dns/resolver.h"
#include "i18n.h"

#define DNS_DEFAULT_TIMEOUT_MS	5000

void
dns_query_init(struct dns_query *q, const char *name, enum dns_type type)
{
	memset(q, 0, sizeof *q);
	q->name = xstrdup(name);
	q->type = type;
	q->status = DNS_PENDING;
	strv_init(&q->values);
	strv_init(&q->strings);
}

void
dns_query_release(struct dns_query *q)
{
	free(q->name);
	free(q->why);
	strv_release(&q->values);
	strv_release(&q->strings);
}

/*
 * A name in wire format (uncompressed, as libunbound hands out rdata) at
 * P (LEN bytes left) into OUT, without the final dot. Bytes that are not
 * printable are escaped as \DDD, as dig does: a hostile zone's bytes never
 * reach the terminal raw.
 */
static bool
wire_name(const unsigned char *p, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len && p[i] != 0) {
		size_t n = p[i++];

		if (n > 63 || i + n > len)
			return false;
		if (out->len > 0)
			buf_adds(out, ".");
		for (size_t k = 0; k < n; k++, i++) {
			if (p[i] > 32 && p[i] < 127 && p[i] != '\\')
				buf_add(out, &p[i], 1);
			else
				buf_addf(out, "\\%03u", p[i]);
		}
	}
	if (out->len == 0)
		buf_adds(out, ".");
	return i < len;
}

/* The TXT rdata's strings joined into OUT; how many strings in *N. */
static bool
txt_strings(const unsigned char *p, size_t len, struct buf *out, int *n)
{
	size_t i = 0;

	*n = 0;
	buf_adds(out, "");
	while (i < len) {
		size_t l = p[i++];

		if (i + l > len)
			return false;
		for (size_t k = 0; k < l; k++)
			if (p[i + k] >= 32 && p[i + k] < 127)
				buf_add(out, &p[i + k], 1);
			else
				buf_addf(out, "\\%03u", p[i + k]);
		i += l;
		(*n)++;
	}
	return true;
}

/* One record's rdata as text (see struct dns_query). */
static void
add_rdata(struct dns_query *q, const unsigned char *p, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	struct buf b;
	int strings = 0;
	bool ok = false;

	buf_init(&b);
	switch (q->type) {
	case DNS_A:
	case DNS_AAAA:
		if (len == (q->type == DNS_A ? 4u : 16u) &&
		    inet_ntop(q->type == DNS_A ? AF_INET : AF_INET6, p, addr,
		    sizeof addr) != NULL) {
			buf_adds(&b, addr);
			ok = true;
		}
		break;
	case DNS_MX:
		if (len > 2) {
			buf_addf(&b, "%u ", (unsigned)(p[0] << 8 | p[1]));
			{
				struct buf host;

				buf_init(&host);
				ok = wire_name(p + 2, len - 2, &host);
				buf_adds(&b, buf_str(&host));
				buf_release(&host);
			}
		}
		break;
	case DNS_NS:
	case DNS_PTR:
	case DNS_CNAME:
		ok = wire_name(p, len, &b);
		break;
	case DNS_TXT:
		ok = txt_strings(p, len, &b, &strings);
		break;
	}
	if (ok) {
		strv_add(&q->values, buf_str(&b));
		if (q->type == DNS_TXT)
			strv_addf(&q->strings, "%d", strings);
	}
	buf_release(&b);
}

static void
answered(void *arg, int err, struct ub_result *res)
{
	struct dns_query *q = arg;

	if (err != 0 || res == NULL) {
		q->status = DNS_FAILED;
		q->why = xstrdup(ub_strerror(err));
	} else if (res->rcode == 3) {
		q->status = DNS_NXDOMAIN;
	} else if (res->rcode != 0) {
		static const char *const names[] = { "NOERROR", "FORMERR",
		    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

		q->status = DNS_FAILED;
		q->why = res->rcode < 6 ? xstrdup(names[res->rcode]) :
		    xasprintf("rcode %d", res->rcode);
	} else {
		for (int i = 0; res->havedata && res->data[i] != NULL; i++)
			add_rdata(q, (const unsigned char *)res->data[i],
			    (size_t)res->len[i]);
		q->status = q->values.n > 0 ? DNS_ANSWER : DNS_NODATA;
	}
	if (res != NULL)
		ub_resolve_free(res);
}

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static struct ub_ctx *
make_ctx(const struct dns_opts *o, char **cause)
{
	struct ub_ctx *ctx = ub_ctx_create();
	unsigned char probe[16];
	int r = 0;

	if (ctx == NULL) {
		set_cause(cause, _("cannot set up the DNS resolver (libunbound)"));
		return NULL;
	}
	/* Our own thread for the network: answers are read here. */
	r = ub_ctx_async(ctx, 1);
	/* All questions in flight at once (libunbound's default sends 16
	 * and waits: a DNSBL check would cost four round trips). */
	if (r == 0)
		r = ub_ctx_set_option(ctx, "outgoing-range:", "512");
	if (r == 0 && o != NULL && o->server != NULL) {
		if (inet_pton(AF_INET, o->server, probe) != 1 &&
		    inet_pton(AF_INET6, o->server, probe) != 1) {
			ub_ctx_delete(ctx);
			set_cause(cause, _("--server %s: give the DNS server's "
			    "IP address"), o->server);
			return NULL;
		}
		/* A resolver on this machine is allowed (unbound's default
		 * refuses to ask localhost). */
		r = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
		if (r == 0)
			r = ub_ctx_set_fwd(ctx, o->server);
	}
	if (r != 0) {
		set_cause(cause, _("cannot set up the DNS resolver: %s"),
		    ub_strerror(r));
		ub_ctx_delete(ctx);
		return NULL;
	}
	return ctx;
}

int
dns_resolve(const struct dns_opts *o, struct dns_query *qs, size_t n,
    char **cause)
{
	unsigned int limit = o != NULL && o->timeout_ms ? o->timeout_ms :
	    DNS_DEFAULT_TIMEOUT_MS;
	long deadline = now_ms() + limit;
	struct ub_ctx *ctx = make_ctx(o, cause);
	size_t pending = 0;

	if (ctx == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int r = ub_resolve_async(ctx, qs[i].name, (int)qs[i].type, 1,
		    &qs[i], answered, &qs[i].async_id);

		if (r != 0) {
			qs[i].status = DNS_FAILED;
			qs[i].why = xstrdup(ub_strerror(r));
		} else
			pending++;
	}
	while (pending > 0) {
		long left = deadline - now_ms();
		struct pollfd pfd = { .fd = ub_fd(ctx), .events = POLLIN };

		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (ub_process(ctx) != 0)
			break;
		pending = 0;
		for (size_t i = 0; i < n; i++)
			pending += qs[i].status == DNS_PENDING;
	}
	for (size_t i = 0; i < n; i++) {
		if (qs[i].status != DNS_PENDING)
			continue;
		ub_cancel(ctx, qs[i].async_id);
		qs[i].status = DNS_FAILED;
		qs[i].why = xasprintf(_("no answer in %u ms"), limit);
	}
	ub_ctx_delete(ctx);
	return 0;
}

char *
dns_reverse(const char *ip)
{
	unsigned char a[16];
	struct buf b;

	if (inet_pton(AF_INET, ip, a) == 1)
		return xasprintf("%u.%u.%u.%u", a[3], a[2], a[1], a[0]);
	if (inet_pton(AF_INET6, ip, a) != 1)
		return NULL;
	buf_init(&b);
	for (int i = 15; i >= 0; i--)
		buf_addf(&b, "%s%x.%x", i == 15 ? "" : ".", a[i] & 0xf,
		    a[i] >> 4);
	return b.data;
}

char *
dns_ptr_name(const char *ip)
{
	char *rev = dns_reverse(ip), *name;

	if (rev == NULL)
		return NULL;
	name = xasprintf(strchr(ip, ':') != NULL ? "%s.ip6.arpa" :
	    "%s.in-addr.arpa", rev);
	free(rev);
	return name;
}
