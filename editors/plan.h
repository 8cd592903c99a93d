/*
 * plan.h -- the changeset. Steps append typed changes; every frontend renders
 * the same plan; one loop in apply.c performs it. Nothing here writes to the
 * target system.
 */
#ifndef HW_PLAN_H
#define HW_PLAN_H

#include <stdbool.h>
#include <sys/types.h>

#include "checker.h"
#include "util.h"

enum change_kind {
	CHANGE_FILE,	/* write content and/or mode and owner */
	CHANGE_MKDIR,	/* create a directory */
	CHANGE_COMMAND,	/* run an argv; undo_argv reverses it */
};

struct change {
	enum change_kind kind;
	char		*step;		/* id of the step that planned it */
	char		*path;		/* FILE, MKDIR: path inside the root */

	/*
	 * FILE. OLD_TEXT and NEW_TEXT may be one buffer (the same pointer):
	 * until a step changes the text, and after plan_append, when the old
	 * text is the first OLD_LEN bytes of the new. Then OLD_TEXT is not
	 * NUL-terminated at OLD_LEN: always read it with its length.
	 */
	bool		 existed;
	char		*old_text;	/* NULL when !existed */
	size_t		 old_len;
	char		*new_text;	/* never NULL */
	size_t		 new_len;
	mode_t		 old_mode, new_mode;
	uid_t		 old_uid, new_uid;
	gid_t		 old_gid, new_gid;
	/* Checks the candidate before it replaces the live file, or NULL. */
	const struct checker *checker;

	/* MKDIR uses new_mode, new_uid, new_gid. */

	/* COMMAND */
	char		**argv;
	char		**undo_argv;	/* NULL: nothing to undo */
	char		*why;		/* one line for the reader */
	/*
	 * Files the command rewrites (a firewall's rule store). The journal
	 * keeps their originals, so a rollback restores them byte for byte
	 * after the inverse commands have run.
	 */
	struct strv	 touches;

	/* Its band in the apply order (plan_sort): ORDER_*, 0 by default. */
	int		 order;
};

/*
 * Bands of the apply order, for what must be in place before the files
 * that name it (a map and its database before main.cf refers to them) or
 * after everything (the reload that makes a daemon read it all). Within a
 * band, changes keep the order they were planned in.
 */
#define ORDER_SOURCE	(-2)	/* a file another change builds from */
#define ORDER_PREPARE	(-1)	/* what the configuration will name */
#define ORDER_ACTIVATE	1	/* reloads, last */

/* After apply, the daemon's own view must report KEY = VALUE. */
struct expectation {
	char		*step;
	const struct expect_kind *kind;	/* who answers, how (checker.h) */
	char		*key;		/* as the daemon's own view names it */
	char		*label;		/* as the admin writes it, for reports */
	char		*value;
	char		*alias;		/* another spelling of VALUE, or NULL */
	char		*current;	/* the value before the plan */
};

struct plan {
	char			*root;
	bool			 offline;	/* root is not "/": run nothing */
	struct change		*changes;
	size_t			 nchanges;
	size_t			 cap;
	struct expectation	*expect;
	size_t			 nexpect;
	struct strv		 secrets;	/* masked in every rendering */
	struct strv		 secret_files;	/* shown as keys only */
	struct strv		 private_files;	/* never shown at all */
	struct strv		 notes;		/* warnings for the reader */
	struct strv		 not_applicable;	/* ids of such steps */
	/*
	 * The plan may not be applied: a step found no way in would remain
	 * (lockout: --apply exits 4), or something it needs is missing
	 * (a password backend, a certificate). The first refusal wins.
	 */
	char			*refusal;
	bool			 lockout;
	/*
	 * What would make it possible, offered in place by the wizard:
	 * setting KEY of the refusing step to VALUE, said as LABEL.
	 */
	char			*offer_label, *offer_key, *offer_value;
	/* The messages are read in the wizard's forms, not in a recipe. */
	bool			 wizard;
	/*
	 * Run at the end of a rollback, after every file is back: make a
	 * daemon load the restored files (firewall-cmd --reload).
	 */
	char			***resync;
	size_t			 nresync;
};

