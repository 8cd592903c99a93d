/*
 * postqueue.c -- reading, summarising and acting on the Postfix queue.
 * See postqueue.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postqueue.h"
#include "postfix/postfix.h"
#include "run.h"

/* A queue of 100,000 messages is about 30 MB of postqueue -j. */
#define QUEUE_MAX_OUTPUT	(256u << 20)

void
mailqueue_init(struct mailqueue *q)
{
	memset(q, 0, sizeof *q);
}

void
mailqueue_release(struct mailqueue *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].id);
		free(q->v[i].queue);
		free(q->v[i].sender);
		strv_release(&q->v[i].recipients);
		strv_release(&q->v[i].reasons);
	}
	free(q->v);
	memset(q, 0, sizeof *q);
}

static struct queued *
add(struct mailqueue *q, const char *id, const char *queue,
    const char *sender)
{
	struct queued *m;

	q->v = xreallocarray(q->v, q->n + 1, sizeof *q->v);
	m = &q->v[q->n++];
	memset(m, 0, sizeof *m);
	/* Shown and used as JSON keys: valid UTF-8 only. */
	m->id = utf8_escape(id, strlen(id), false);
	m->queue = utf8_escape(queue, strlen(queue), false);
	m->sender = utf8_escape(sender, strlen(sender), false);
	strv_init(&m->recipients);
	strv_init(&m->reasons);
	return m;
}

/*
 * A message's size as reported, kept to 0..1 TiB: the queue file is
 * Postfix's, but a damaged one must not make the total wrap.
 */
#define MAX_MESSAGE	(1LL << 40)

static long
message_size(long long n)
{
	return n < 0 ? 0 : n > MAX_MESSAGE ? (long)MAX_MESSAGE : (long)n;
}

/* S into V, as valid UTF-8 (the report's JSON keys must be). */
static void
add_valid(struct strv *v, const char *s)
{
	char *valid = utf8_escape(s, strlen(s), false);

	strv_add(v, valid);
	free(valid);
}

static const char *
str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

void
mailqueue_parse_json(struct mailqueue *q, const char *text)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		/*
		 * A sender that is not valid UTF-8 would make the whole line
		 * invalid JSON and the message vanish from the count: its
		 * bad bytes are escaped first.
		 */
		char *valid = utf8_escape(line, len, true);
		json_t *o = json_loadb(valid, strlen(valid), 0, NULL);

		free(valid);

		if (json_is_object(o) && json_is_string(json_object_get(o,
		    "queue_id"))) {
			struct queued *m = add(q, str_of(o, "queue_id"),
			    str_of(o, "queue_name"), str_of(o, "sender"));
			json_t *rcpts = json_object_get(o, "recipients");
			size_t i;
			json_t *r;

			m->arrival = (time_t)json_integer_value(
			    json_object_get(o, "arrival_time"));
			m->size = message_size(json_integer_value(
			    json_object_get(o, "message_size")));
			json_array_foreach(rcpts, i, r) {
				add_valid(&m->recipients, str_of(r,
				    "address"));
				add_valid(&m->reasons, str_of(r,
				    "delay_reason"));
			}
		}
		json_decref(o);
		line = nl != NULL ? nl + 1 : NULL;
	}
}

/* "Mon Jun  4 12:34:56": the last such date not after NOW. */
static time_t
list_date(const char *s, time_t now)
{
	struct tm tm, today;
	time_t t;

	memset(&tm, 0, sizeof tm);
	localtime_r(&now, &today);
	if (strptime(s, "%a %b %d %H:%M:%S", &tm) == NULL)
		return now;
	tm.tm_year = today.tm_year;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t > now + 86400) {
		tm.tm_year--;
		t = mktime(&tm);
	}
	return t;
}

/*
 * postqueue -p: a header line, then per message
 *   ID[*!]  SIZE Www Mmm dd hh:mm:ss  SENDER
 *   (reason)                 -- deferred recipients only
 *                            RECIPIENT
 *   (blank line)
 * and a "-- N Kbytes in M Requests." trailer.
 */
