/*
 * stage.h -- a scratch copy of one configuration directory of the root
 * with the plan's candidate files written over it. A daemon's checker
 * reads the stage instead of the live directory, so nothing live changes
 * before the daemon has said yes; the stage is removed afterwards.
 */
#ifndef HW_STAGE_H
#define HW_STAGE_H

#include <stdbool.h>

#include "plan.h"

/* What becomes of one live file in the stage. */
enum stage_how {
	STAGE_COPY,	/* its bytes: a candidate may replace it */
	STAGE_LINK,	/* a link to the live file: no private key copied */
	STAGE_SKIP,	/* left out: the checker builds it again */
};

struct stage_rules {
	const char	*what;		/* "sshd": names the scratch dir */
	const char	*dir;		/* inside the root: "/etc/postfix" */
	bool		 recurse;	/* subdirectories too */
	/* What to do with the live file REL (under DIR); NULL: copy all. */
	enum stage_how	(*how)(const char *rel, void *arg);
	/*
	 * Where a STAGE_LINK points: LINK_BASE/REL, relative to the stage's
	 * top (where the checker mounts the live directory).
	 */
	const char	*link_base;
	/* Write the candidate C to TO; NULL: its new text. */
	int		(*candidate)(const struct change *c, const char *to,
			    void *arg, char **cause);
	void		*arg;
};

/*
 * Make *STAGE, a new private directory holding ROOT/DIR as RULES say, with
 * every candidate file of PLAN (when not NULL) under DIR written in (new
 * files too). Every
 * file is dated a minute back: Postfix's tools wait about two seconds
 * before reading a file changed this second. On failure *STAGE is NULL
 * and nothing is left behind.
 */
int	 stage_make(const char *root, const struct plan *,
	    const struct stage_rules *, char **stage, char **cause);
/*
 * One file for a checker that reads a single file: PATH as it is after
 * PLAN (the root's file when PLAN leaves it alone), alone in a new private
 * directory *STAGE (remove it with stage_remove), at host path *COPY
 * (caller frees); empty, with *EXISTS false, when there is no such file.
 */
int	 stage_file(struct plan *, const char *path, char **stage,
	    char **copy, bool *exists, char **cause);
/* Date a file of a stage a minute back, after a checker's tool wrote it. */
void	 stage_backdate(const char *hostpath);
/* Remove STAGE (NULL: nothing) and free its name. */
void	 stage_remove(char *stage);

/*
 * SHA-256 of what STAGE holds, in name order: each entry's path, kind and
 * mode, a file's bytes, a link's target (a linked private key is never
 * read). Two stages with the same digest give a checker the same input:
 * how a checker's verdict on bytes it judged already is reused. -1 when
 * the stage cannot be read.
 */
#define STAGE_DIGEST_LEN	32
int	 stage_digest(const char *stage, unsigned char *digest);

#endif
