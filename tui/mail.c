/*
 * mail.c -- --check-mail: is this server's mail being abused right now,
 * and by whom? The window of Postfix's log (journal or mail.log) as
 * counts: per SASL login (messages, from how many addresses, bounces,
 * deferrals), per envelope sender, per local user submitting through
 * sendmail, SMTP AUTH failures per client (and whether fail2ban's
 * postfix-sasl jail has banned them), rejects and deferrals by reason,
 * and the queue. What looks like abuse is flagged, with its reasons; the
 * wizard's "Mail health" view (mailflow.c) acts on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "fail2ban/fail2ban.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "mailreport.h"
#include "postfix/postfix.h"
#include "postfix/postqueue.h"
#include "step.h"

#define TOP		10
#define SASL_JAIL	"postfix-sasl"

static const struct question since_question = { "since", V_DURATION,
	"--since", NULL, NULL, 0, 0, 0 };

int
mail_window(const struct options *o, long *window, char **cause)
{
	char *secs = NULL;

	*window = MAIL_WINDOW;
	if (o->since == NULL)
		return 0;
	if (value_parse(&since_question, o->since, &secs, cause) != 0)
		return -1;
	*window = atol(secs);
	free(secs);
	return 0;
}

/* Live roots only: fail2ban's jail and the queue are the running ones. */
static void
read_live(const struct options *o, struct mail_report *r)
{
	struct mailqueue q;
	char *cause = NULL;

	if (strcmp(o->root, "/") != 0)
		return;
	if (smtp_count_installed(o->root)) {
		if (smtp_count_read(&r->out25_tries, &r->out25_error) == 0)
			r->out25 = r->out25_tries.loaded;
	}
	if (fail2ban_present(o->root))
		r->jail = fail2ban_banned(SASL_JAIL, &r->banned, &cause) == 0;
	free(cause);
	cause = NULL;
	if (!postfix_present(o->root))
		return;
	mailqueue_init(&q);
	if (mailqueue_read(o->root, &q, &cause) == 0)
		r->queue = (long)q.n;
	mailqueue_release(&q);
	free(cause);
}

int
mail_report_read(const struct options *o, long window, long limit,
    struct mail_report *r, char **cause)
{
	struct ml_limits limits = ML_LIMITS_DEFAULT;

	memset(r, 0, sizeof *r);
	maillog_init(&r->m);
	strv_init(&r->banned);
	r->jail = -1;
	r->queue = -1;
	r->out25 = -1;
	r->window = window;
	r->since = time(NULL) - window;
	if (limit > 0)
		limits.max_messages = (size_t)limit;
	if (maillog_read(o->root, r->since, &r->m, &r->source, cause) != 0)
		return -1;
	(void)accounts_load(o->root, &r->acc, NULL);
	ml_counts_sort(&r->m.logins);
	ml_counts_sort(&r->m.senders);
	ml_counts_sort(&r->m.auth_failed);
	ml_counts_sort(&r->m.rejects);
	ml_counts_sort(&r->m.deferrals);
	ml_counts_sort(&r->m.local_uids);
	r->alerts = maillog_judge(&r->m, &limits);
	read_live(o, r);
	for (size_t i = 0; i < r->out25_tries.n; i++)
		r->alerts += r->out25_tries.v[i].last >= r->since;
	return 0;
}

void
mail_report_release(struct mail_report *r)
{
	maillog_release(&r->m);
	strv_release(&r->banned);
	accounts_release(&r->acc);
	smtp_tries_release(&r->out25_tries);
	free(r->out25_error);
}

/* The name of local uid UID, or NULL when the root has none. */
static const char *
uid_name(const struct mail_report *r, unsigned long uid)
{
	for (size_t i = 0; i < r->acc.n; i++)
		if ((unsigned long)r->acc.v[i].uid == uid)
			return r->acc.v[i].name;
	return NULL;
}

/* "uid 33 (www-data)", or "uid 33" when the root has no such user. */
static char *
uid_label(const struct mail_report *r, unsigned long uid)
{
	const char *user = uid_name(r, uid);

	return user != NULL ? xasprintf("uid %lu (%s)", uid, user) :
	    xasprintf("uid %lu", uid);
}

/* "2026-12-02 06:40" in local time, into OUT. */
static void
local_time(time_t t, char out[32])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

/*
 * Every flagged entry, one line each: Postfix's log's, then each local
 * user whose connection out to port 25 was rejected in the window.
 */