void
mailqueue_parse_list(struct mailqueue *q, const char *text, time_t now)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	struct queued *m = NULL;
	char *reason = NULL;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		struct strv w;

		strv_init(&w);
		if (line[0] != '-' && line[0] != ' ' && line[0] != '(')
			split_list(line, &w);
		/* ID[*!] SIZE Www Mmm dd hh:mm:ss [SENDER] */
		if (w.n >= 6 && strspn(w.v[1], "0123456789") ==
		    strlen(w.v[1])) {
			size_t n = strlen(w.v[0]);
			char mark = n > 0 ? w.v[0][n - 1] : '\0';
			char *date = xasprintf("%s %s %s %s", w.v[2], w.v[3],
			    w.v[4], w.v[5]);

			if (mark == '*' || mark == '!')
				w.v[0][n - 1] = '\0';
			m = add(q, w.v[0], mark == '*' ? "active" : mark ==
			    '!' ? "hold" : "deferred", w.n > 6 &&
			    strcmp(w.v[6], "MAILER-DAEMON") != 0 ? w.v[6] :
			    "");
			m->size = message_size(strtoll(w.v[1], NULL, 10));
			m->arrival = list_date(date, now);
			free(date);
			free(reason);
			reason = NULL;
			strv_release(&w);
			continue;
		}
		strv_release(&w);
		if (line[0] == '-')
			continue;
		if (m != NULL && line[strspn(line, " ")] == '(') {
			char *r = line + strspn(line, " ") + 1;
			char *end = strrchr(r, ')');

			free(reason);
			reason = xstrndup(r, end != NULL ? (size_t)(end - r) :
			    strlen(r));
		} else if (m != NULL && line[0] == ' ') {
			add_valid(&m->recipients, trim(line));
			add_valid(&m->reasons, reason != NULL ? reason : "");
		}
	}
	free(reason);
	free(copy);
}

int
mailqueue_read(const char *root, struct mailqueue *q, char **cause)
{
	char *dir = NULL;
	struct buf out;
	struct run_opts big = { .max_output = QUEUE_MAX_OUTPUT };
	int status = 0, r = -1;

	if (fs_resolve(root, POSTFIX_DIR, &dir, cause) != 0)
		return -1;
	buf_init(&out);
	{
		char *j[] = { "postqueue", "-c", dir, "-j", NULL };

		if (run_argv(j, &big, &out, &status, cause) != 0)
			goto out;
	}
	if (status == 0) {
		mailqueue_parse_json(q, out.data != NULL ? out.data : "");
		r = 0;
		goto out;
	}
	if (out.data == NULL || (strstr(out.data, "invalid option") ==
	    NULL && strstr(out.data, "illegal option") == NULL &&
	    strstr(out.data, "usage") == NULL)) {
		set_cause(cause, _("'postqueue -j' failed (exit %d): %s"),
		    status, out.data != NULL ? trim(out.data) : "");
		goto out;
	}
	/* Postfix < 3.1 has no -j: the list format, then. */
	buf_release(&out);
	buf_init(&out);
	{
		char *p[] = { "postqueue", "-c", dir, "-p", NULL };

		if (run_checked(p, &big, &out, cause) != 0)
			goto out;
	}
	mailqueue_parse_list(q, out.data != NULL ? out.data : "", time(NULL));
	r = 0;
out:
	buf_release(&out);
	free(dir);
	return r;
}

/* COUNTS[key]++ (a JSON object of integers). */
static void
count(json_t *counts, const char *key)
{
	json_t *n = json_object_get(counts, key);

	json_object_set_new(counts, key, json_integer(n != NULL ?
	    json_integer_value(n) + 1 : 1));
}

static int
by_count(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a,
	    "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b,
	    "count"));

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a,
	    "name")), json_string_value(json_object_get(*(json_t *const *)b,
	    "name")));
}

