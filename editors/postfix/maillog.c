/*
 * postfix/maillog.c -- Postfix's log lines into counts. See maillog.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "postfix/maillog.h"

void
maillog_init(struct maillog *m)
{
	memset(m, 0, sizeof *m);
}


/* ---- the index ---- */

/*
 * The slot of KEY (LEN bytes) in IDX: the one holding it, or the empty
 * one where it would go. NAME(ARG, I) is element I's name.
 */
static size_t *
index_slot(const struct ml_index *idx, const char *key, size_t len,
    const char *(*name)(const void *, size_t), const void *arg)
{
	size_t mask = idx->cap - 1, i = str_hash(key, len) & mask;

	for (;; i = (i + 1) & mask) {
		size_t *s = &idx->slots[i];
		const char *n;

		if (*s == 0)
			return s;
		n = name(arg, *s - 1);
		if (strlen(n) == len && memcmp(n, key, len) == 0)
			return s;
	}
}

/* Every one of the N elements indexed again, in a table for N + 1. */
static void
index_rebuild(struct ml_index *idx, size_t n,
    const char *(*name)(const void *, size_t), const void *arg)
{
	size_t cap = 16;

	while (cap < 2 * (n + 1))
		cap *= 2;
	free(idx->slots);
	idx->slots = xcalloc(cap, sizeof *idx->slots);
	idx->cap = cap;
	for (size_t i = 0; i < n; i++) {
		const char *k = name(arg, i);

		*index_slot(idx, k, strlen(k), name, arg) = i + 1;
	}
}

/*
 * Empty SLOT and move later entries of its run back into the hole
 * (linear probing's deletion, Knuth 6.4 algorithm R), so that no search
 * stops short of them.
 */
