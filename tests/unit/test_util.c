/*
 * test_util.c -- the string set the rule and map loops rely on to stay
 * linear: members found, copies kept, growth loses nothing.
 */
#include "testutil.h"

#include "util.h"

static void
test_strset(void **state)
{
	struct strset set;
	char key[32];

	(void)state;
	strset_init(&set);
	assert_false(strset_has(&set, "22/tcp"));
	assert_true(strset_add(&set, "22/tcp"));
	assert_false(strset_add(&set, "22/tcp"));
	assert_true(strset_has(&set, "22/tcp"));
	assert_false(strset_has(&set, "22/udp"));
	assert_true(strset_add(&set, ""));
	assert_true(strset_has(&set, ""));
	/* Many growths: every member still found, none twice. */
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "port%d", i);
		assert_true(strset_add(&set, key));
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "port%d", i);
		assert_true(strset_has(&set, key));
		assert_false(strset_add(&set, key));
	}
	assert_false(strset_has(&set, "port5000"));
	assert_int_equal(set.n, 5002);
	strset_release(&set);
	assert_false(strset_has(&set, "22/tcp"));
}

/* The set holds copies: the caller's buffer may change after. */
static void
test_strset_copies(void **state)
{
	struct strset set;
	char buf[8] = "abc";

	(void)state;
	strset_init(&set);
	assert_true(strset_add(&set, buf));
	buf[0] = 'x';
	assert_true(strset_has(&set, "abc"));
	assert_false(strset_has(&set, "xbc"));
	strset_release(&set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strset),
		cmocka_unit_test(test_strset_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
