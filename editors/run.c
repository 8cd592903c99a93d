/*
 * run.c -- fork and exec an argv with captured output. The child gets a
 * fresh process group so that a timeout can kill all of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

/* Output beyond this is dropped: we only show the start of an error. */
#define RUN_MAX_OUTPUT (1024 * 1024)

char *
run_which(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0 ? xstrdup(prog) : NULL;
	copy = xasprintf("%s:/usr/sbin:/usr/bin:/sbin:/bin",
	    path != NULL ? path : "");
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xasprintf("%s/%s", dir, prog);

		if (access(candidate, X_OK) == 0) {
			found = candidate;
			break;
		}
		free(candidate);
	}
	free(copy);
	return found;
}

static void
child(char *const *argv, const struct run_opts *opts, int in, int out)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	if (opts != NULL && opts->setup != NULL &&
	    opts->setup(opts->setup_arg) != 0)
		_exit(126);
	{
		/* PATH may be short (cron, sudo): look in sbin too. */
		char *path = run_which(argv[0]);

		execv(path != NULL ? path : argv[0], argv);
	}
	dprintf(STDERR_FILENO, "cannot execute '%s': %s\n", argv[0],
	    strerror(errno));
	_exit(127);
}

static int
feed_and_collect(int infd, int outfd, const struct run_opts *opts,
    struct buf *out, pid_t pid)
{
	const char *input = opts != NULL ? opts->input : NULL;
	size_t left = input != NULL ? opts->input_len : 0;
	unsigned int limit = opts != NULL && opts->timeout ? opts->timeout :
	    120;
	time_t deadline = time(NULL) + limit;
	char chunk[8192];

	if (left == 0) {
		close(infd);
		infd = -1;
	}
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = outfd, .events = POLLIN },
			{ .fd = infd, .events = POLLOUT },
		};
		int n = poll(pfd, infd >= 0 ? 2 : 1, 250);

		if (time(NULL) > deadline) {
			kill(-pid, SIGKILL);
			if (infd >= 0)
				close(infd);
			return -1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (infd >= 0 && (pfd[1].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			ssize_t w = write(infd, input, left);

			if (w > 0) {
				input += w;
				left -= (size_t)w;
			}
			if (w < 0 || left == 0) {
				close(infd);
				infd = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(outfd, chunk, sizeof chunk);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (out != NULL && out->len < (opts != NULL &&
			    opts->max_output ? opts->max_output :
			    RUN_MAX_OUTPUT))
				buf_add(out, chunk, (size_t)r);
		}
	}
	if (infd >= 0)
		close(infd);
	return 0;
}

int
run_argv(char *const *argv, const struct run_opts *opts, struct buf *out,
    int *status, char **cause)
{
	int inpipe[2], outpipe[2], ws, timed_out;
	pid_t pid;

	if (argv == NULL || argv[0] == NULL)
		return set_cause(cause, "internal error: empty command");
	if (pipe2(inpipe, O_CLOEXEC) != 0)
		return set_cause(cause, "cannot create a pipe: %s",
		    strerror(errno));
	if (pipe2(outpipe, O_CLOEXEC) != 0) {
		close(inpipe[0]);
		close(inpipe[1]);
		return set_cause(cause, "cannot create a pipe: %s",
		    strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(inpipe[0]);
		close(inpipe[1]);
		close(outpipe[0]);
		close(outpipe[1]);
		return set_cause(cause, "cannot fork to run '%s': %s", argv[0],
		    strerror(errno));
	}
	if (pid == 0)
		child(argv, opts, inpipe[0], outpipe[1]);
	close(inpipe[0]);
	close(outpipe[1]);
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);

		timed_out = feed_and_collect(inpipe[1], outpipe[0], opts, out,
		    pid) != 0;
		signal(SIGPIPE, old);
	}
	close(outpipe[0]);
	while (waitpid(pid, &ws, 0) < 0) {
		if (errno != EINTR)
			return set_cause(cause, "cannot wait for '%s': %s",
			    argv[0], strerror(errno));
	}
	if (timed_out)
		return set_cause(cause, "'%s' did not finish in time and was "
		    "killed", argv[0]);
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else
		*status = 128 + WTERMSIG(ws);
	if (*status == 127 && out != NULL &&
	    strstr(out->data ? out->data : "", "cannot execute") != NULL)
		return set_cause(cause, "%s", trim(out->data));
	return 0;
}

int
run_checked(char *const *argv, const struct run_opts *opts, struct buf *out,
    char **cause)
{
	struct buf own;
	struct buf *b = out != NULL ? out : &own;
	int status = 0, r;

	if (out == NULL)
		buf_init(&own);
	r = run_argv(argv, opts, b, &status, cause);
	if (r == 0 && status != 0) {
		char *q = argv_quote(argv);

		r = set_cause(cause, "'%s' failed (exit %d): %s", q, status,
		    trim(b->data ? b->data : ""));
		free(q);
	}
	if (out == NULL)
		buf_release(&own);
	return r;
}