/* COUNTS as [{"name", "count"}], largest first, at most TOP, >= MIN. */
static json_t *
ranked(json_t *counts, size_t top, json_int_t min)
{
	size_t n = json_object_size(counts), k = 0;
	json_t **items = xcalloc(n + 1, sizeof *items), *arr = json_array();
	const char *key;
	json_t *v;

	json_object_foreach(counts, key, v) {
		items[k] = json_object();
		json_object_set_new(items[k], "name", json_string(key));
		json_object_set(items[k], "count", v);
		k++;
	}
	qsort(items, n, sizeof *items, by_count);
	for (k = 0; k < n; k++) {
		if (json_array_size(arr) < top && json_integer_value(
		    json_object_get(items[k], "count")) >= min)
			json_array_append(arr, items[k]);
		json_decref(items[k]);
	}
	free(items);
	return arr;
}

json_t *
mailqueue_summary(const struct mailqueue *q, time_t now, long threshold)
{
	json_t *doc = json_object(), *queues = json_object();
	json_t *senders = json_object(), *reasons = json_object();
	const struct queued *oldest = NULL;
	long bytes = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct queued *m = &q->v[i];
		struct strv seen;

		count(queues, m->queue);
		count(senders, mailqueue_sender(m));
		/* Sizes are at most MAX_MESSAGE: the sum cannot wrap. */
		bytes = bytes > LONG_MAX - m->size ? LONG_MAX : bytes + m->size;
		if (oldest == NULL || m->arrival < oldest->arrival)
			oldest = m;
		/* One count per message and reason, not per recipient. */
		strv_init(&seen);
		for (size_t k = 0; k < m->reasons.n; k++) {
			if (m->reasons.v[k][0] == '\0' || strv_contains(&seen,
			    m->reasons.v[k]))
				continue;
			strv_add(&seen, m->reasons.v[k]);
			count(reasons, m->reasons.v[k]);
		}
		strv_release(&seen);
	}
	json_object_set_new(doc, "total", json_integer((json_int_t)q->n));
	json_object_set_new(doc, "bytes", json_integer(bytes));
	json_object_set_new(doc, "queues", queues);
	if (oldest != NULL) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(oldest->id));
		json_object_set_new(o, "sender", json_string(oldest->sender));
		json_object_set_new(o, "age_seconds", json_integer(
		    now > oldest->arrival ? now - oldest->arrival : 0));
		json_object_set_new(doc, "oldest", o);
	}
	json_object_set_new(doc, "top_senders", ranked(senders, 10, 1));
	/* Repeated: the same failure for two messages or more. */
	json_object_set_new(doc, "delay_reasons", ranked(reasons, 10, 2));
	json_object_set_new(doc, "threshold", json_integer(threshold));
	json_object_set_new(doc, "above_threshold", json_boolean(
	    (long)q->n > threshold));
	json_decref(senders);
	json_decref(reasons);
	return doc;
}

