/*
 * early.h -- programs an audit will need, started before Augeas loads.
 * An audit of the sample server waited for sshd -T, apt-config dump and
 * postconf -x one after another (55 ms of its 150) while the second core
 * idled; started first, they run there during the load (about 60 ms).
 *
 * A step's prefetch hook starts its programs here under a key of its
 * choosing ("sshd -T /etc/ssh"); its audit takes the result by the same
 * key, or runs the program itself when the key was not started. What is
 * not taken is killed when the set is freed: a result never outlives the
 * audit it was started for, so it can never describe files changed since.
 */
#ifndef HW_EARLY_H
#define HW_EARLY_H

#include <stdbool.h>

#include "run.h"
#include "util.h"

struct early;

struct early	*early_new(void);
/* Kill and reap what was not taken; every DONE runs. NULL is ignored. */
void		 early_free(struct early *);

/*
 * Start ARGV under KEY with OPTS (run_start's; OPTS->err is not used:
 * with APART, standard error is kept apart in a buffer of the set's own,
 * for early_take to hand over). DONE(ARG),
 * when not NULL, runs once the program has ended and been taken or
 * dropped: what the program needed until then (a stage) goes there. A
 * KEY already started, or a program that cannot start, is left alone:
 * the audit then runs it itself and reports any error as before. E may be
 * NULL (nothing is started; DONE runs at once).
 */
void	early_start(struct early *e, const char *key, char *const *argv,
	    const struct run_opts *opts, bool apart, void (*done)(void *),
	    void *arg);

/*
 * The result of KEY's program, as run_argv would have given it (its
 * standard error into ERR when it was kept apart), and KEY is forgotten;
 * 1 when KEY was not started here (E may be NULL): run it now.
 */
int	early_take(struct early *e, const char *key, struct buf *out,
	    struct buf *err, int *status, char **cause);

#endif
