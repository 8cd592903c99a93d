/*
 * sshd/now.h -- sshd's configuration as it is now, for a reader that edits
 * nothing: an audit, and the SSH ports a firewall must keep open.
 *
 * sshd -T's global values when sshd can run on the files: they are what
 * sshd does, and reading them needs no lens. Otherwise the files through
 * the Sshd lens: in the caller's session when it holds them, else in a
 * session of its own. An audit's session leaves sshd's files out
 * (plan_only in SSHD_AUG_FILES): compiling the lens's expressions was
 * half of an audit's time.
 */
#ifndef HW_SSHD_NOW_H
#define HW_SSHD_NOW_H

#include <stdbool.h>

#include "augsession.h"
#include "sshd/check.h"
#include "sshd/config.h"
#include "sshd/lockout.h"

struct sshd_now {
	struct sshd_view view;
	bool		 have_view;
	char		*why;		/* why sshd -T gave no view, or NULL */
	struct augs	*own;		/* a session of its own, or NULL */
	augeas		*aug;		/* the files, when there is no view */
};

/*
 * Read ROOT's configuration: with RUN_SSHD through sshd -T (taking the
 * run E holds, when it started one; E may be NULL), else or when sshd
 * cannot say through the files, in SESSION when it holds them (SESSION
 * may be NULL). -1 with *CAUSE when the files cannot be read either.
 * Released in every case.
 */
struct early;
int	 sshd_now_read(struct sshd_now *, const char *root, struct augs *session,
	    struct early *e, bool run_sshd, char **cause);
void	 sshd_now_release(struct sshd_now *);
/* The value sshd uses for K, as given (sshd_canonical to compare). */
char	*sshd_now_value(const struct sshd_now *, const struct sshd_keyword *);
/* Add the ports sshd listens on to PORTS, each once ("22" when none). */
void	 sshd_now_ports(const struct sshd_now *, struct strv *ports);
void	 sshd_now_policy(const struct sshd_now *, struct sshd_policy *);

#endif
