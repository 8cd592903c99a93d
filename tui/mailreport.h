/*
 * mailreport.h -- the window of Postfix's log judged for abuse, shared by
 * --check-mail (mail.c) and the wizard's "Mail health" view
 * (mailflow.c): the counts, the live extras (fail2ban's bans, the queue)
 * and the renderings.
 */
#ifndef HW_MAILREPORT_H
#define HW_MAILREPORT_H

#include <jansson.h>

#include "firewall/smtp_count.h"
#include "hardenwiz.h"
#include "postfix/maillog.h"
#include "sysinfo.h"

#define MAIL_WINDOW	3600	/* seconds, without --since */

struct mail_report {
	struct maillog	 m;
	const char	*source;	/* "journal" or the log file */
	long		 window;	/* seconds */
	time_t		 since;
	size_t		 alerts;	/* entries flagged */
	int		 jail;		/* postfix-sasl runs: 1, not: 0,
					   unknown (not live): -1 */
	struct strv	 banned;	/* what that jail bans now */
	long		 queue;		/* messages queued, -1: unknown */
	struct accounts	 acc;		/* the root's users, for uids */
	/*
	 * Connections out to port 25 the firewall rejected, per local
	 * user (live, when the firewall step counts them): -1 not
	 * counted, 0 counted but the table is not loaded, 1 counted.
	 */
	int		 out25;
	struct smtp_tries out25_tries;
	char		*out25_error;	/* nft could not be asked */
};

/* The window of --since (MAIL_WINDOW without it), in seconds. */
int	 mail_window(const struct options *, long *window, char **cause);
/*
 * Read and judge the last WINDOW seconds; LIMIT (0: the default) is the
 * most messages one login or sender may send in it. R is released by
 * mail_report_release even when this fails.
 */
int	 mail_report_read(const struct options *, long window, long limit,
	    struct mail_report *r, char **cause);
void	 mail_report_release(struct mail_report *);
void	 mail_report_text(const struct mail_report *, struct buf *);
json_t	*mail_report_json(const struct options *, const struct mail_report *);

#endif
