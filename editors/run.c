/*
 * run.c -- vfork and exec an argv with captured output. The child gets a
 * fresh process group so that a timeout can kill all of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "run.h"

extern char **environ;

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

/*
 * In the child, before exec: tell the parent why the program will not run.
 * TAG 'S' is the setup hook, 'E' exec; the pipe closes itself on a
 * successful exec, so the parent reads nothing then.
 */
static void __attribute__((noreturn))
child_fail(int report, char tag, const char *why, int code)
{
	char msg[600];
	int n = snprintf(msg, sizeof msg, "%c%s", tag, why);

	if (n > 0)
		(void)!write(report, msg, (size_t)n < sizeof msg ? (size_t)n :
		    sizeof msg - 1);
	_exit(code);
}

struct child_fds {
	int		 in, out, err, report;
	/* Translated in the parent: gettext may allocate. */
	const char	*redirect_msg, *setup_msg;
};

/*
 * A child gets only what a daemon's tool needs from the environment: a
 * secret handed to hardenwiz in a variable (password_env), or anything
 * else of the caller's, never reaches postconf, postmap or systemctl.
 * Then EXTRA (NAME=value, NULL-terminated, may be NULL), each replacing a
 * variable of its name. Built in the parent: the child shares its memory.
 * Caller frees the array, not the strings.
 */
static char **
child_environment(const char *const *extra)
{
	static const char *const keep[] = { "PATH=", "HOME=", "TZ=", "TERM=",
	    "DBUS_SYSTEM_BUS_ADDRESS=", NULL };
	/*
	 * Every tool speaks English to us: its output is parsed (ufw,
	 * firewall-cmd and apt translate theirs) and its messages quoted
	 * inside ours. UTF-8 keeps non-ASCII file names intact.
	 */
	static char c_locale[] = "LC_ALL=C.UTF-8";
	size_t n = 0, next = 0, k;
	char **env;

	while (extra != NULL && extra[next] != NULL)
		next++;
	for (size_t i = 0; environ[i] != NULL; i++)
		n++;
	env = xcalloc(n + next + 2, sizeof *env);
	n = 0;
	for (size_t i = 0; environ[i] != NULL; i++)
		for (k = 0; keep[k] != NULL; k++)
			if (strncmp(environ[i], keep[k], strlen(keep[k])) ==
			    0) {
				env[n++] = environ[i];
				break;
			}
	env[n++] = c_locale;
	for (size_t e = 0; e < next; e++) {
		size_t len = strcspn(extra[e], "=") + 1;

		for (k = 0; k < n && strncmp(env[k], extra[e], len) != 0; k++)
			;
		if (k == n)
			n++;
		env[k] = (char *)extra[e];
	}
	env[n] = NULL;
	return env;
}

/*
 * In the child of vfork: it runs on the parent's memory until it execs, so
 * it changes nothing there (the program's path and environment are made
 * before) and every signal stays blocked until the handlers it inherited,
 * which would run on the parent's memory, are back to their defaults.
 */
static void __attribute__((noreturn))
child(char *const *argv, const char *path, char *const *envp,
    const struct run_opts *opts, const struct child_fds *fd)
{
	sigset_t none;
	char why[512] = "";

	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && (sig == SIGPIPE ||
		    (sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL))) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			(void)sigaction(sig, &sa, NULL);
		}
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (dup2(fd->in, STDIN_FILENO) < 0 || dup2(fd->out, STDOUT_FILENO) < 0 ||
	    dup2(fd->err >= 0 ? fd->err : fd->out, STDERR_FILENO) < 0) {
		snprintf(why, sizeof why, "%s: %s", fd->redirect_msg,
		    strerror(errno));
		child_fail(fd->report, 'S', why, 126);
	}
	if (opts != NULL && opts->setup != NULL &&
	    opts->setup(opts->setup_arg, why, sizeof why) != 0)
		child_fail(fd->report, 'S', why[0] != '\0' ? why :
		    fd->setup_msg, 126);
	execve(path, argv, envp);
	child_fail(fd->report, 'E', strerror(errno), 127);
}

