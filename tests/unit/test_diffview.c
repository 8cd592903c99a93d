/*
 * test_diffview.c -- the diff viewer's model: lines classified, files and
 * hunks counted, jumps land on the right lines.
 */
#include "testutil.h"

#include "diffview.h"

static const char plan[] =
    "--- a/etc/ssh/sshd_config\n"		/* 0 */
    "+++ b/etc/ssh/sshd_config\n"
    "@@ -1,2 +1,2 @@\n"				/* 2 */
    " keep\n"
    "-old\n"
    "+new\n"					/* 5 */
    "@@ -10 +10 @@\n"				/* 6 */
    "--- a comment line starting with dashes\n"	/* 7: a deletion */
    "+++ an added line\n"
    "--- /dev/null\n"				/* 9 */
    "+++ b/etc/ssh/sshd_config.d/00-hardenwiz.conf\n"
    "@@ -0,0 +1 @@\n"				/* 11 */
    "+Port 2222\n"
    "# mode /etc/ssh/sshd_config.d/00-hardenwiz.conf 0644\n"
    "# run: systemctl reload ssh\n";		/* 14 */

static void
test_classify(void **state)
{
	struct diffview dv;

	(void)state;
	diffview_load(&dv, plan);
	assert_int_equal(dv.n, 15);
	assert_int_equal(dv.nfiles, 2);
	assert_int_equal(dv.nhunks, 3);
	assert_int_equal(dv.lines[0].kind, DV_HEADER);
	assert_int_equal(dv.lines[3].kind, DV_CONTEXT);
	assert_int_equal(dv.lines[4].kind, DV_DEL);
	assert_int_equal(dv.lines[5].kind, DV_ADD);
	assert_int_equal(dv.lines[7].kind, DV_DEL);	/* inside a hunk */
	assert_int_equal(dv.lines[8].kind, DV_ADD);
	assert_int_equal(dv.lines[9].kind, DV_HEADER); /* the hunk ended */
	assert_int_equal(dv.lines[12].kind, DV_ADD);
	assert_int_equal(dv.lines[13].kind, DV_META);
	assert_int_equal(dv.lines[12].file, 1);
	assert_int_equal(dv.lines[6].hunk, 1);
	diffview_release(&dv);
}

static void
test_jumps(void **state)
{
	struct diffview dv;

	(void)state;
	diffview_load(&dv, plan);
	assert_int_equal(diffview_jump(&dv, 0, DV_HUNK_UNIT, 1), 2);
	assert_int_equal(diffview_jump(&dv, 2, DV_HUNK_UNIT, 1), 6);
	assert_int_equal(diffview_jump(&dv, 6, DV_HUNK_UNIT, -1), 2);
	assert_int_equal(diffview_jump(&dv, 2, DV_HUNK_UNIT, -1), 2);
	assert_int_equal(diffview_jump(&dv, 14, DV_HUNK_UNIT, 1), 14);
	assert_int_equal(diffview_jump(&dv, 0, DV_FILE, 1), 9);
	assert_int_equal(diffview_jump(&dv, 9, DV_FILE, 1), 9);
	assert_int_equal(diffview_jump(&dv, 12, DV_FILE, -1), 9);
	assert_int_equal(diffview_jump(&dv, 9, DV_FILE, -1), 0);
	diffview_release(&dv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_jumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
