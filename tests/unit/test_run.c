/*
 * test_run.c -- the command runner on every path the apply loop can meet:
 * a program that fails without a word (run_checked once crashed there,
 * trimming a string literal), one that cannot be executed, a setup hook
 * that fails (no namespace without root), a timeout, output far past the
 * limit, input fed on stdin, and standard error kept apart.
 */
#include "testutil.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

static void
test_silent_failure(void **state)
{
	char *argv[] = { "false", NULL };
	char *cause = NULL;
	struct buf out;
	int status = -1;

	(void)state;
	/* run_checked with and without an output buffer: both say why. */
	assert_int_equal(run_checked(argv, NULL, NULL, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, "'false' failed (exit 1): ");
	free(cause);
	cause = NULL;
	buf_init(&out);
	assert_int_equal(run_checked(argv, NULL, &out, &cause), -1);
	assert_string_equal(cause, "'false' failed (exit 1): ");
	free(cause);
	cause = NULL;
	buf_release(&out);
	/* run_argv: it ran, so 0, with the exit code. */
	assert_int_equal(run_argv(argv, NULL, NULL, &status, &cause), 0);
	assert_int_equal(status, 1);
	assert_null(cause);
}

static void
test_exit_code_and_output(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 7", NULL };
	char *cause = NULL;
	struct buf out;
	int status = 0;

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, NULL, &out, &status, &cause), 0);
	assert_int_equal(status, 7);
	/* Merged by default, in order. */
	assert_string_equal(out.data, "out\nerr\n");
	buf_release(&out);
	buf_init(&out);
	assert_int_equal(run_checked(argv, NULL, &out, &cause), -1);
	assert_string_equal(cause, "'sh -c 'echo out; echo err >&2; "
	    "exit 7'' failed (exit 7): out\nerr");
	free(cause);
	buf_release(&out);
}

static void
test_stderr_apart(void **state)
{
	char *argv[] = { "sh", "-c", "echo 'postconf: warning: x' >&2; "
	    "echo value", NULL };
	struct buf out, err;
	struct run_opts o = { .err = &err };
	int status = -1;

	(void)state;
	buf_init(&out);
	buf_init(&err);
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.data, "value\n");
	assert_string_equal(err.data, "postconf: warning: x\n");
	buf_release(&out);
	buf_release(&err);
}

static void
test_exec_failure(void **state)
{
	char *argv[] = { "/nonexistent/hardenwiz-no-such-program", NULL };
	char *cause = NULL;
	struct buf out;
	int status = -1;

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, NULL, &out, &status, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "cannot execute "
	    "'/nonexistent/hardenwiz-no-such-program'"));
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	cause = NULL;
	/* run_checked passes the same cause on. */
	assert_int_equal(run_checked(argv, NULL, NULL, &cause), -1);
	assert_non_null(strstr(cause, "cannot execute"));
	free(cause);
	buf_release(&out);
}

static int
failing_setup(void *arg, char *why, size_t whylen)
{
	(void)arg;
	snprintf(why, whylen, "cannot create a private mount namespace: "
	    "Operation not permitted");
	return -1;
}

static int
silent_setup(void *arg, char *why, size_t whylen)
{
	(void)arg;
	(void)why;
	(void)whylen;
	return -1;
}

/* Moves the process to ARG: visible to the child's command, not to us. */
static int
marking_setup(void *arg, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	return chdir(arg);
}

static void
test_setup_failure(void **state)
{
	char *argv[] = { "true", NULL };
	struct run_opts o = { .setup = failing_setup };
	char *cause = NULL;
	int status = -1;

	(void)state;
	/* Not "it exited 126": the program never ran, and this says why. */
	assert_int_equal(run_argv(argv, &o, NULL, &status, &cause), -1);
	assert_string_equal(cause, "cannot run 'true': cannot create a "
	    "private mount namespace: Operation not permitted");
	free(cause);
	cause = NULL;
	o.setup = silent_setup;
	assert_int_equal(run_argv(argv, &o, NULL, &status, &cause), -1);
	assert_string_equal(cause, "cannot run 'true': its setup failed");
	free(cause);
}

