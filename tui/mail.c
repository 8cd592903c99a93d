/*
 * mail.c -- --check-mail: is this server's mail being abused right now,
 * and by whom? The window of Postfix's log (journal or mail.log) as
 * counts: per SASL login (messages, from how many addresses, bounces),
 * per envelope sender, SMTP AUTH failures per client, rejects and
 * deferrals by reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "hardenwiz.h"
#include "i18n.h"
#include "postfix/maillog.h"
#include "step.h"

#define DEFAULT_WINDOW	3600
#define TOP		10

static const struct question since_question = { "since", V_DURATION,
	"--since", NULL, NULL, 0, 0, 0 };

static json_t *
counts_json(const struct ml_counts *c, bool per_login)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->n && i < TOP; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "name", json_string(c->v[i].name));
		json_object_set_new(e, "count", json_integer((json_int_t)
		    c->v[i].n));
		if (per_login) {
			json_object_set_new(e, "clients", json_integer(
			    (json_int_t)c->v[i].clients.n));
			json_object_set_new(e, "bounced", json_integer(
			    (json_int_t)c->v[i].bounced));
		}
		json_array_append_new(a, e);
	}
	return a;
}

static void
print_counts(const char *title, const struct ml_counts *c, bool per_login)
{
	if (c->n == 0)
		return;
	printf("\n%s\n", title);
	for (size_t i = 0; i < c->n && i < TOP; i++) {
		char *line = per_login ? xasprintf(_("  %6zu  %s (from %zu "
		    "addresses, %zu bounced)\n"), c->v[i].n, c->v[i].name,
		    c->v[i].clients.n, c->v[i].bounced) : xasprintf("  %6zu  "
		    "%s\n", c->v[i].n, c->v[i].name);

		fputs_visible(line, stdout);
		free(line);
	}
}

int
check_mail_main(const struct options *o)
{
	struct maillog m;
	struct ml_limits limits = ML_LIMITS_DEFAULT;
	struct strv why;
	int code;
	const char *source = NULL;
	char *cause = NULL, *secs = NULL;
	long window = DEFAULT_WINDOW;
	time_t since;

	if (o->since != NULL) {
		if (value_parse(&since_question, o->since, &secs, &cause) != 0) {
			fprintf(stderr, "hardenwiz: %s\n", cause);
			free(cause);
			return EXIT_USAGE;
		}
		window = atol(secs);
		free(secs);
	}
	since = time(NULL) - window;
	maillog_init(&m);
	if (maillog_read(o->root, since, &m, &source, &cause) != 0) {
		fprintf(stderr, _("hardenwiz: --check-mail: %s\n"), cause);
		free(cause);
		maillog_release(&m);
		return EXIT_RUNTIME;
	}
	ml_counts_sort(&m.logins);
	ml_counts_sort(&m.senders);
	ml_counts_sort(&m.auth_failed);
	ml_counts_sort(&m.rejects);
	ml_counts_sort(&m.deferrals);
	strv_init(&why);
	(void)maillog_suspects(&m, &limits, &why);
	if (o->json) {
		json_t *doc = json_doc(o, "check-mail"), *r = json_object();

		json_object_set_new(r, "source", json_string(source));
		json_object_set_new(r, "window_seconds", json_integer(window));
		json_object_set_new(r, "sent", json_integer((json_int_t)
		    m.sent));
		json_object_set_new(r, "bounced", json_integer((json_int_t)
		    m.bounced));
		json_object_set_new(r, "deferred", json_integer((json_int_t)
		    m.deferred));
		json_object_set_new(r, "rejected", json_integer((json_int_t)
		    m.rejected));
		json_object_set_new(r, "logins", counts_json(&m.logins, true));
		json_object_set_new(r, "senders", counts_json(&m.senders,
		    true));
		json_object_set_new(r, "auth_failures", counts_json(
		    &m.auth_failed, false));
		json_object_set_new(r, "rejects", counts_json(&m.rejects,
		    false));
		json_object_set_new(r, "deferrals", counts_json(&m.deferrals,
		    false));
		{
			json_t *a = json_array();

			for (size_t i = 0; i < why.n; i++)
				json_array_append_new(a, json_string(why.v[i]));
			json_object_set_new(r, "suspicious", a);
		}
		json_object_set_new(doc, "mail", r);
		json_print(doc);
		json_decref(doc);
	} else {
		printf(_("Mail in the last %ld s (from %s): %zu sent, %zu "
		    "bounced, %zu deferred, %zu rejected\n"), window, source,
		    m.sent, m.bounced, m.deferred, m.rejected);
		print_counts(_("Messages per SASL login:"), &m.logins, true);
		print_counts(_("Messages per envelope sender:"), &m.senders,
		    true);
		print_counts(_("SMTP AUTH failures per client:"),
		    &m.auth_failed, false);
		print_counts(_("Rejected, by reason:"), &m.rejects, false);
		print_counts(_("Deferred, by reason:"), &m.deferrals, false);
		if (why.n > 0)
			printf("\n%s\n", _("Looks like abuse:"));
		for (size_t i = 0; i < why.n; i++) {
			fputs("  ", stdout);
			fputs_visible(why.v[i], stdout);
			putchar('\n');
		}
	}
	if (o->syslog) {
		openlog("hardenwiz", LOG_PID, LOG_MAIL);
		syslog(why.n > 0 ? LOG_WARNING : LOG_INFO, "mail in the last "
		    "%ld s: %zu sent, %zu bounced, %zu rejected, %zu "
		    "suspicious", window, m.sent, m.bounced, m.rejected, why.n);
		for (size_t i = 0; i < why.n; i++)
			syslog(LOG_WARNING, "%s", why.v[i]);
		closelog();
	}
	code = why.n > 0 ? EXIT_RUNTIME : EXIT_OK;
	strv_release(&why);
	maillog_release(&m);
	return code;
}
