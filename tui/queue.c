/*
 * queue.c -- the Postfix queue monitor (--check-queue) and the wizard's
 * queue view. The view acts on one sender's messages by queue ID, after a
 * confirmation that says how many and what happens; there is no key for
 * "delete everything".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "frontend.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "postfix/postqueue.h"
#include "postfix/postfix.h"

#define DEFAULT_THRESHOLD	500

int
check_queue_main(const struct options *o)
{
	struct mailqueue q;
	char *cause = NULL;
	long threshold = o->threshold_set ? o->threshold : DEFAULT_THRESHOLD;
	json_t *sum;
	bool above;

	if (strcmp(o->root, "/") != 0) {
		fprintf(stderr, "%s\n", _("hardenwiz: --check-queue reads the "
		    "live queue; it does not take --root"));
		return EXIT_USAGE;
	}
	if (!postfix_present(o->root)) {
		fprintf(stderr, _("hardenwiz: --check-queue: Postfix is not "
		    "installed (no %s)\n"), POSTFIX_MAIN);
		return EXIT_RUNTIME;
	}
	mailqueue_init(&q);
	if (mailqueue_read(o->root, &q, &cause) != 0) {
		fprintf(stderr, _("hardenwiz: cannot read the mail queue: %s\n"),
		    cause);
		if (o->syslog) {
			openlog("hardenwiz", LOG_PID, LOG_MAIL);
			syslog(LOG_ERR, "cannot read the mail queue: %s", cause);
			closelog();
		}
		free(cause);
		return EXIT_RUNTIME;
	}
	sum = mailqueue_summary(&q, time(NULL), threshold);
	above = json_is_true(json_object_get(sum, "above_threshold"));
	if (o->json) {
		json_t *doc = json_doc(o, "check-queue");

		json_object_set(doc, "queue", sum);
		json_print(doc);
		json_decref(doc);
	} else {
		struct buf out;

		buf_init(&out);
		mailqueue_render(sum, &out);
		fputs(out.data, stdout);
		buf_release(&out);
	}
	if (o->syslog) {
		json_t *top = json_array_get(json_object_get(sum,
		    "top_senders"), 0);

		openlog("hardenwiz", LOG_PID, LOG_MAIL);
		syslog(above ? LOG_WARNING : LOG_INFO, "mail queue: %lld "
		    "messages (threshold %ld)%s%s", (long long)
		    json_integer_value(json_object_get(sum, "total")),
		    threshold, top != NULL ? ", top sender " : "",
		    top != NULL ? json_string_value(json_object_get(top,
		    "name")) : "");
		closelog();
	}
	json_decref(sum);
	mailqueue_release(&q);
	return above ? EXIT_RUNTIME : EXIT_OK;
}

/* Run postsuper ACTION on IDS after asking; report the outcome. */
static void
act(const struct frontend *fe, const struct options *o, const char *action,
    const char *title, const char *question, const struct strv *ids)
{
	char *cause = NULL;

	if (!fe->confirm(title, question))
		return;
	if (mailqueue_act(o->root, action, ids, &cause) != 0) {
		fe->message(_("Not done"), cause);
		free(cause);
	} else
		fe->message(title, _("Done."));
}

static void
inspect(const struct frontend *fe, const struct options *o,
    const struct mailqueue *q, const char *sender)
{
	struct strv items, ids;
	size_t choice = 0;

	strv_init(&items);
	strv_init(&ids);
	for (size_t i = 0; i < q->n && ids.n < 200; i++) {
		const struct queued *m = &q->v[i];

		if (strcmp(mailqueue_sender(m), sender) != 0)
			continue;
		strv_add(&ids, m->id);
		strv_addf(&items, "%-12s %-9s %s", m->id, m->queue,
		    m->recipients.n > 0 ? m->recipients.v[0] : "");
	}
	if (fe->menu(_("Inspect a message"), sender, items.v, items.n,
	    &choice) == FE_OK && choice < ids.n) {
		char *cause = NULL, *text = mailqueue_show(o->root,
		    ids.v[choice], &cause);

		fe->message(ids.v[choice], text != NULL ? text : cause);
		free(text);
		free(cause);
	}
	strv_release(&items);
	strv_release(&ids);
}

