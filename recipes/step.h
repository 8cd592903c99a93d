/*
 * step.h -- what a hardening step is. Each step is one file in recipes/
 * exporting one const struct step, listed in STEP_LIST (steps.c).
 *
 * Adding a step touches exactly: one new file, recipes/NAME.c, exporting
 * const struct step step_NAME (its questions, the Augeas files it edits, an
 * audit hook and a plan hook); one X(NAME) line in STEP_LIST (steps.c);
 * its section in docs/recipe.conf.5; its test script tests/t/tNNNN-NAME.sh.
 * Nothing else (docs/design.md, "Adding a step"). A step never writes:
 * plan() edits through the Augeas session and appends to the plan, using
 * ctx->id for its own id.
 */
#ifndef HW_STEP_H
#define HW_STEP_H

#ifndef HW_STEPS_LAYER
#error "the engine and the daemons know no step"
#endif

#include <stdbool.h>
#include <stddef.h>

#include "augsession.h"
#include "plan.h"
#include "progress.h"
#include "sysinfo.h"
#include "util.h"

/* Value types of recipe keys and wizard questions. */
enum value_type {
	V_BOOL,		/* yes|no|true|false|on|off -> "yes"/"no" */
	V_INT,		/* min..max */
	V_PORT,		/* one TCP port 1-65535 -> "N" */
	V_PORTS,	/* N, N/tcp, N/udp, N-M/tcp, listed -> "N/tcp ..." */
	V_DURATION,	/* N, Ns, Nm, Nh, Nd -> seconds "N" */
	V_LIST,		/* comma and/or space separated -> "a b c" */
	V_CHOICE,	/* one of choices */
	V_TEXT,		/* free text, one line */
	V_USER,		/* a user name */
	V_LOGIN,	/* a relay login: what Postfix_Passwordmap can hold */
	V_PUBKEY,	/* an OpenSSH public key line */
	V_PATH,		/* an absolute path */
	V_IPS,		/* IPv4/IPv6 addresses, listed -> "a b" */
};

/* Questions the wizard does not ask (recipe only). */
#define Q_RECIPE_ONLY	0x1
/* Value is a secret: masked when echoed, never in argv. */
#define Q_SECRET	0x2
/* Asked by the wizard only: a recipe never holds it (a password). */
#define Q_WIZARD_ONLY	0x4

struct question {
	const char		*key;		/* recipe key, lower_snake_case */
	enum value_type		 type;
	const char		*label;		/* N_() */
	const char		*help;		/* N_() */
	const char *const	*choices;	/* V_CHOICE, NULL-terminated */
	long			 min, max;	/* V_INT */
	unsigned int		 flags;
};

/* Parse IN as Q's type; *out gets the canonical value (caller frees). */
int	value_parse(const struct question *, const char *in, char **out,
	    char **why);

/* Answers: key -> canonical value, in question order. */
struct settings {
	struct strv	keys;
	struct strv	values;
};
void		 settings_init(struct settings *);
void		 settings_release(struct settings *);
void		 settings_set(struct settings *, const char *key, const char *);
const char	*settings_get(const struct settings *, const char *key);
bool		 settings_bool(const struct settings *, const char *key, bool);
long		 settings_long(const struct settings *, const char *key, long);

enum step_state {
	STATE_OK,
	STATE_NEEDS_CHANGE,
	STATE_CHANGED,
	STATE_SKIPPED,
	STATE_NOT_APPLICABLE,
	STATE_ERROR,
};
const char	*step_state_name(enum step_state);
/*
 * How a message names KEY of step S to whoever reads it: the form's label
 * in quotes in the wizard (P->wizard), "[step] key" for a recipe. Freed.
 */
struct step;
char		*setting_ref(const struct plan *, const struct step *,
		    const char *key);
/* The state as the wizard shows it, in the user's language. */
const char	*step_state_label(enum step_state);

struct finding {
	char	*key;
	char	*current;
	char	*wanted;
};

struct audit {
	enum step_state	 state;
	struct finding	*findings;
	size_t		 nfindings;
	struct settings	 current;	/* defaults for the wizard's form */
	struct strv	 notes;		/* things the admin should know */
	/*
	 * Values the wizard offers as a check list for question PICK_KEY
	 * (the listening ports, for "close"); checked when in the answer.
	 */
	const char	*pick_key;
	struct strv	 pick_values;
	struct strv	 pick_labels;
};
void	audit_init(struct audit *);
void	audit_release(struct audit *);
void	audit_finding(struct audit *, const char *key, const char *current,
	    const char *wanted);
void	audit_pick(struct audit *, const char *value, const char *label);
/*
 * No Postfix under the root: A is "not-applicable", and true is returned.
 * Otherwise postconf's table started by postfix_prefetch is taken.
 */
struct step_ctx;
bool	audit_without_postfix(const struct step_ctx *, struct audit *);
/* The prefetch hook of the steps that audit Postfix: postconf -x. */
void	postfix_prefetch(struct step_ctx *);

