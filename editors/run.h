/*
 * run.h -- run a program from an argv (never a shell string), with optional
 * data on its standard input (how secrets travel: never in argv) and an
 * optional hook that prepares the child (a private mount namespace for
 * validators). Output is captured, standard error merged into it.
 */
#ifndef HW_RUN_H
#define HW_RUN_H

#include <stddef.h>

#include "util.h"

struct run_opts {
	const char	*input;		/* standard input data, or NULL */
	size_t		 input_len;
	/* Runs in the child before exec; non-zero aborts with exit 126. */
	int		(*setup)(void *);
	void		*setup_arg;
	unsigned int	 timeout;	/* seconds; 0 means 120 */
	size_t		 max_output;	/* bytes kept; 0 means 1 MB */
};

/*
 * Run ARGV and wait for it. Returns 0 when it ran (its exit code in *status,
 * 128 + signal when killed) and -1 when it could not be started. Output goes
 * to OUT when not NULL.
 */
int	run_argv(char *const *argv, const struct run_opts *, struct buf *out,
	    int *status, char **cause);

/* Full path of PROG found in PATH (or the usual sbin directories); caller frees. */
/*
 * run_argv, where an exit status other than 0 fails too, with *cause
 * "'ARGV' failed (exit N): OUTPUT". OUT (may be NULL) gets the output.
 */
int	run_checked(char *const *argv, const struct run_opts *,
	    struct buf *out, char **cause);

char	*run_which(const char *prog);

#endif