static void
report_alerts(const struct mail_report *r, struct strv *why)
{
	maillog_alerts(&r->m, why);
	for (size_t i = 0; i < r->out25_tries.n; i++) {
		const struct smtp_try *t = &r->out25_tries.v[i];
		char *who, when[32];

		if (t->last < r->since)
			continue;
		who = uid_label(r, (unsigned long)t->uid);
		local_time(t->last, when);
		strv_addf(why, _("local user %s: %llu connections out to "
		    "port 25 rejected, the last at %s (a program of this "
		    "user sends mail directly, not through Postfix: a hacked "
		    "web application?)"), who, t->attempts, when);
		free(who);
	}
}

/* Entry I of C is worth listing: in the top ones, or flagged. */
static bool
listed(const struct ml_counts *c, size_t i)
{
	return c->v[i].reasons.n > 0 || (i < TOP && c->v[i].n > 0);
}

static json_t *
senders_json(const struct ml_counts *c, const char *key, bool login)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct ml_count *e = &c->v[i];
		json_t *o;

		if (!listed(c, i))
			continue;
		o = json_object();
		json_object_set_new(o, key, json_string(e->name));
		json_object_set_new(o, "sent", json_integer((json_int_t)e->n));
		json_object_set_new(o, "bounced", json_integer((json_int_t)
		    e->bounced));
		json_object_set_new(o, "usual", json_integer((json_int_t)
		    e->usual));
		if (login) {
			json_object_set_new(o, "deferred", json_integer(
			    (json_int_t)e->deferred));
			json_object_set_new(o, "client_ips", strv_json(
			    &e->clients));
		}
		json_object_set_new(o, "suspicious", json_boolean(
		    e->reasons.n > 0));
		json_object_set_new(o, "reasons", strv_json(&e->reasons));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
reasons_json(const struct ml_counts *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->n && i < TOP; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "reason", json_string(c->v[i].name));
		json_object_set_new(o, "count", json_integer((json_int_t)
		    c->v[i].n));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
