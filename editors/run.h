/*
 * run.h -- run a program from an argv (never a shell string), with optional
 * data on its standard input (how secrets travel: never in argv) and an
 * optional hook that prepares the child (a private mount namespace for
 * validators). Output is captured, standard error merged into it unless the
 * caller asks for it apart (a value read with "postconf -h" must never
 * contain postconf's warnings).
 *
 * "Could not run it" and "it ran and failed" are kept apart: the first is
 * run_argv's -1 with a cause (exec failed, the setup hook failed, timeout),
 * so that a validator that could not start is a runtime failure (exit 1),
 * never "the daemon rejected the configuration" (exit 3).
 */
#ifndef HW_RUN_H
#define HW_RUN_H

#include <stddef.h>

#include "util.h"

struct run_opts {
	const char	*input;		/* standard input data, or NULL */
	size_t		 input_len;
	/*
	 * Runs in the child before exec. On failure it returns non-zero
	 * with a message in WHY (what could not be done and why), which
	 * becomes run_argv's cause; the program is not run.
	 */
	int		(*setup)(void *, char *why, size_t whylen);
	void		*setup_arg;
	unsigned int	 timeout;	/* seconds; 0 means 120 */
	size_t		 max_output;	/* bytes kept, per stream; 0 means 1 MB */
	struct buf	*err;		/* standard error apart, or NULL: merged */
	/*
	 * NAME=value entries added to the child's cleaned environment (how
	 * a Postfix daemon is told which configuration to read), or NULL.
	 */
	const char *const *env;
	/*
	 * Once a complete line of output (standard error when apart)
	 * contains this text, the program has said what was wanted: its
	 * process group is killed and run_argv returns 0 with *status
	 * 128 + SIGKILL. NULL: wait for it to exit.
	 */
	const char	*until;
	/*
	 * Called with each complete line either stream prints (STREAM 1 or
	 * 2, without its newline) as it arrives: how long work (an upgrade)
	 * reports its progress. NULL: none.
	 */
	void		(*on_line)(void *, int stream, const char *line);
	void		*line_arg;
};

/*
 * Run ARGV and wait for it. Returns 0 when it ran (its exit code in *status,
 * 128 + signal when killed) and -1 when it could not be run: no such
 * program, the setup hook failed, or it was killed at the timeout. Output
 * goes to OUT when not NULL; past max_output it is read and dropped.
 * "kill -HUP PID" (USR1, USR2) first waits, up to 10 s, until PID has a
 * handler for the signal: a daemon in the middle of executing itself again
 * (sshd's reload) would die of it.
 */
int	run_argv(char *const *argv, const struct run_opts *, struct buf *out,
	    int *status, char **cause);

/*
 * run_argv in two halves, for a program started before its result is
 * needed (the audit's sshd -T runs while Augeas loads): run_start starts
 * it, or returns -1 with a cause as run_argv would; run_wait feeds its
 * input, collects its output and returns what run_argv would have. The
 * options' input and err buffer must live until run_wait. A job is ended
 * exactly once: by run_wait, or by run_stop, which kills its process
 * group and reaps it.
 */
struct run_job;
int	run_start(char *const *argv, const struct run_opts *,
	    struct run_job **, char **cause);
int	run_wait(struct run_job *, struct buf *out, int *status, char **cause);
void	run_stop(struct run_job *);

/*
 * run_argv, where an exit status other than 0 fails too, with *cause
 * "'ARGV' failed (exit N): OUTPUT" (its standard error instead when the
 * options keep that apart). OUT (may be NULL) gets the output.
 */
int	run_checked(char *const *argv, const struct run_opts *,
	    struct buf *out, char **cause);

/*
 * run_checked with standard error apart and up to 16 MB of output, each
 * line of its standard output into LINES: a listing to parse (apt-get
 * -s, rpm -qa).
 */
int	run_lines(char *const *argv, const char *const *env,
	    unsigned int timeout, struct strv *lines, char **cause);

/* Full path of PROG found in PATH (or the usual sbin directories); caller frees. */
char	*run_which(const char *prog);

#endif
