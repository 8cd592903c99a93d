/*
 * postqueue.h -- the Postfix queue as data: read from "postqueue -j" (one
 * JSON object per message, Postfix >= 3.1; unknown keys are ignored), or
 * parsed from "postqueue -p" on older Postfix; summarised for the monitor
 * and the wizard's queue view; acted on by queue ID only (postsuper reads
 * the IDs on stdin: there is no path to "postsuper -d ALL" here).
 */
#ifndef HW_POSTQUEUE_H
#define HW_POSTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "daemon.h"
#include "util.h"

struct queued {
	char	*id;
	char	*queue;		/* active, deferred, hold, incoming ... */
	char	*sender;	/* "" for the null sender (bounces) */
	time_t	 arrival;
	long	 size;
	struct strv recipients;
	struct strv reasons;	/* delay reasons, one per recipient */
};

struct mailqueue {
	struct queued	*v;
	size_t		 n;
};

void	 mailqueue_init(struct mailqueue *);
void	 mailqueue_release(struct mailqueue *);

/* Parse postqueue -j output (TEXT, LEN) into Q; bad lines are skipped. */
void	 mailqueue_parse_json(struct mailqueue *, const char *text);
/* Parse postqueue -p output; YEAR_NOW dates the "Mon Jun  4 12:34:56". */
void	 mailqueue_parse_list(struct mailqueue *, const char *text,
	    time_t now);
/* Read the live queue of the Postfix configured in ROOT/etc/postfix. */
int	 mailqueue_read(const char *root, struct mailqueue *, char **cause);

/* The report: counts per queue, oldest, top senders, repeated reasons. */
json_t	*mailqueue_summary(const struct mailqueue *, time_t now,
	    long threshold);
void	 mailqueue_render(json_t *summary, struct buf *out);

/* M's sender as the report names it ("<> (bounces)" for the null one). */
const char *mailqueue_sender(const struct queued *m);
/* Messages whose sender (as named above) is SENDER: queue IDs into IDS. */
void	 mailqueue_ids_of(const struct mailqueue *, const char *sender,
	    const char *queue, struct strv *ids);
/*
 * postsuper ACTION ("-h" hold, "-H" release, "-d" delete) on IDS, fed on
 * stdin ("-"). Never "ALL".
 */
int	 mailqueue_act(const char *root, const char *action,
	    const struct strv *ids, char **cause);
/* postcat -q ID: the message, headers and body; caller frees. */
char	*mailqueue_show(const char *root, const char *id, char **cause);

#endif
