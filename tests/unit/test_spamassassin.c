/*
 * test_spamassassin.c -- spamass-milter's settings: the options the step
 * sets around the admin's own, and the checker, which reads the candidate
 * as the start script does (sh sources it): a later line that changes
 * OPTIONS again is caught.
 */
#include "testutil.h"

#include "spamassassin/spamassassin.h"

static void
test_options(void **state)
{
	char *o;

	(void)state;
	o = spamass_options("\"-u spamass-milter -i 127.0.0.1\"", true);
	assert_string_equal(o, "-u spamass-milter -m -r 15");
	free(o);
	/* The admin's -x and -e kept; theirs -r30 and -I replaced. */
	o = spamass_options("-u spamass-milter -x -r30 -I -e example.org",
	    false);
	assert_string_equal(o, "-u spamass-milter -x -e example.org -m -r 15 "
	    "-I -i 127.0.0.1");
	free(o);
	o = spamass_options(NULL, true);
	assert_string_equal(o, "-m -r 15");
	free(o);
}

static void
test_check(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	const char *later = "OPTIONS=\"-m -r 15\"\nOPTIONS=\"$OPTIONS -x\"\n";
	const char *good = "OPTIONS=\"-m -r 15\"\n";
	struct plan p;

	(void)state;
	put_file(root, SPAMASS_DEFAULT, "OPTIONS=\"\"\n", 0644);
	plan_init(&p, root);
	plan_expect(&p, "spamfilter", &spamass_value, "OPTIONS", "OPTIONS",
	    "-m -r 15", NULL, NULL);
	assert_int_equal(plan_file(&p, "spamfilter", SPAMASS_DEFAULT, later,
	    strlen(later), 0644, 0, 0, &spamass_checker, &cause), 0);
	assert_int_equal(spamass_checker.check(&p, true, &cause),
	    CHECK_REJECTED);
	assert_string_equal(cause, "spamass-milter's start script reads "
	    "OPTIONS in " SPAMASS_DEFAULT " as '-m -r 15 -x', not '-m -r 15'");
	free(cause);
	cause = NULL;
	assert_int_equal(plan_file(&p, "spamfilter", SPAMASS_DEFAULT, good,
	    strlen(good), 0644, 0, 0, &spamass_checker, &cause), 0);
	assert_int_equal(spamass_checker.check(&p, true, &cause), CHECK_OK);
	/* A file sh cannot read. */
	assert_int_equal(plan_file(&p, "spamfilter", SPAMASS_DEFAULT,
	    "OPTIONS=\"-m\nif then\n", 17, 0644, 0, 0, &spamass_checker,
	    &cause), 0);
	assert_int_equal(spamass_checker.check(&p, true, &cause),
	    CHECK_REJECTED);
	assert_non_null(strstr(cause, "spamass-milter's start script cannot "
	    "read " SPAMASS_DEFAULT));
	/* sh's words name the root's file, never the scratch copy. */
	assert_non_null(strstr(cause, ": " SPAMASS_DEFAULT ": "));
	assert_null(strstr(cause, "/dev/shm"));
	assert_null(strstr(cause, "/tmp/"));
	free(cause);
	plan_release(&p);
	tmpdir_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
