/*
 * augsession.h -- one Augeas handle per plan, opened on an explicit root,
 * loading only the lenses and files the chosen steps declare, from a private
 * scratch copy of those files. Steps edit the tree; augs_collect saves into
 * the copy and turns what changed into plan changes. Augeas never writes a
 * live file (see fsutil.c for why), so the 1.14 traps around umask, failed
 * saves and reloads cannot bite.
 */
#ifndef HW_AUGSESSION_H
#define HW_AUGSESSION_H

#include <augeas.h>
#include <sys/types.h>

#include "plan.h"

/* A lens and the files it loads; declared by steps as static data. */
/*
 * An Augeas module hardenwiz ships, carried in the binary: FILE
 * ("postfix_master.aug") and its text (cmake/embed-lens.cmake). Loaded
 * ahead of the system's lens of the same module name.
 */
struct aug_module {
	const char	*file;
	const char	*text;
};

struct aug_file {
	const char	*lens;		/* "Sshd.lns" */
	const char	*glob;		/* a glob such as /etc/ssh/sshd_config.d/[*].conf */
	mode_t		 new_mode;	/* for files the step creates */
	const struct checker *checker;	/* of the files, or NULL */
	const struct aug_module *module; /* the lens's module we ship, or NULL */
	/*
	 * Only plans load it: audits read what it says another way (sshd
	 * -T, the rules' own text), and a lens not loaded is not compiled
	 * (the Sshd lens's expressions were half of an audit).
	 */
	bool			 plan_only;
};

struct augs;

/* augs_open: a file's content is refused (a NUL byte): exit 3, not 1. */
#define AUGS_REFUSED	(-2)

/*
 * Open a session on ROOT loading the N files. Fails, naming file and line,
 * when a file does not parse, and naming the link when one leads out of ROOT;
 * AUGS_REFUSED, naming the file and offset, for a file with a NUL byte.
 */
int	 augs_open(struct augs **, const char *root, const struct aug_file *,
	    size_t n, char **cause);
void	 augs_free(struct augs *);
augeas	*augs_handle(struct augs *);
const char *augs_root(struct augs *);
/* S loaded the files of GLOB, as an aug_file names them (S may be NULL). */
bool	 augs_holds(const struct augs *, const char *glob);

/*
 * Add every file Augeas would now write to PLAN as a change of STEP, with
 * its new text as rendered into the scratch copy. Fails when a file could
 * not be written by its lens (put_failed), naming it.
 */
int	 augs_collect(struct augs *, struct plan *, const char *step,
	    char **cause);

/* Augeas' last API error as text ("Too many matches ..."); static. */
const char *augs_error(struct augs *);

/*
 * Set KEY (a path below the file: "commands/apply_updates") of FILE to
 * VALUE in the session; -1 with *CAUSE naming both and Augeas' error.
 */
int	 augs_set(struct augs *, const char *file, const char *key,
	    const char *value, char **cause);

/* Escape a string for use inside '...' in an Augeas path expression. */
char	*augs_quote(const char *);

#endif