/* What to do with SENDER's messages; false to go back to the list. */
static bool
sender_flow(const struct frontend *fe, const struct options *o,
    const struct mailqueue *q, const char *sender)
{
	struct strv all, held, items;
	size_t choice = 0;
	bool again = true;
	char *text;

	strv_init(&all);
	strv_init(&held);
	strv_init(&items);
	mailqueue_ids_of(q, sender, NULL, &all);
	mailqueue_ids_of(q, sender, "hold", &held);
	strv_add(&items, _("Inspect a message (postcat)"));
	strv_addf(&items, _("Hold its %zu messages"), all.n - held.n);
	strv_addf(&items, _("Release its %zu held messages"), held.n);
	strv_addf(&items, _("Delete its %zu messages"), all.n);
	strv_add(&items, _("Back"));
	text = xasprintf(_("%zu messages from %s (%zu on hold). Holding "
	    "keeps them in the queue, undelivered, until released; deleting "
	    "cannot be undone."), all.n, sender, held.n);
	if (fe->menu(_("Sender"), text, items.v, items.n, &choice) != FE_OK ||
	    choice == 4)
		again = false;
	else if (choice == 0)
		inspect(fe, o, q, sender);
	else {
		static const char *const action[] = { NULL, "-h", "-H", "-d" };
		char *question = xasprintf(choice == 1 ? _("Hold the %zu "
		    "messages from %s?") : choice == 2 ? _("Release the %zu "
		    "held messages from %s?") : _("Delete the %zu messages "
		    "from %s for good?"), choice == 2 ? held.n : all.n,
		    sender);

		act(fe, o, action[choice], _("Mail queue"), question,
		    choice == 2 ? &held : &all);
		free(question);
	}
	free(text);
	strv_release(&items);
	strv_release(&held);
	strv_release(&all);
	return again;
}

void
queue_flow(const struct frontend *fe, const struct options *o)
{
	for (;;) {
		struct mailqueue q;
		struct strv items, senders;
		struct buf report;
		char *cause = NULL;
		json_t *sum, *v;
		size_t choice = 0, i;
		bool back;

		if (strcmp(o->root, "/") != 0) {
			fe->message(_("Mail queue"), _("The queue view works on "
			    "the live system, not under --root."));
			return;
		}
		mailqueue_init(&q);
		if (mailqueue_read(o->root, &q, &cause) != 0) {
			fe->message(_("Cannot read the mail queue"), cause);
			free(cause);
			return;
		}
		sum = mailqueue_summary(&q, time(NULL), DEFAULT_THRESHOLD);
		buf_init(&report);
		mailqueue_render(sum, &report);
		strv_init(&items);
		strv_init(&senders);
		json_array_foreach(json_object_get(sum, "top_senders"), i, v) {
			strv_addf(&items, "%6lld  %s", (long long)
			    json_integer_value(json_object_get(v, "count")),
			    json_string_value(json_object_get(v, "name")));
			strv_add(&senders, json_string_value(json_object_get(v,
			    "name")));
		}
		strv_add(&items, _("Back"));
		back = q.n == 0 ? (fe->message(_("Mail queue"), _("The queue "
		    "is empty.")), true) : fe->menu(_("Mail queue"),
		    report.data, items.v, items.n, &choice) != FE_OK ||
		    choice >= senders.n;
		while (!back && sender_flow(fe, o, &q, senders.v[choice])) {
			/* Show the sender's menu again with fresh counts. */
			mailqueue_release(&q);
			mailqueue_init(&q);
			if (mailqueue_read(o->root, &q, NULL) != 0)
				break;
		}
		strv_release(&senders);
		strv_release(&items);
		buf_release(&report);
		json_decref(sum);
		mailqueue_release(&q);
		if (back)
			return;
	}
}