static void
age(struct buf *out, json_int_t s)
{
	if (s >= 86400)
		buf_addf(out, "%lldd%lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		buf_addf(out, "%lldh%lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		buf_addf(out, "%lldm%llds", (long long)(s / 60),
		    (long long)(s % 60));
}

/* "TITLE" then "  COUNT  NAME" lines of a ranked list, if it has any. */
static void
render_ranked(struct buf *out, const char *title, json_t *list)
{
	size_t i;
	json_t *v;

	if (json_array_size(list) > 0)
		buf_adds(out, title);
	json_array_foreach(list, i, v)
		buf_addf(out, "  %6lld  %s\n", (long long)json_integer_value(
		    json_object_get(v, "count")), json_string_value(
		    json_object_get(v, "name")));
}

void
mailqueue_render(json_t *sum, struct buf *out)
{
	json_t *queues = json_object_get(sum, "queues"), *v, *oldest;
	const char *key;
	size_t k = 0;

	buf_addf(out, _("queue: %lld messages, %lld KB"), (long long)
	    json_integer_value(json_object_get(sum, "total")), (long long)
	    (json_integer_value(json_object_get(sum, "bytes")) + 1023) / 1024);
	json_object_foreach(queues, key, v)
		buf_addf(out, "%s%s %lld", k++ ? ", " : " (", key,
		    (long long)json_integer_value(v));
	buf_adds(out, k ? ")\n" : "\n");
	if ((oldest = json_object_get(sum, "oldest")) != NULL) {
		buf_adds(out, _("oldest: "));
		age(out, json_integer_value(json_object_get(oldest,
		    "age_seconds")));
		buf_addf(out, " (%s, from %s)\n", json_string_value(
		    json_object_get(oldest, "id")), json_string_value(
		    json_object_get(oldest, "sender"))[0] ? json_string_value(
		    json_object_get(oldest, "sender")) : "<>");
	}
	render_ranked(out, _("top senders:\n"), json_object_get(sum,
	    "top_senders"));
	render_ranked(out, _("repeated delay reasons:\n"),
	    json_object_get(sum, "delay_reasons"));
	buf_addf(out, json_is_true(json_object_get(sum, "above_threshold")) ?
	    _("ABOVE the threshold of %lld messages\n") :
	    _("within the threshold of %lld messages\n"), (long long)
	    json_integer_value(json_object_get(sum, "threshold")));
}

const char *
mailqueue_sender(const struct queued *m)
{
	return m->sender[0] != '\0' ? m->sender : "<> (bounces)";
}

void
mailqueue_ids_of(const struct mailqueue *q, const char *sender,
    const char *queue, struct strv *ids)
{
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(mailqueue_sender(&q->v[i]), sender) == 0 && (queue == NULL ||
		    strcmp(q->v[i].queue, queue) == 0))
			strv_add(ids, q->v[i].id);
	}
}

/* A queue ID is letters and digits: nothing else reaches postsuper. */
static bool
id_ok(const char *id)
{
	return id[0] != '\0' && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(id) &&
	    strcmp(id, "ALL") != 0;
}

int
mailqueue_act(const char *root, const char *action, const struct strv *ids,
    char **cause)
{
	char *dir = NULL;
	struct buf in;
	struct run_opts o = { 0 };
	int r;

	if (strcmp(action, "-h") != 0 && strcmp(action, "-H") != 0 &&
	    strcmp(action, "-d") != 0)
		return set_cause(cause, _("postsuper %s: not a queue action"),
		    action);
	if (ids->n == 0)
		return 0;
	buf_init(&in);
	for (size_t i = 0; i < ids->n; i++) {
		if (!id_ok(ids->v[i])) {
			buf_release(&in);
			return set_cause(cause, _("'%s' is not a queue ID"),
			    ids->v[i]);
		}
		buf_addf(&in, "%s\n", ids->v[i]);
	}
	if (fs_resolve(root, POSTFIX_DIR, &dir, cause) != 0) {
		buf_release(&in);
		return -1;
	}
	o.input = in.data;
	o.input_len = in.len;
	{
		char *argv[] = { "postsuper", "-c", dir, (char *)action, "-",
		    NULL };

		r = run_checked(argv, &o, NULL, cause);
	}
	buf_release(&in);
	free(dir);
	return r;
}

char *
mailqueue_show(const char *root, const char *id, char **cause)
{
	char *dir = NULL;
	struct buf out;

	if (!id_ok(id)) {
		set_cause(cause, _("'%s' is not a queue ID"), id);
		return NULL;
	}
	if (fs_resolve(root, POSTFIX_DIR, &dir, cause) != 0)
		return NULL;
	buf_init(&out);
	{
		char *argv[] = { "postcat", "-c", dir, "-hb", "-q", (char *)id,
		    NULL };

		if (run_checked(argv, NULL, &out, cause) != 0) {
			buf_release(&out);
			free(dir);
			return NULL;
		}
	}
	free(dir);
	buf_adds(&out, "");
	return buf_detach(&out, NULL);
}