/* What a step gets to look at. */
struct step_ctx {
	const char		*id;	/* the step's own: for every plan call */
	const char		*root;
	struct augs		*augs;
	const struct osinfo	*os;
	/* Audit values from the daemons are wanted (sshd -T ...). */
	bool			 effective;
	/*
	 * An audit's: the programs the steps' prefetch hooks started
	 * (early.h), taken by key. NULL elsewhere: the program is run then.
	 */
	struct early		*early;
	/* Every step planned in this run and its settings (NULL: skipped). */
	const struct step *const *steps;
	const struct settings *const *settings;
	size_t			 nsteps;
};

/*
 * The settings STEP is planned with in this run, or NULL. Only STEP's own
 * file calls it, to answer the facts below: a step never reads another's
 * answers by name.
 */
const struct settings *step_ctx_settings(const struct step_ctx *,
	    const struct step *);

/*
 * Facts steps offer each other about this run, each defined in the file of
 * the step that owns it.
 */
/*
 * ssh.c: add to PORTS the ports sshd listens on, each once ("22" when none
 * is set): in an audit per sshd -T, in a plan per the session's files (the
 * SSH step's edits included when it planned first); then the one the SSH
 * step moves it to in this run, which *MOVED_TO (when not NULL) gets when
 * it is new, else NULL. -1 when sshd's files cannot be read.
 */
int		 ssh_ports_after(const struct step_ctx *, struct strv *ports,
		    const char **moved_to, char **cause);
/* ssh.c: the same before the SSH step's edits: the root's files now. */
int		 ssh_ports_now(const struct step_ctx *, struct strv *ports,
		    char **cause);
/*
 * ssh.c: the prefetch hook of a step whose audit asks the above: starts
 * sshd -T (each step may: it runs once).
 */
void		 ssh_prefetch(struct step_ctx *);
/* ssh.c: the SSH step plans in this run (it edits sshd's files then). */
bool		 ssh_planned(const struct step_ctx *);
/*
 * firewall.c: the firewall step runs in this run (it then allows every SSH
 * port itself); *BACKEND gets the backend it asks for ("auto" when none)
 * and *ENABLE whether it turns the firewall on, when not NULL.
 */
bool		 firewall_planned(const struct step_ctx *, const char **backend,
		    bool *enable);
/* postfix_sasl.c: the SASL step turns SMTP AUTH on in this run. */
bool		 sasl_planned(const struct step_ctx *);

/*
 * A change of this step can cut off the admin's way in (SSH, the firewall,
 * a ban): on a live system the wizard's form proposes the dead-man timer
 * (STEP_CONFIRM_DEFAULT seconds) for it. Every other step's form offers the
 * timer too, set to 0. Any step's section of a recipe may set
 * confirm_timeout (SPEC), for the whole transaction.
 */
#define STEP_CONFIRM	0x1
#define STEP_CONFIRM_DEFAULT	300

struct step {
	const char		*id;		/* recipe section, --only */
	unsigned int		 flags;		/* STEP_* */
	const char		*title;		/* N_() */
	const char		*help;		/* N_() */
	/* An audit's session loads those not plan_only. */
	const struct aug_file	*files;
	size_t			 nfiles;
	const struct question	*questions;
	size_t			 nquestions;
	int	(*audit)(struct step_ctx *, struct audit *, char **cause);
	/*
	 * Starts in ctx->early the slow programs the audit will run (sshd -T,
	 * apt-config dump), before the audits' Augeas session loads, so they
	 * run meanwhile; the audit takes them by the same key. It reads only
	 * files, never the session (there is none yet). NULL: none.
	 */
	void	(*prefetch)(struct step_ctx *);
	/* Only keys present in settings are changed. */
	int	(*plan)(struct step_ctx *, const struct settings *,
		    struct plan *, char **cause);
	/*
	 * Work done before anything is planned, outside the transaction,
	 * that no rollback undoes (upgrading every package), so that the
	 * plan is made against the system it leaves. With PREVIEW it only
	 * says what it would do. One line per fact into REPORT (nothing:
	 * the settings ask for no such work); the frontend's gauge in
	 * PROGRESS (may be NULL). NULL: the step has none.
	 */
	int	(*before)(struct step_ctx *, const struct settings *,
		    bool preview, const struct progress *,
		    struct strv *report, char **cause);
};

extern const struct step *const step_table[];
extern const size_t step_count;
const struct step	*step_find(const char *id);
const struct question	*step_question(const struct step *, const char *key);
/* The dead-man timer (confirm_timeout) in SETTINGS of STEP, else 0. */
unsigned int		 step_confirm_timeout(const struct step *,
			    const struct settings *);
/* The timer the wizard proposes for STEP on a live system, in seconds. */
unsigned int		 step_confirm_default(const struct step *);
/*
 * The questions the wizard's form asks for STEP, in order, into OUT (room
 * for nquestions + 1): the step's own, then on a LIVE system (root "/")
 * the dead-man timer, which means nothing offline. Returns how many.
 */
size_t			 step_form_questions(const struct step *, bool live,
			    const struct question **out);

#endif
