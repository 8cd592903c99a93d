/*
 * postfix/maillog.h -- Postfix's log, read line by line into what
 * --check-mail reports: who sent how much (per SASL login and envelope
 * sender), from where, what bounced or was deferred and why, and which
 * clients failed SMTP AUTH. The lines come from the journal (a program
 * name such as "postfix/smtpd" and a message) or from a syslog file
 * (maillog_feed_syslog splits them). Pure parsing: no I/O, fuzzable.
 *
 * Messages are tied together by their queue id: smtpd's "client=...,
 * sasl_username=..." line, qmgr's "from=<...>", and each delivery's
 * "status=...". A queue id is reused only after its message is gone, so
 * a removed message ("QUEUEID: removed") forgets its id.
 */
#ifndef HW_MAILLOG_H
#define HW_MAILLOG_H

#include <stddef.h>
#include <time.h>

#include "daemon.h"
#include "util.h"

/*
 * A hash index over an array's names (open addressing; a slot holds the
 * element's index + 1, 0 when empty): a day's log of a busy server has
 * 100 000 messages and as many senders.
 */
struct ml_index {
	size_t	*slots;
	size_t	 cap;		/* a power of two, or 0 */
};

/* A count per name (a login, a sender, an address, a reason). */
struct ml_count {
	char		*name;
	size_t		 n;
	struct strv	 clients;	/* logins: the client addresses seen */
	size_t		 bounced;	/* logins and senders: bounced mail */
	size_t		 deferred;	/* logins: deferred deliveries */
	size_t		 usual;		/* logins, senders: messages before
					   the window (maillog_at) */
	struct strv	 reasons;	/* why it looks like abuse (judged) */
};

struct ml_counts {
	struct ml_count	*v;
	size_t		 n;
	struct ml_index	 idx;
};

/* One message in flight, by queue id. */
struct ml_msg {
	char	*qid;
	char	*login;		/* SASL login, or NULL */
	char	*client;	/* client address, or NULL (local) */
	char	*sender;	/* envelope sender, "" for bounces */
	int	 counted;	/* its sent/bounced counts are taken */
};

struct maillog {
	struct ml_msg	*msgs;
	size_t		 nmsgs;
	struct ml_index	 msg_idx;	/* by queue id */
	struct ml_counts logins;	/* messages accepted per SASL login */
	struct ml_counts senders;	/* per envelope sender */
	struct ml_counts auth_failed;	/* SMTP AUTH failures per client */
	struct ml_counts rejects;	/* smtpd and milter rejects by reason */
	struct ml_counts deferrals;	/* deferred deliveries by reason */
	struct ml_counts local_uids;	/* mail submitted by local uid
					   (pickup): a web application */
	size_t		 sent, bounced, deferred, rejected;
	size_t		 lines;		/* Postfix lines read */
	/*
	 * The window: records before WINDOW_START (0: none) only teach each
	 * login's and sender's usual volume; END is its end, FIRST the
	 * time of the first record read (how much history "usual" has).
	 */
	time_t		 window_start, end, first;
	int		 before;	/* the current record is before */
};

void	 maillog_init(struct maillog *);
void	 maillog_release(struct maillog *);
/* The records fed next were logged at T (before the window or in it). */
void	 maillog_at(struct maillog *, time_t t);
/* One log record: PROGRAM ("postfix/smtpd", "postfix-submission/smtpd"). */
void	 maillog_feed(struct maillog *, const char *program, const char *msg);
/*
 * One line of a syslog file ("Dec  1 10:00:00 host postfix/smtp[12]: ..."
 * or with an RFC 3339 time); lines of other programs are skipped.
 */
void	 maillog_feed_syslog(struct maillog *, const char *line);
/*
 * maillog_read.c: the log since SINCE into M, from ROOT's
 * /var/log/mail.log or maillog when there, else its journal (sd-journal);
 * *SOURCE names which. The ML_HISTORY seconds before SINCE are read too,
 * for each login's and sender's usual volume.
 */
#define ML_HISTORY	86400
int	 maillog_read(const char *root, time_t since, struct maillog *m,
	    const char **source, char **cause);
/* What counts as a likely abused account or an attack, per window. */
struct ml_limits {
	size_t	 max_clients;	/* one login from more addresses than this */
	size_t	 max_messages;	/* one login or sender sending more */
	size_t	 min_for_bounces; /* bounce share judged from this many */
	unsigned int bounce_percent; /* more bounced than this share */
	size_t	 max_auth_failures; /* one client failing AUTH more */
	size_t	 min_unusual;	/* "above usual" judged from this many */
	unsigned int unusual_factor; /* more than this many times usual */
};
#define ML_LIMITS_DEFAULT { 5, 200, 10, 50, 20, 50, 5 }

/*
 * Judge M: each login, sender and AUTH-failing client that looks like
 * abuse gets its reasons (used from many addresses, above the volume
 * limit or far above its usual volume, most of its mail bouncing,
 * guessing passwords). Returns how many were flagged.
 */
size_t	 maillog_judge(struct maillog *m, const struct ml_limits *);
/* The flagged entries of M, one line each ("login X: reason; ..."). */
void	 maillog_alerts(const struct maillog *m, struct strv *why);
/* The queue ids of M's messages still in flight from LOGIN. */
void	 maillog_queued_of(const struct maillog *m, const char *login,
	    struct strv *ids);
/* The counts of C, most first (ties by name). */
void	 ml_counts_sort(struct ml_counts *c);

#endif