static void
test_setup_runs_in_child(void **state)
{
	char *argv[] = { "pwd", NULL };
	struct run_opts o = { .setup = marking_setup, .setup_arg = "/proc" };
	char before[4096], after[4096];
	struct buf out;
	int status = -1;

	(void)state;
	buf_init(&out);
	assert_non_null(getcwd(before, sizeof before));
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_string_equal(buf_str(&out), "/proc\n");
	/* The parent stays where it was. */
	assert_non_null(getcwd(after, sizeof after));
	assert_string_equal(before, after);
	buf_release(&out);
}

/* A child gets a clean environment: nothing of ours but what tools need. */
static void
test_clean_environment(void **state)
{
	char *argv[] = { "sh", "-c", "printf '%s|%s' \"$HW_SECRET_X\" "
	    "\"${PATH:+path}\"", NULL };
	struct buf out;
	int status = -1;

	(void)state;
	assert_int_equal(setenv("HW_SECRET_X", "hunter2", 1), 0);
	buf_init(&out);
	assert_int_equal(run_argv(argv, NULL, &out, &status, NULL), 0);
	assert_string_equal(buf_str(&out), "|path");
	/* Our own environment keeps it: only the child's is cleaned. */
	assert_string_equal(getenv("HW_SECRET_X"), "hunter2");
	unsetenv("HW_SECRET_X");
	buf_release(&out);
}

static void
test_timeout(void **state)
{
	/* The sleep is a grandchild: the whole process group goes. */
	char *argv[] = { "sh", "-c", "sleep 30; echo late", NULL };
	struct run_opts o = { .timeout = 1 };
	char *cause = NULL;
	struct buf out;
	int status = -1;
	time_t start = time(NULL);

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, &o, &out, &status, &cause), -1);
	assert_true(time(NULL) - start < 10);
	assert_string_equal(cause, "'sh' did not finish in 1 s and was "
	    "killed");
	assert_null(out.data);
	free(cause);
	buf_release(&out);
}

static void
test_huge_output(void **state)
{
	/* 8 MB: far past the limit; the child must not block on a full
	 * pipe, and what is kept stops near the limit. */
	char *argv[] = { "head", "-c", "8000000", "/dev/zero", NULL };
	struct run_opts o = { .max_output = 100000 };
	struct buf out;
	int status = -1;

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_true(out.len >= 100000);
	assert_true(out.len < 100000 + 65536);
	buf_release(&out);
	/* The default limit is 1 MB. */
	buf_init(&out);
	assert_int_equal(run_argv(argv, NULL, &out, &status, NULL), 0);
	assert_true(out.len >= 1024 * 1024 && out.len < 1024 * 1024 + 65536);
	buf_release(&out);
}

static void
test_input(void **state)
{
	/* Larger than a pipe's buffer: written while the output is read. */
	size_t n = 300000;
	char *data = xmalloc(n);
	char *argv[] = { "wc", "-c", NULL };
	struct run_opts o = { .input = data, .input_len = n };
	struct buf out;
	int status = -1;

	(void)state;
	memset(data, 'x', n);
	buf_init(&out);
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_int_equal(atol(out.data), (long)n);
	buf_release(&out);
	free(data);
}

static void
test_killed_by_signal(void **state)
{
	char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	int status = -1;

	(void)state;
	assert_int_equal(run_argv(argv, NULL, NULL, &status, NULL), 0);
	assert_int_equal(status, 128 + 9);
}