auth_json(const struct mail_report *r)
{
	const struct ml_counts *c = &r->m.auth_failed;
	json_t *a = json_array();

	for (size_t i = 0; i < c->n; i++) {
		json_t *o;

		if (!listed(c, i))
			continue;
		o = json_object();
		json_object_set_new(o, "ip", json_string(c->v[i].name));
		json_object_set_new(o, "count", json_integer((json_int_t)
		    c->v[i].n));
		json_object_set_new(o, "banned", r->jail < 0 ? json_null() :
		    json_boolean(strv_contains(&r->banned, c->v[i].name)));
		json_object_set_new(o, "suspicious", json_boolean(
		    c->v[i].reasons.n > 0));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
local_json(const struct mail_report *r)
{
	const struct ml_counts *c = &r->m.local_uids;
	json_t *a = json_array();

	for (size_t i = 0; i < c->n && i < TOP; i++) {
		json_t *o = json_object();
		const char *user = uid_name(r, strtoul(c->v[i].name, NULL,
		    10));

		json_object_set_new(o, "uid", json_integer(atoll(
		    c->v[i].name)));
		json_object_set_new(o, "user", user != NULL ?
		    json_string(user) : json_null());
		json_object_set_new(o, "messages", json_integer((json_int_t)
		    c->v[i].n));
		json_array_append_new(a, o);
	}
	return a;
}

/* null when not counted here; else whether it counts, and who tried. */
static json_t *
out25_json(const struct mail_report *r)
{
	json_t *o, *a;

	if (r->out25 < 0 && r->out25_error == NULL)
		return json_null();
	o = json_object();
	a = json_array();
	json_object_set_new(o, "counting", json_boolean(r->out25 == 1));
	if (r->out25_error != NULL)
		json_object_set_new(o, "error", json_string(r->out25_error));
	for (size_t i = 0; i < r->out25_tries.n; i++) {
		const struct smtp_try *t = &r->out25_tries.v[i];
		const char *user = uid_name(r, (unsigned long)t->uid);
		json_t *e = json_object();
		char last[32];
		struct tm tm;

		gmtime_r(&t->last, &tm);
		strftime(last, sizeof last, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(e, "uid", json_integer(t->uid));
		json_object_set_new(e, "user", user != NULL ?
		    json_string(user) : json_null());
		json_object_set_new(e, "rejected", json_integer((json_int_t)
		    t->attempts));
		json_object_set_new(e, "last", json_string(last));
		json_object_set_new(e, "suspicious", json_boolean(t->last >=
		    r->since));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "by_user", a);
	return o;
}

json_t *
mail_report_json(const struct options *o, const struct mail_report *r)
{
	json_t *doc = json_doc(o, "check-mail");
	char since[32];
	struct tm tm;

	gmtime_r(&r->since, &tm);
	strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(doc, "since", json_string(since));
	json_object_set_new(doc, "window_seconds", json_integer(r->window));
	json_object_set_new(doc, "source", json_string(r->source));
	json_object_set_new(doc, "alerts", json_integer((json_int_t)
	    r->alerts));
	json_object_set_new(doc, "sent", json_integer((json_int_t)r->m.sent));
	json_object_set_new(doc, "bounced", json_integer((json_int_t)
	    r->m.bounced));
	json_object_set_new(doc, "deferred", json_integer((json_int_t)
	    r->m.deferred));
	json_object_set_new(doc, "rejected", json_integer((json_int_t)
	    r->m.rejected));
	json_object_set_new(doc, "queue", r->queue < 0 ? json_null() :
	    json_integer(r->queue));
	json_object_set_new(doc, "sasl_jail", r->jail < 0 ? json_null() :
	    json_boolean(r->jail));
	json_object_set_new(doc, "logins", senders_json(&r->m.logins,
	    "login", true));
	json_object_set_new(doc, "senders", senders_json(&r->m.senders,
	    "sender", false));
	json_object_set_new(doc, "local_senders", local_json(r));
	json_object_set_new(doc, "outbound_smtp", out25_json(r));
	json_object_set_new(doc, "auth_failures", auth_json(r));
	json_object_set_new(doc, "rejects", reasons_json(&r->m.rejects));
	json_object_set_new(doc, "deferrals", reasons_json(&r->m.deferrals));
	return doc;
}

/* TITLE and each listed entry of C, one line each, into B. */
static void
text_counts(struct buf *b, const char *title, const struct ml_counts *c,
    bool login)
{
	bool any = false;

	for (size_t i = 0; i < c->n; i++) {
		const struct ml_count *e = &c->v[i];

		if (!listed(c, i))
			continue;
		if (!any)
			buf_addf(b, "\n%s\n", title);
		any = true;
		buf_addf(b, "  %6zu  %s", e->n, e->name);
		if (login)
			buf_addf(b, _(" (from %zu addresses, %zu bounced, %zu "
			    "deferred)"), e->clients.n, e->bounced,
			    e->deferred);
		else if (e->bounced > 0)
			buf_addf(b, _(" (%zu bounced)"), e->bounced);
		buf_addf(b, "%s\n", e->reasons.n > 0 ? _("  <- suspicious") :
		    "");
	}
}

static void
text_auth(struct buf *b, const struct mail_report *r)
{
	const struct ml_counts *c = &r->m.auth_failed;

	if (c->n > 0)
		buf_addf(b, "\n%s\n", _("SMTP AUTH failures per client:"));
	for (size_t i = 0; i < c->n && i < TOP; i++)
		buf_addf(b, "  %6zu  %s%s\n", c->v[i].n, c->v[i].name,
		    r->jail <= 0 ? "" : strv_contains(&r->banned,
		    c->v[i].name) ? _(" (banned by fail2ban)") :
		    _(" (not banned)"));
	if (c->n > 0 && r->jail == 0)
		buf_addf(b, "  %s\n", _("fail2ban's postfix-sasl jail does "
		    "not run: nothing bans these (the fail2ban step turns it "
		    "on)."));
}

static void
text_local(struct buf *b, const struct mail_report *r)
{
	const struct ml_counts *c = &r->m.local_uids;

	if (c->n > 0)
		buf_addf(b, "\n%s\n", _("Submitted by local users (sendmail; a "
		    "hacked web application shows here):"));
	for (size_t i = 0; i < c->n && i < TOP; i++) {
		char *who = uid_label(r, strtoul(c->v[i].name, NULL, 10));

		buf_addf(b, "  %6zu  %s\n", c->v[i].n, who);
		free(who);
	}
}

static void
text_out25(struct buf *b, const struct mail_report *r)
{
	const struct smtp_tries *t = &r->out25_tries;

	if (r->out25_error != NULL)
		buf_addf(b, "\n%s %s\n", _("Outgoing SMTP per local user "
		    "cannot be read:"), r->out25_error);
	else if (r->out25 == 0) {
		buf_adds(b, "\n");
		buf_addf(b, _("Outgoing SMTP per local user is not counted "
		    "now: its table is not loaded (systemctl restart %s)."),
		    SMTP_COUNT_UNIT);
		buf_adds(b, "\n");
	}
	if (t->n > 0) {
		buf_adds(b, "\n");
		buf_addf(b, _("Connections out to port 25 rejected, per local "
		    "user (the last %d days):"), SMTP_COUNT_DAYS);
		buf_adds(b, "\n");
	}
	for (size_t i = 0; i < t->n && i < TOP; i++) {
		char *who = uid_label(r, (unsigned long)t->v[i].uid), when[32];

		local_time(t->v[i].last, when);
		buf_addf(b, "  %6llu  ", t->v[i].attempts);
		buf_addf(b, _("%s, the last at %s"), who, when);
		buf_addf(b, "%s\n", t->v[i].last >= r->since ?
		    _("  <- suspicious") : "");
		free(who);
	}
}

static void
text_reasons(struct buf *b, const char *title, const struct ml_counts *c)
{
	if (c->n > 0)
		buf_addf(b, "\n%s\n", title);
	for (size_t i = 0; i < c->n && i < TOP; i++)
		buf_addf(b, "  %6zu  %s\n", c->v[i].n, c->v[i].name);
}

void
mail_report_text(const struct mail_report *r, struct buf *b)
{
	struct strv why;

	buf_addf(b, _("Mail in the last %ld s (from %s): %zu sent, %zu "
	    "bounced, %zu deferred, %zu rejected"), r->window, r->source,
	    r->m.sent, r->m.bounced, r->m.deferred, r->m.rejected);
	if (r->queue >= 0)
		buf_addf(b, _("; %ld in the queue"), r->queue);
	buf_adds(b, "\n");
	text_counts(b, _("Messages per SASL login:"), &r->m.logins, true);
	text_counts(b, _("Messages per envelope sender:"), &r->m.senders,
	    false);
	text_local(b, r);
	text_out25(b, r);
	text_auth(b, r);
	text_reasons(b, _("Rejected, by reason:"), &r->m.rejects);
	text_reasons(b, _("Deferred, by reason:"), &r->m.deferrals);
	strv_init(&why);
	report_alerts(r, &why);
	if (why.n > 0)
		buf_addf(b, "\n%s\n", _("Looks like abuse:"));
	for (size_t i = 0; i < why.n; i++)
		buf_addf(b, "  %s\n", why.v[i]);
	strv_release(&why);
}

static void
log_summary(const struct mail_report *r)
{
	struct strv why;

	strv_init(&why);
	report_alerts(r, &why);
	openlog("hardenwiz", LOG_PID, LOG_MAIL);
	syslog(r->alerts > 0 ? LOG_WARNING : LOG_INFO, "mail in the last %ld "
	    "s: %zu sent, %zu bounced, %zu rejected, %zu alerts", r->window,
	    r->m.sent, r->m.bounced, r->m.rejected, r->alerts);
	for (size_t i = 0; i < why.n; i++)
		syslog(LOG_WARNING, "%s", why.v[i]);
	closelog();
	strv_release(&why);
}

int
check_mail_main(const struct options *o)
{
	struct mail_report r;
	char *cause = NULL;
	long window;
	int code;

	if (mail_window(o, &window, &cause) != 0) {
		fprintf(stderr, "hardenwiz: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (mail_report_read(o, window, o->threshold_set ? o->threshold : 0,
	    &r, &cause) != 0) {
		if (o->json) {	/* still one document on stdout */
			json_t *doc = json_doc(o, "check-mail");

			json_errors(doc, cause);
			json_print(doc);
			json_decref(doc);
		}
		fprintf(stderr, _("hardenwiz: --check-mail: %s\n"), cause);
		free(cause);
		mail_report_release(&r);
		return EXIT_RUNTIME;
	}
	if (o->json) {
		json_t *doc = mail_report_json(o, &r);

		json_print(doc);
		json_decref(doc);
	} else {
		struct buf b;

		buf_init(&b);
		mail_report_text(&r, &b);
		fputs_visible(b.data, stdout);
		buf_release(&b);
	}
	if (o->syslog)
		log_summary(&r);
	code = r.alerts > 0 ? EXIT_RUNTIME : EXIT_OK;
	mail_report_release(&r);
	return code;
}
