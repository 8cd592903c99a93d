/*
 * hardenwiz.h -- what main and the frontends share: options, the mode
 * functions, and output rendering. Only tui/ prints.
 */
#ifndef HW_HARDENWIZ_H
#define HW_HARDENWIZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "apply.h"
#include "planner.h"
#include "recipe.h"

/* Exit codes of SPEC. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_INVALID = 3,
	EXIT_GUARD = 4,
};

struct options {
	const char	*root;		/* absolute */
	bool		 plain;
	const char	*only;
	const char	*apply;		/* recipe path */
	bool		 dry_run;
	bool		 json;
	bool		 audit;
	bool		 rollback;
	const char	*rollback_id;
	bool		 history;
	bool		 confirm;
	bool		 force;
	const char	*unconfirmed_id; /* the dead-man timer */
	bool		 expired;	/* --rollback-expired (boot check) */
	unsigned int	 after;
	const char	*self;		/* our executable */
	bool		 check_queue;
	long		 threshold;	/* --check-queue, --check-mail: alert
					   above */
	bool		 threshold_set;
	bool		 syslog;	/* --check-queue: also to syslog */
	bool		 check_dnsbl;
	const char	*server;	/* --check-dnsbl: ask this DNS server */
	const char	*zones;		/* --check-dnsbl: these lists */
	char *const	*ips;		/* --check-dnsbl: these addresses */
	size_t		 nips;
	bool		 check_dns;
	const char	*domain;	/* --check-dns: this mail domain */
	const char	*selector;	/* --check-dns: this DKIM selector */
	bool		 check_mail;
	const char	*since;		/* --check-mail: the window, "1h" */
	bool		 dns_records;
};

/* Output. Text from files goes through fputs_visible (util.h, ctl_visible). */
void	 fputs_visible(const char *, FILE *);
void	 print_plan(FILE *, const struct plan *);
void	 print_audit(FILE *, const struct step *const *, const struct audit *,
	    size_t);
json_t	*json_doc(const struct options *, const char *mode);
void	 json_errors(json_t *doc, const char *message);
void	 json_plan_steps(json_t *doc, const struct plan *,
	    const struct step *const *, size_t, bool applied);
void	 json_print(json_t *doc);
/* S as a JSON string, bytes that are not UTF-8 as \xNN. */
json_t	*json_text(const char *s);
/* The strings as a JSON array of json_text. */
json_t	*strv_json(const struct strv *);

/* --check-queue: the queue report; exit 1 above the threshold. */
int	 check_queue_main(const struct options *);
/*
 * The addresses a DNS command asks about, into IPS (initialized here):
 * the operands, else this machine's public ones when INTERFACES.
 */
void	 dns_operands(const struct options *, bool interfaces,
	    struct strv *ips);
/* --check-dnsbl: exit 1 when listed, or when no list could be asked. */
int	 check_dnsbl_main(const struct options *);
/* --check-dns: exit 1 when a record is missing or wrong. */
int	 check_dns_main(const struct options *);
int	 check_mail_main(const struct options *);
/* --dns-records: the records to publish, merged with the published ones. */
int	 dns_records_main(const struct options *);

/* The wizard's queue view: one sender's messages held, shown, deleted. */
struct frontend;
void	 queue_flow(const struct frontend *, const struct options *);
/*
 * The wizard's mail health view: --check-mail's report, and for a login,
 * sender or client that looks abusive, its remedies as a plan.
 */
void	 mail_flow(const struct frontend *, const struct options *);
/*
 * Check P with its validators, show it under TITLE and apply it as one
 * transaction once the admin agrees (pending for TIMEOUT seconds on a
 * live system when not 0). True when it was applied or tried.
 */
bool	 review_and_apply(const struct frontend *, const struct options *,
	    struct plan *p, const char *title, unsigned int timeout);

/* Interactive wizard: newt, or line mode with --plain or no terminal. */
int	 wizard_main(const struct options *);

#endif