static void
test_until(void **state)
{
	/* What a Postfix daemon does: says its fatal, then sleeps 1 s. */
	char *argv[] = { "sh", "-c", "echo 'x: fatal: no transport' >&2; "
	    "sleep 5; echo late >&2", NULL };
	struct buf err;
	struct run_opts o = { .err = &err, .until = "fatal: " };
	int status = -1;
	struct timespec a, b;

	(void)state;
	buf_init(&err);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(run_argv(argv, &o, NULL, &status, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(status, 128 + 9);
	assert_string_equal(err.data, "x: fatal: no transport\n");
	assert_true(b.tv_sec - a.tv_sec < 3);
	buf_release(&err);
}

/*
 * A child speaks English whatever the admin's language: ufw, firewall-cmd
 * and apt translate the output hardenwiz parses.
 */
static void
test_c_locale(void **state)
{
	char *argv[] = { "sh", "-c", "printf '%s|%s|%s|%s' \"$LC_ALL\" "
	    "\"$LANG\" \"$LANGUAGE\" \"$LC_MESSAGES\"", NULL };
	struct buf out;
	int status = -1;

	(void)state;
	assert_int_equal(setenv("LANG", "zh_CN.UTF-8", 1), 0);
	assert_int_equal(setenv("LANGUAGE", "zh_TW", 1), 0);
	assert_int_equal(setenv("LC_MESSAGES", "zh_CN.UTF-8", 1), 0);
	buf_init(&out);
	assert_int_equal(run_argv(argv, NULL, &out, &status, NULL), 0);
	assert_string_equal(buf_str(&out), "C.UTF-8|||");
	unsetenv("LANG");
	unsetenv("LANGUAGE");
	unsetenv("LC_MESSAGES");
	buf_release(&out);
}

static void
test_env(void **state)
{
	char *argv[] = { "sh", "-c", "echo \"$MAIL_CONFIG\"", NULL };
	const char *const env[] = { "MAIL_CONFIG=/tmp/stage", NULL };
	struct run_opts o = { .env = env };
	struct buf out;
	int status = -1;

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_string_equal(out.data, "/tmp/stage\n");
	buf_release(&out);
}

/* Lines of TEXT that start with PREFIX. */
static int
count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; *l != '\0'; l += strcspn(l, "\n") + 1) {
		n += strncmp(l, prefix, strlen(prefix)) == 0;
		if (l[strcspn(l, "\n")] == '\0')
			break;
	}
	return n;
}

/*
 * A variable the caller names replaces the one of that name (a tool told
 * another locale, or another PATH), never a second copy beside it; the
 * caller's own environment stays as it was.
 */
static void
test_env_replaces(void **state)
{
	/* env itself: a shell would keep one of two copies and hide it. */
	char *argv[] = { "env", NULL };
	const char *const env[] = { "LC_ALL=C", "HOME=/nonexistent", NULL };
	struct run_opts o = { .env = env };
	const char *home = getenv("HOME");
	struct buf out;
	int status = -1;

	(void)state;
	buf_init(&out);
	assert_int_equal(run_argv(argv, &o, &out, &status, NULL), 0);
	assert_int_equal(count_lines(buf_str(&out), "LC_ALL="), 1);
	assert_int_equal(count_lines(buf_str(&out), "HOME="), 1);
	assert_int_equal(count_lines(buf_str(&out), "LC_ALL=C\n"), 1);
	assert_int_equal(count_lines(buf_str(&out), "HOME=/nonexistent\n"), 1);
	assert_ptr_equal(getenv("HOME"), home);
	assert_null(getenv("LC_ALL"));
	buf_release(&out);
}

/*
 * sshd executes itself again on SIGHUP; until the new image sets its
 * handler, a second SIGHUP kills it. The stand-in sets its handler after
 * a second: "kill -HUP" through run_argv must wait for it.
 */
static void
test_hup_waits_for_the_handler(void **state)
{
	char *daemon[] = { "sh", "-c", "sleep 1; trap 'exit 7' HUP; "
	    "sleep 3 >/dev/null 2>&1 & wait", NULL };
	char pid[32];
	char *kill_argv[] = { "kill", "-HUP", pid, NULL };
	int status = -1, ws;
	pid_t child;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		execvp(daemon[0], daemon);
		_exit(127);
	}
	snprintf(pid, sizeof pid, "%ld", (long)child);
	assert_int_equal(run_argv(kill_argv, NULL, NULL, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_int_equal(waitpid(child, &ws, 0), child);
	/* Caught by the handler, not killed by the signal. */
	assert_false(WIFSIGNALED(ws));
	assert_int_equal(WEXITSTATUS(ws), 7);
}

static void
test_trim(void **state)
{
	char empty[] = "", spaced[] = "  a b \n";
	struct buf b;

	(void)state;
	assert_string_equal(trim(empty), "");
	assert_string_equal(trim(spaced), "a b");
	/* An empty buffer still gives a writable string. */
	buf_init(&b);
	assert_string_equal(trim(buf_str(&b)), "");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_failure),
		cmocka_unit_test(test_exit_code_and_output),
		cmocka_unit_test(test_stderr_apart),
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_setup_failure),
		cmocka_unit_test(test_setup_runs_in_child),
		cmocka_unit_test(test_clean_environment),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_huge_output),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_until),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_replaces),
		cmocka_unit_test(test_c_locale),
		cmocka_unit_test(test_hup_waits_for_the_handler),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