void	 plan_init(struct plan *, const char *root);
void	 plan_release(struct plan *);
/* Refuse the plan (see refusal); a later refusal is dropped. */
void	 plan_refuse(struct plan *, bool lockout, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* With the refusal: setting KEY to VALUE would make it possible. */
void	 plan_offer(struct plan *, const char *label, const char *key,
	    const char *value);

/*
 * Plan PATH to have NEW as content. The current content, mode and owner are
 * read from the root; for a new file MODE/UID/GID are used, for an existing
 * one they are kept. A later call for the same path replaces the content.
 * Nothing is added when the text does not change.
 */
int	 plan_file(struct plan *, const char *step, const char *path,
	    const char *new, size_t len, mode_t mode, uid_t uid, gid_t gid,
	    const struct checker *, char **cause);
/*
 * PATH (planned already, or as it is; created with MODE when missing)
 * with the LEN bytes of TAIL after it: entries added to a map. The file
 * is held once however large it is, and its diff is the tail's.
 */
int	 plan_append(struct plan *, const char *step, const char *path,
	    const char *tail, size_t len, mode_t mode,
	    const struct checker *, char **cause);
/* Tighten (never loosen) the mode of PATH, which may already be planned. */
int	 plan_file_mode(struct plan *, const char *step, const char *path,
	    mode_t mode, uid_t uid, gid_t gid, char **cause);
void	 plan_mkdir(struct plan *, const char *step, const char *path,
	    mode_t mode, uid_t uid, gid_t gid);
/* Directories above PATH that do not exist yet: created 0755 root. */
void	 plan_parents(struct plan *, const char *step, const char *path);
struct change *plan_command(struct plan *, const char *step,
	    char *const *argv, char *const *undo_argv, const char *why);
/* The command C rewrites PATH (see struct change). */
void	 plan_touches(struct change *c, const char *path);
/* The FILE change of PATH (if planned) goes in band ORDER. */
void	 plan_order_file(struct plan *, const char *path, int order);
/* Stable sort of the changes by band: done once every step has planned. */
void	 plan_sort(struct plan *);
/* ARGV is already planned (by any step). */
bool	 plan_has_command(const struct plan *, char *const *argv);
/* Run ARGV after a rollback has restored the files (once per argv). */
void	 plan_resync(struct plan *, char *const *argv);
void	 plan_expect(struct plan *, const char *step,
	    const struct expect_kind *, const char *key, const char *label,
	    const char *value, const char *alias, const char *current);
void	 plan_secret(struct plan *, const char *secret);
/*
 * PATH holds secrets (a password map): its diff shows each line's first
 * word only, on both sides and in context.
 */
void	 plan_secret_file(struct plan *, const char *path);
/* PATH is a private key: no line of it is ever rendered, only its size. */
void	 plan_private_file(struct plan *, const char *path);
/* STEP does not apply to this system (its daemon is not installed). */
void	 plan_not_applicable(struct plan *, const char *step);
void	 plan_note(struct plan *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The planned change for PATH, or NULL. */
struct change	*plan_find_file(struct plan *, const char *path);
/* What PATH will contain after the plan (planned or current); caller frees. */
int	 plan_text_after(struct plan *, const char *path, char **text,
	    size_t *len, bool *exists, char **cause);
bool	 plan_is_empty(const struct plan *);
size_t	 plan_count(const struct plan *, enum change_kind);
bool	 plan_step_changes(const struct plan *, const char *step);

/* Replace every secret in S (in place, new string returned; caller frees). */
char	*plan_mask(const struct plan *, const char *s);

/*
 * Render the plan as SPEC's preview text: one unified diff per file, mode
 * and owner changes as "# mode" lines, then one "# run: ARGV" per command
 * (with " (skipped: offline root)" under a root other than "/").
 * Only STEP's changes when STEP is not NULL.
 */
void	 plan_render(const struct plan *, const char *step, struct buf *out);
/* Files and commands of one step (for JSON). argv strings are masked. */
void	 plan_step_files(const struct plan *, const char *step,
	    struct strv *out);

#endif