static void
index_remove(struct ml_index *idx, size_t *slot,
    const char *(*name)(const void *, size_t), const void *arg)
{
	size_t mask = idx->cap - 1, i = (size_t)(slot - idx->slots), j = i;

	idx->slots[i] = 0;
	for (;;) {
		size_t home;
		const char *k;

		j = (j + 1) & mask;
		if (idx->slots[j] == 0)
			return;
		k = name(arg, idx->slots[j] - 1);
		home = str_hash(k, strlen(k)) & mask;
		/* Stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		idx->slots[i] = idx->slots[j];
		idx->slots[j] = 0;
		i = j;
	}
}

static void
index_release(struct ml_index *idx)
{
	free(idx->slots);
	memset(idx, 0, sizeof *idx);
}

static const char *
count_name(const void *arg, size_t i)
{
	return ((const struct ml_counts *)arg)->v[i].name;
}

static const char *
msg_name(const void *arg, size_t i)
{
	return ((const struct maillog *)arg)->msgs[i].qid;
}

static void
counts_release(struct ml_counts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		strv_release(&c->v[i].clients);
		strv_release(&c->v[i].reasons);
	}
	free(c->v);
	index_release(&c->idx);
	memset(c, 0, sizeof *c);
}

static void
msg_release(struct ml_msg *m)
{
	free(m->qid);
	free(m->login);
	free(m->client);
	free(m->sender);
}

void
maillog_release(struct maillog *m)
{
	for (size_t i = 0; i < m->nmsgs; i++)
		msg_release(&m->msgs[i]);
	free(m->msgs);
	index_release(&m->msg_idx);
	counts_release(&m->logins);
	counts_release(&m->senders);
	counts_release(&m->auth_failed);
	counts_release(&m->rejects);
	counts_release(&m->deferrals);
	counts_release(&m->local_uids);
	memset(m, 0, sizeof *m);
}

void
maillog_at(struct maillog *m, time_t t)
{
	if (m->first == 0 || t < m->first)
		m->first = t;
	m->before = m->window_start != 0 && t < m->window_start;
}

/* NAME's count in C, added at 0 when new. */
static struct ml_count *
count_of(struct ml_counts *c, const char *name)
{
	struct ml_count *e;
	size_t *slot;

	if (2 * (c->n + 1) > c->idx.cap)
		index_rebuild(&c->idx, c->n, count_name, c);
	slot = index_slot(&c->idx, name, strlen(name), count_name, c);
	if (*slot != 0)
		return &c->v[*slot - 1];
	c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
	e = &c->v[c->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name);
	strv_init(&e->clients);
	strv_init(&e->reasons);
	*slot = c->n;
	return e;
}

static int
by_count(const void *a, const void *b)
{
	const struct ml_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

void
ml_counts_sort(struct ml_counts *c)
{
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, by_count);
	/* The order changed: the index follows it. */
	if (c->idx.cap > 0)
		index_rebuild(&c->idx, c->n, count_name, c);
}

/* The message QID (added when new and ADD). */
static struct ml_msg *
msg_of(struct maillog *m, const char *qid, size_t len, int add)
{
	struct ml_msg *e;
	size_t *slot;

	if (2 * (m->nmsgs + 1) > m->msg_idx.cap)
		index_rebuild(&m->msg_idx, m->nmsgs, msg_name, m);
	slot = index_slot(&m->msg_idx, qid, len, msg_name, m);
	if (*slot != 0)
		return &m->msgs[*slot - 1];
	if (!add)
		return NULL;
	m->msgs = xreallocarray(m->msgs, m->nmsgs + 1, sizeof *m->msgs);
	e = &m->msgs[m->nmsgs++];
	memset(e, 0, sizeof *e);
	e->qid = xstrndup(qid, len);
	*slot = m->nmsgs;
	return e;
}

/* Forget E: its slot emptied, the last message moved into its place. */
static void
msg_forget(struct maillog *m, struct ml_msg *e)
{
	size_t i = (size_t)(e - m->msgs), last = m->nmsgs - 1;

	index_remove(&m->msg_idx, index_slot(&m->msg_idx, e->qid,
	    strlen(e->qid), msg_name, m), msg_name, m);
	msg_release(e);
	if (i != last) {
		const char *q = m->msgs[last].qid;

		/* Found while the last message is still at LAST. */
		*index_slot(&m->msg_idx, q, strlen(q), msg_name, m) = i + 1;
		m->msgs[i] = m->msgs[last];
	}
	m->nmsgs--;
}

/* The value after KEY (as "key=") in S, up to a comma or space; or NULL. */
static char *
field(const char *s, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = strstr(s, key); p != NULL; p = strstr(p + 1, key))
		if ((p == s || p[-1] == ' ' || p[-1] == ',') && p[k] == '=')
			return xstrndup(p + k + 1, strcspn(p + k + 1, ", "));
	return NULL;
}

/*
 * What stands between the first OPEN of S and the CLOSE after it, or
 * NULL: the address of "host[1.2.3.4]", the sender of "from=<s@x>".
 */
static char *
between(const char *s, char open, char close)
{
	const char *o = strchr(s, open), *c;

	if (o == NULL || (c = strchr(o, close)) == NULL)
		return NULL;
	return xstrndup(o + 1, (size_t)(c - o - 1));
}

/*
 * A reason as a group name: addresses (<...>) and bracketed parts left
 * out, white space folded, at most 160 bytes.
 */
static char *
reason(const char *s, size_t len)
{
	struct buf b;
	int depth = 0;

	buf_init(&b);
	for (size_t i = 0; i < len && b.len < 160; i++) {
		char c = s[i];

		if (c == '<' || c == '[')
			depth++;
		else if ((c == '>' || c == ']') && depth > 0)
			depth--;
		else if (depth == 0) {
			if (isspace((unsigned char)c)) {
				if (b.len > 0 && b.data[b.len - 1] != ' ')
					buf_add(&b, " ", 1);
			} else if (isprint((unsigned char)c))
				buf_add(&b, &c, 1);
		}
	}
	while (b.len > 0 && (b.data[b.len - 1] == ' ' || b.data[b.len -
	    1] == ':'))
		b.len--;
	buf_add(&b, "", 0);
	return buf_detach(&b, NULL);
}

/* "... from host[ip]: REASON; from=<...>": REASON, grouped. */
static char *
reject_reason(const char *s)
{
	const char *r = strstr(s, "]: "), *end;

	r = r != NULL ? r + 3 : s;
	end = strstr(r, "; from=");
	return reason(r, end != NULL ? (size_t)(end - r) : strlen(r));
}

/* smtpd: "QID: client=host[ip], sasl_method=..., sasl_username=U". */
static void
on_client(struct ml_msg *e, const char *rest)
{
	char *login = field(rest, "sasl_username");

	free(e->client);
	e->client = between(rest, '[', ']');
	if (login != NULL) {
		free(e->login);
		e->login = login;
	}
}

/* qmgr: "QID: from=<S>, size=...": the message counts once. */
static void
on_from(struct maillog *m, struct ml_msg *e, const char *rest)
{
	char *sender;

	if (e->counted || (sender = between(rest, '<', '>')) == NULL)
		return;
	e->counted = 1;
	free(e->sender);
	e->sender = sender;
	if (m->before) {	/* only what is usual */
		count_of(&m->senders, e->sender[0] != '\0' ? e->sender :
		    "<>")->usual++;
		if (e->login != NULL)
			count_of(&m->logins, e->login)->usual++;
		return;
	}
	count_of(&m->senders, e->sender[0] != '\0' ? e->sender :
	    "<>")->n++;
	if (e->login != NULL) {
		struct ml_count *c = count_of(&m->logins, e->login);

		c->n++;
		if (e->client != NULL && !strv_contains(&c->clients,
		    e->client))
			strv_add(&c->clients, e->client);
	}
}

/* A delivery: "QID: to=<r>, relay=..., status=X (why)". */
static void
on_status(struct maillog *m, struct ml_msg *e, const char *rest)
{
	const char *st = strstr(rest, " status=");
	const char *why;

	if (st == NULL)
		return;
	st += strlen(" status=");
	why = strchr(st, '(');
	if (str_has_prefix(st, "sent"))
		m->sent++;
	else if (str_has_prefix(st, "bounced")) {
		m->bounced++;
		if (e != NULL && e->login != NULL)
			count_of(&m->logins, e->login)->bounced++;
		if (e != NULL && e->sender != NULL)
			count_of(&m->senders, e->sender[0] != '\0' ?
			    e->sender : "<>")->bounced++;
	} else if (str_has_prefix(st, "deferred")) {
		char *r;

		m->deferred++;
		if (e != NULL && e->login != NULL)
			count_of(&m->logins, e->login)->deferred++;
		if (why != NULL) {
			const char *end = strrchr(why, ')');

			r = reason(why + 1, end != NULL && end > why ?
			    (size_t)(end - why - 1) : strlen(why + 1));
			count_of(&m->deferrals, r)->n++;
			free(r);
		}
	}
}

void
maillog_feed(struct maillog *m, const char *program, const char *msg)
{
	size_t qlen;
	const char *rest;
	struct ml_msg *e;

	if (program == NULL || msg == NULL || !str_has_prefix(program,
	    "postfix"))
		return;
	m->lines++;
	if (!m->before && str_has_prefix(msg, "warning: ") && strstr(msg,
	    " authentication failed") != NULL && strstr(msg, "SASL") != NULL) {
		char *ip = between(msg, '[', ']');

		if (ip != NULL)
			count_of(&m->auth_failed, ip)->n++;
		free(ip);
		return;
	}
	if (!m->before && str_has_prefix(msg, "NOQUEUE: reject: ")) {
		char *r = reject_reason(msg + strlen("NOQUEUE: reject: "));

		m->rejected++;
		count_of(&m->rejects, r)->n++;
		free(r);
		return;
	}
	/* "QUEUEID: ...": hex (short ids) or the long id's alphabet. */
	qlen = strspn(msg, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz");
	if (qlen < 5 || msg[qlen] != ':' || msg[qlen + 1] != ' ')
		return;
	rest = msg + qlen + 2;
	if (str_has_prefix(rest, "client=")) {
		on_client(msg_of(m, msg, qlen, 1), rest);
	} else if (str_has_prefix(rest, "from=<")) {
		on_from(m, msg_of(m, msg, qlen, 1), rest);
	} else if (strcmp(rest, "removed") == 0) {
		if ((e = msg_of(m, msg, qlen, 0)) != NULL)
			msg_forget(m, e);
	} else if (m->before) {
		return;		/* the rest counts in the window only */
	} else if (str_has_prefix(rest, "uid=")) {
		char *uid = xstrndup(rest + 4, strspn(rest + 4, "0123456789"));

		if (uid[0] != '\0')	/* pickup: sendmail run by UID */
			count_of(&m->local_uids, uid)->n++;
		free(uid);
	} else if (str_has_prefix(rest, "to=<")) {
		on_status(m, msg_of(m, msg, qlen, 0), rest);
	} else if (str_has_prefix(rest, "milter-reject: ") ||
	    str_has_prefix(rest, "reject: ")) {
		char *r = reject_reason(rest);

		m->rejected++;
		count_of(&m->rejects, r)->n++;
		free(r);
	}
}

void
maillog_feed_syslog(struct maillog *m, const char *line)
{
	const char *p = line, *prog, *end;
	int skip;
	char *program;

	/* RFC 3339 stamp: one word; BSD stamp "Dec  1 10:00:00": three. */
	skip = isdigit((unsigned char)*p) ? 1 : 3;
	for (int i = 0; i < skip + 1 && *p != '\0'; i++) {	/* + host */
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	prog = p;
	end = prog + strcspn(prog, "[: ");
	if (end == prog || (p = strstr(end, ": ")) == NULL)
		return;
	program = xstrndup(prog, (size_t)(end - prog));
	maillog_feed(m, program, p + 2);
	free(program);
}

/* C's bounce share is above the limit (judged from enough messages). */
static bool
bouncing(const struct ml_count *c, const struct ml_limits *l)
{
	size_t total = c->n > c->bounced ? c->n : c->bounced;

	return total >= l->min_for_bounces && c->bounced * 100 > total *
	    l->bounce_percent;
}

/* C's volume is far above its usual (M's history before the window). */
static bool
unusual(const struct maillog *m, const struct ml_count *c,
    const struct ml_limits *l, size_t *expected)
{
	double span, window, usual;

	if (m->window_start == 0 || m->first == 0 || c->n < l->min_unusual)
		return false;
	span = difftime(m->window_start, m->first);
	window = difftime(m->end, m->window_start);
	/* Less history than one window says nothing about "usual". */
	if (window <= 0 || span < window)
		return false;
	usual = (double)c->usual * window / span;
	*expected = (size_t)(usual + 0.5);
	return (double)c->n > usual * l->unusual_factor;
}

/* Judge the sending of C (a login when LOGIN, else a sender). */
static bool
judge_sender(const struct maillog *m, struct ml_count *c,
    const struct ml_limits *l, bool login)
{
	size_t usual = 0;

	if (login && c->clients.n > l->max_clients)
		strv_addf(&c->reasons, _("used from %zu client addresses: its "
		    "password is likely known to others"), c->clients.n);
	if (c->n > l->max_messages)
		strv_addf(&c->reasons, _("%zu messages (limit %zu)"), c->n,
		    l->max_messages);
	else if (unusual(m, c, l, &usual))
		strv_addf(&c->reasons, _("%zu messages, about %zu usually in "
		    "as long"), c->n, usual);
	if (bouncing(c, l) && (login || strcmp(c->name, "<>") != 0))
		strv_addf(&c->reasons, _("%zu%% of its mail bounced: likely "
		    "sent to bought or guessed addresses"), c->bounced * 100 /
		    (c->n > c->bounced ? c->n : c->bounced));
	return c->reasons.n > 0;
}

size_t
maillog_judge(struct maillog *m, const struct ml_limits *l)
{
	size_t n = 0;

	for (size_t i = 0; i < m->logins.n; i++)
		n += judge_sender(m, &m->logins.v[i], l, true);
	for (size_t i = 0; i < m->senders.n; i++)
		n += judge_sender(m, &m->senders.v[i], l, false);
	for (size_t i = 0; i < m->auth_failed.n; i++) {
		struct ml_count *c = &m->auth_failed.v[i];

		if (c->n > l->max_auth_failures && c->reasons.n == 0) {
			strv_addf(&c->reasons, _("failed SMTP AUTH %zu times: "
			    "a password guesser"), c->n);
			n++;
		}
	}
	return n;
}

static void
alerts_of(const struct ml_counts *c, const char *what, struct strv *why)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ml_count *e = &c->v[i];
		struct buf b;

		if (e->reasons.n == 0)
			continue;
		buf_init(&b);
		buf_addf(&b, "%s %s: ", what, e->name);
		for (size_t k = 0; k < e->reasons.n; k++)
			buf_addf(&b, "%s%s", k > 0 ? "; " : "",
			    e->reasons.v[k]);
		strv_add(why, b.data);
		buf_release(&b);
	}
}

void
maillog_alerts(const struct maillog *m, struct strv *why)
{
	alerts_of(&m->logins, _("login"), why);
	alerts_of(&m->senders, _("sender"), why);
	alerts_of(&m->auth_failed, _("client"), why);
}

void
maillog_queued_of(const struct maillog *m, const char *login,
    struct strv *ids)
{
	for (size_t i = 0; i < m->nmsgs; i++)
		if (m->msgs[i].login != NULL && strcmp(m->msgs[i].login,
		    login) == 0)
			strv_add(ids, m->msgs[i].qid);
}
