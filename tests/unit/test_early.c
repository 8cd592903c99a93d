/*
 * test_early.c -- programs started before they are needed: run_start and
 * run_wait give what run_argv gives, a program left running is killed and
 * reaped by run_stop, and an early set hands each result out once by key,
 * keeps standard error apart when asked, says "not started" for a key it
 * does not hold, and runs every DONE exactly once, taken or dropped.
 */
#include "testutil.h"

#include <signal.h>
#include <time.h>

#include "early.h"
#include "run.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void
test_start_then_wait(void **state)
{
	char *a[] = { "sh", "-c", "sleep 0.3; echo a", NULL };
	char *b[] = { "sh", "-c", "sleep 0.3; echo b >&2; exit 3", NULL };
	struct run_job *ja, *jb;
	struct buf out, err;
	struct run_opts apart = { .err = &err };
	int status = -1;
	double t0 = now();

	(void)state;
	buf_init(&out);
	buf_init(&err);
	assert_int_equal(run_start(a, NULL, &ja, NULL), 0);
	assert_int_equal(run_start(b, &apart, &jb, NULL), 0);
	/* Both ran at once: the two waits take one sleep, not two. */
	assert_int_equal(run_wait(ja, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_string_equal(buf_str(&out), "a\n");
	buf_release(&out);
	buf_init(&out);
	assert_int_equal(run_wait(jb, &out, &status, NULL), 0);
	assert_int_equal(status, 3);
	assert_string_equal(buf_str(&out), "");
	assert_string_equal(buf_str(&err), "b\n");
	assert_true(now() - t0 < 0.55);
	buf_release(&out);
	buf_release(&err);
}

static void
test_start_failure(void **state)
{
	char *argv[] = { "/nonexistent/prog", NULL };
	struct run_job *j = NULL;
	char *cause = NULL;
	int status = 0;

	(void)state;
	/* exec fails in the child: reported by run_wait, as run_argv does. */
	assert_int_equal(run_start(argv, NULL, &j, &cause), 0);
	assert_int_equal(run_wait(j, NULL, &status, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/prog"));
	free(cause);
}

static void
test_stop_kills_and_reaps(void **state)
{
	char *argv[] = { "sh", "-c", "echo $$; exec sleep 30", NULL };
	struct run_job *j;
	double t0 = now();

	(void)state;
	assert_int_equal(run_start(argv, NULL, &j, NULL), 0);
	run_stop(j);
	assert_true(now() - t0 < 5);
	/* Reaped: no child of ours is left, zombie or not. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static int done_calls;

static void
count_done(void *arg)
{
	(void)arg;
	done_calls++;
}

static void
test_early_set(void **state)
{
	char *one[] = { "sh", "-c", "echo one; echo warn >&2", NULL };
	char *slow[] = { "sleep", "30", NULL };
	struct buf out, err;
	struct early *e = early_new();
	int status = -1;

	(void)state;
	buf_init(&out);
	buf_init(&err);
	done_calls = 0;
	early_start(e, "one", one, NULL, true, count_done, NULL);
	/* The same key again starts nothing, and lets go of its DONE. */
	early_start(e, "one", one, NULL, true, count_done, NULL);
	assert_int_equal(done_calls, 1);
	early_start(e, "slow", slow, NULL, false, count_done, NULL);
	assert_int_equal(early_take(e, "other", &out, NULL, &status, NULL),
	    1);
	assert_int_equal(early_take(e, "one", &out, &err, &status, NULL), 0);
	assert_int_equal(status, 0);
	assert_string_equal(buf_str(&out), "one\n");
	assert_string_equal(buf_str(&err), "warn\n");
	assert_int_equal(done_calls, 2);
	/* Taken once: the next take runs nothing. */
	assert_int_equal(early_take(e, "one", &out, NULL, &status, NULL), 1);
	/* The slow one was never taken: freeing the set kills it. */
	early_free(e);
	assert_int_equal(done_calls, 3);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	/* No set: nothing starts, DONE runs at once, take says run it. */
	early_start(NULL, "one", one, NULL, false, count_done, NULL);
	assert_int_equal(done_calls, 4);
	assert_int_equal(early_take(NULL, "one", &out, NULL, &status, NULL),
	    1);
	buf_release(&out);
	buf_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_then_wait),
		cmocka_unit_test(test_start_failure),
		cmocka_unit_test(test_stop_kills_and_reaps),
		cmocka_unit_test(test_early_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