/* One stream being read: where it goes and how much of it is kept. */
struct sink {
	int		 fd;
	struct buf	*to;
	int		 stream;	/* 1 or 2, for on_line */
	struct buf	 line;		/* the line being read, for on_line */
};

/* Hand each complete line of CHUNK (and what came before) to on_line. */
static void
split_lines(struct sink *s, const struct run_opts *opts, const char *chunk,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			if (s->line.len < 4096)	/* a line, not a flood */
				buf_add(&s->line, chunk + i, 1);
			continue;
		}
		opts->on_line(opts->line_arg, s->stream, buf_str(&s->line));
		s->line.len = 0;
		s->line.data[0] = '\0';
	}
}

/* Read what is there; at the end of the stream, close it. */
static void
drain(struct sink *s, const struct run_opts *opts, size_t max)
{
	char chunk[8192];
	ssize_t r = read(s->fd, chunk, sizeof chunk);

	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0) {
		close(s->fd);
		s->fd = -1;
		return;
	}
	/* Past the limit it is still read, so the child never blocks. */
	if (s->to != NULL && s->to->len < max)
		buf_add(s->to, chunk, (size_t)r);
	if (opts != NULL && opts->on_line != NULL)
		split_lines(s, opts, chunk, (size_t)r);
}

/* A complete line of B holds TEXT. */
static bool
said_line(const struct buf *b, const char *text)
{
	const char *hit;

	if (b == NULL || b->data == NULL || (hit = strstr(b->data, text)) ==
	    NULL)
		return false;
	return strchr(hit, '\n') != NULL;
}

