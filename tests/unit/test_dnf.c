/*
 * test_dnf.c -- dnf-automatic's own loader (python3-dnf, the same
 * upstream dnf 4.14 as Rocky and Alma 9) as the checker of
 * /etc/dnf/automatic.conf: a value it cannot use is read as the default,
 * and the check says so.
 */
#include "testutil.h"

#include "dnf/dnf.h"

static const char conf[] =
    "[commands]\n"
    "upgrade_type = security\n"
    "apply_updates = maybe\n"
    "[emitters]\n"
    "emit_via = email,stdio\n"
    "[email]\n"
    "email_to = root, admin@example.org\n";

/* DUMP says KEY is WANT. */
static void
reads(const char *dump, const char *key, const char *want)
{
	char *v = dump_value(dump, key);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void
test_dump(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	struct buf out;
	bool rejected;

	(void)state;
	put_file(root, DNF_AUTOMATIC_CONF, conf, 0644);
	buf_init(&out);
	assert_int_equal(dnf_automatic_dump(root, NULL, &out, &rejected,
	    &cause), 0);
	reads(buf_str(&out), "commands.upgrade_type", "security");
	/* "maybe" is no boolean: dnf-automatic keeps its default. */
	reads(buf_str(&out), "commands.apply_updates", "False");
	reads(buf_str(&out), "emitters.emit_via", "email,stdio");
	reads(buf_str(&out), "email.email_to", "root,admin@example.org");
	assert_null(dump_value(buf_str(&out), "commands.reboot_now"));
	buf_release(&out);
	tmpdir_free(root);
}

/* The checker compares what dnf-automatic reads with the expectation. */
static void
test_check(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	const char *good = "[commands]\napply_updates = yes\n";
	struct plan p;

	(void)state;
	put_file(root, DNF_AUTOMATIC_CONF, conf, 0644);
	plan_init(&p, root);
	plan_expect(&p, "updates", &dnf_automatic_value,
	    "commands.apply_updates", "apply_updates", "True", NULL, NULL);
	assert_int_equal(dnf_automatic_checker.check(&p, true, &cause),
	    CHECK_REJECTED);
	assert_string_equal(cause, "dnf-automatic reads apply_updates in "
	    DNF_AUTOMATIC_CONF " as 'False', not 'True'");
	free(cause);
	cause = NULL;
	/* The candidate, not the file as it is. */
	assert_int_equal(plan_file(&p, "updates", DNF_AUTOMATIC_CONF, good,
	    strlen(good), 0644, 0, 0, &dnf_automatic_checker, &cause), 0);
	assert_int_equal(dnf_automatic_checker.check(&p, true, &cause),
	    CHECK_OK);
	/* After apply the file on disk is read: still the old one here. */
	assert_int_equal(dnf_automatic_checker.check(&p, false, &cause),
	    CHECK_REJECTED);
	free(cause);
	plan_release(&p);
	tmpdir_free(root);
}

/* A file dnf-automatic's parser refuses: named as the root's, not the copy. */
static void
test_refused(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	struct buf out;
	bool rejected;

	(void)state;
	put_file(root, DNF_AUTOMATIC_CONF, "[commands\napply_updates = yes\n",
	    0644);
	buf_init(&out);
	assert_int_equal(dnf_automatic_dump(root, NULL, &out, &rejected,
	    &cause), -1);
	assert_true(rejected);
	assert_non_null(strstr(cause, "dnf-automatic cannot read "
	    DNF_AUTOMATIC_CONF ": "));
	assert_non_null(strstr(cause, "Parsing file \"" DNF_AUTOMATIC_CONF
	    "\" failed"));
	assert_null(strstr(cause, "/dev/shm"));
	assert_null(strstr(cause, "/tmp/"));
	free(cause);
	buf_release(&out);
	tmpdir_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