/* Feed the input, collect both streams; -1 when the deadline passed. */
static int
feed_and_collect(int infd, struct sink *out, struct sink *err,
    const struct run_opts *opts, pid_t pid, time_t deadline)
{
	const char *input = opts->input;
	size_t left = input != NULL ? opts->input_len : 0;
	size_t max = opts->max_output ? opts->max_output : RUN_MAX_OUTPUT;
	bool stopped = false;

	if (left == 0 && infd >= 0) {
		close(infd);
		infd = -1;
	}
	while (out->fd >= 0 || err->fd >= 0) {
		struct pollfd pfd[3] = {
			{ .fd = out->fd, .events = POLLIN },
			{ .fd = err->fd, .events = POLLIN },
			{ .fd = infd, .events = POLLOUT },
		};
		int n = poll(pfd, 3, 250);

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
		if (infd >= 0 && (pfd[2].revents & (POLLOUT | POLLERR |
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
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			drain(out, opts, max);
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			drain(err, opts, max);
		if (opts->until != NULL && !stopped &&
		    said_line(err->to != NULL ? err->to : out->to,
		    opts->until)) {
			/* Read on to the end: the pipes close with it. */
			kill(-pid, SIGKILL);
			stopped = true;
		}
	}
	if (infd >= 0)
		close(infd);
	return 0;
}

static void
close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* What the child reported before it could exec, as a cause. */
static int
read_report(int fd, const char *name, char **cause)
{
	char msg[600];
	ssize_t n;

	while ((n = read(fd, msg, sizeof msg - 1)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return 0;
	msg[n] = '\0';
	if (msg[0] == 'E')
		return set_cause(cause, _("cannot execute '%s': %s"), name,
		    msg + 1);
	return set_cause(cause, _("cannot run '%s': %s"), name, msg + 1);
}

/* Process PID has a handler for signal SIG now (or is gone). */
static bool
catches(long pid, int sig)
{
	char path[64], line[256];
	FILE *f;
	bool yes = true;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((f = fopen(path, "re")) == NULL)
		return true;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "SigCgt:", 7) == 0) {
			unsigned long long mask = strtoull(line + 7, NULL, 16);

			yes = (mask >> (sig - 1)) & 1;
			break;
		}
	}
	fclose(f);
	return yes;
}

/*
 * "kill -HUP PID" (USR1, USR2: the reload signals) waits, up to 10 s,
 * until PID catches the signal. A daemon that executes itself again on
 * SIGHUP (sshd) has the default action, death, until its new image sets
 * the handler: a rollback's reload a moment after the apply's would kill
 * the only way in.
 */
static void
wait_until_caught(char *const *argv)
{
	static const struct { const char *name; int sig; } reload[] = {
	    { "HUP", SIGHUP }, { "SIGHUP", SIGHUP }, { "1", SIGHUP },
	    { "USR1", SIGUSR1 }, { "SIGUSR1", SIGUSR1 },
	    { "USR2", SIGUSR2 }, { "SIGUSR2", SIGUSR2 } };
	const char *base = strrchr(argv[0], '/');
	int sig = 0;

	base = base != NULL ? base + 1 : argv[0];
	if (strcmp(base, "kill") != 0 || argv[1] == NULL || argv[1][0] != '-')
		return;
	for (size_t i = 0; i < nitems(reload); i++)
		if (strcmp(argv[1] + 1, reload[i].name) == 0)
			sig = reload[i].sig;
	for (size_t i = 2; sig != 0 && argv[i] != NULL; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (*end != '\0' || pid <= 0)
			continue;
		for (int t = 0; t < 500 && !catches(pid, sig); t++)
			poll(NULL, 0, 20);
	}
}

/*
 * Start ARGV with the given ends of its pipes; its pid, or -1 with errno.
 * vfork, not fork: a fork copies the page tables of hardenwiz (tens of MB
 * once Augeas has loaded), and every page the parent writes afterwards
 * faults once to be copied or made writable again. Measured on a VM here:
 * three forks of a 20 MB process cost 15,000 page faults and more time
 * than the programs they ran. PATH may be short (cron, sudo): sbin is
 * looked in too.
 */
static pid_t
spawn(char *const *argv, const struct run_opts *opts, int in, int out,
    int err, int report)
{
	struct child_fds fd = { in, out, err, report,
	    _("cannot redirect its input and output"),
	    _("its setup failed") };
	char *path = run_which(argv[0]);
	char **envp = child_environment(opts != NULL ? opts->env : NULL);
	const char *prog = path != NULL ? path : argv[0];
	sigset_t all, old;
	pid_t pid;
	int saved;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = vfork();
	if (pid == 0)
		child(argv, prog, envp, opts, &fd);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(envp);
	free(path);
	errno = saved;
	return pid;
}

/* A program started by run_start: the parent's ends of its pipes. */
struct run_job {
	char		*name;		/* argv[0], for messages */
	pid_t		 pid;
	int		 in, out, err, report;
	struct run_opts	 opts;		/* a copy; input and err are the caller's */
	time_t		 deadline;
};

static void
job_free(struct run_job *j)
{
	if (j->in >= 0)
		close(j->in);
	if (j->out >= 0)
		close(j->out);
	if (j->err >= 0)
		close(j->err);
	if (j->report >= 0)
		close(j->report);
	free(j->name);
	free(j);
}

int
run_start(char *const *argv, const struct run_opts *opts,
    struct run_job **job, char **cause)
{
	static const struct run_opts none;
	int inpipe[2] = { -1, -1 }, outpipe[2] = { -1, -1 },
	    errpipe[2] = { -1, -1 }, report[2] = { -1, -1 };
	struct run_job *j;
	bool apart;
	pid_t pid;
	int r;

	*job = NULL;
	if (argv == NULL || argv[0] == NULL)
		return set_cause(cause, _("internal error: empty command"));
	opts = opts != NULL ? opts : &none;
	apart = opts->err != NULL;
	wait_until_caught(argv);
	if (pipe2(inpipe, O_CLOEXEC) != 0 || pipe2(outpipe, O_CLOEXEC) != 0 ||
	    (apart && pipe2(errpipe, O_CLOEXEC) != 0) ||
	    pipe2(report, O_CLOEXEC) != 0) {
		r = set_cause(cause, _("cannot create a pipe to run '%s': %s"),
		    argv[0], strerror(errno));
		goto fail;
	}
	/*
	 * Room for all the output a program started early writes while
	 * hardenwiz does other work (apt-config dump, postconf: 10-40 KB),
	 * so that it finishes meanwhile instead of waiting to be read.
	 */
	(void)fcntl(outpipe[0], F_SETPIPE_SZ, 1024 * 1024);
	pid = spawn(argv, opts, inpipe[0], outpipe[1], errpipe[1], report[1]);
	if (pid < 0) {
		r = set_cause(cause, _("cannot fork to run '%s': %s"), argv[0],
		    strerror(errno));
		goto fail;
	}
	(void)setpgid(pid, pid);	/* before a timeout can signal it */
	close(inpipe[0]);
	close(outpipe[1]);
	close(report[1]);
	if (apart)
		close(errpipe[1]);
	j = xcalloc(1, sizeof *j);
	j->name = xstrdup(argv[0]);
	j->pid = pid;
	j->in = inpipe[1];
	j->out = outpipe[0];
	j->err = errpipe[0];
	j->report = report[0];
	j->opts = *opts;
	j->deadline = time(NULL) + (opts->timeout ? opts->timeout : 120);
	*job = j;
	return 0;
fail:
	close_pair(inpipe);
	close_pair(outpipe);
	close_pair(errpipe);
	close_pair(report);
	return r;
}

int
run_wait(struct run_job *j, struct buf *out, int *status, char **cause)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct sink o = { j->out, out, 1, { NULL, 0, 0 } };
	struct sink e = { j->err, j->opts.err, 2, { NULL, 0, 0 } };
	int ws, timed_out, r;

	timed_out = feed_and_collect(j->in, &o, &e, &j->opts, j->pid,
	    j->deadline) != 0;
	j->in = -1;			/* closed there */
	j->out = o.fd;
	j->err = e.fd;
	signal(SIGPIPE, old);
	buf_release(&o.line);
	buf_release(&e.line);
	while (waitpid(j->pid, &ws, 0) < 0) {
		if (errno != EINTR) {
			r = set_cause(cause, _("cannot wait for '%s': %s"),
			    j->name, strerror(errno));
			job_free(j);
			return r;
		}
	}
	r = read_report(j->report, j->name, cause);
	if (r == 0 && timed_out)
		r = set_cause(cause, _("'%s' did not finish in %u s and was "
		    "killed"), j->name, j->opts.timeout ? j->opts.timeout :
		    120);
	if (r == 0 && WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else if (r == 0)
		*status = 128 + WTERMSIG(ws);
	job_free(j);
	return r;
}

void
run_stop(struct run_job *j)
{
	if (j == NULL)
		return;
	kill(-j->pid, SIGKILL);
	while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
		;
	job_free(j);
}

int
run_argv(char *const *argv, const struct run_opts *opts, struct buf *out,
    int *status, char **cause)
{
	struct run_job *j;

	if (run_start(argv, opts, &j, cause) != 0)
		return -1;
	return run_wait(j, out, status, cause);
}

int
run_checked(char *const *argv, const struct run_opts *opts, struct buf *out,
    char **cause)
{
	struct buf own;
	struct buf *b = out != NULL ? out : &own;
	/* Where the program said why: its standard error, when apart. */
	struct buf *said = opts != NULL && opts->err != NULL ? opts->err : b;
	int status = 0, r;

	if (out == NULL)
		buf_init(&own);
	r = run_argv(argv, opts, b, &status, cause);
	if (r == 0 && status != 0) {
		char *q = argv_quote(argv);

		r = set_cause(cause, "'%s' failed (exit %d): %s", q, status,
		    trim(buf_str(said)));
		free(q);
	}
	if (out == NULL)
		buf_release(&own);
	return r;
}

int
run_lines(char *const *argv, const char *const *env, unsigned int timeout,
    struct strv *lines, char **cause)
{
	struct buf out, err;
	struct run_opts ro = { .timeout = timeout, .err = &err, .env = env,
	    .max_output = 16 * 1024 * 1024 };
	char *line, *save = NULL;
	int r;

	buf_init(&out);
	buf_init(&err);
	r = run_checked(argv, &ro, &out, cause);
	for (line = strtok_r(buf_str(&out), "\n", &save); r == 0 &&
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		strv_add(lines, line);
	buf_release(&out);
	buf_release(&err);
	return r;
}
