/*
 * test_diff.c -- unified diffs: exact output on small cases, and on random
 * edits the real patch(1) must turn the old text into the new one.
 */
#include "testutil.h"

#include "diff.h"
#include "run.h"

static char *
diff_of(const char *old, const char *new)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	diff_unified(&b, "/etc/x.conf", old, old ? strlen(old) : 0, new,
	    new ? strlen(new) : 0, 3);
	return buf_detach(&b, NULL);
}

static void
test_equal(void **state)
{
	char *d = diff_of("a\nb\n", "a\nb\n");

	(void)state;
	assert_string_equal(d, "");
	free(d);
}

static void
test_replace_line(void **state)
{
	char *d = diff_of("a\nb\nc\n", "a\nB\nc\n");

	(void)state;
	assert_string_equal(d,
	    "--- a/etc/x.conf\n+++ b/etc/x.conf\n@@ -1,3 +1,3 @@\n"
	    " a\n-b\n+B\n c\n");
	free(d);
}

static void
test_new_and_removed_file(void **state)
{
	char *d = diff_of(NULL, "x\ny\n");

	(void)state;
	assert_string_equal(d, "--- /dev/null\n+++ b/etc/x.conf\n"
	    "@@ -0,0 +1,2 @@\n+x\n+y\n");
	free(d);
	d = diff_of("x\n", NULL);
	assert_string_equal(d, "--- a/etc/x.conf\n+++ /dev/null\n"
	    "@@ -1 +0,0 @@\n-x\n");
	free(d);
}

static void
test_no_newline(void **state)
{
	char *d = diff_of("a\nb", "a\nb\n");

	(void)state;
	assert_string_equal(d, "--- a/etc/x.conf\n+++ b/etc/x.conf\n"
	    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
	free(d);
}

static void
test_two_hunks(void **state)
{
	const char *old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
	const char *new = "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n";
	char *d = diff_of(old, new);

	(void)state;
	assert_string_equal(d, "--- a/etc/x.conf\n+++ b/etc/x.conf\n"
	    "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
	    "@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n");
	free(d);
}

/* Random line-level edits of a random text. */
static char *
mutate(const char *text, unsigned *seed)
{
	struct buf b;
	const char *s = text;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (*s != '\0') {
		size_t n = strcspn(s, "\n") + 1;
		int r = rand_r(seed) % 10;

		if (r == 0)
			;			/* delete */
		else if (r == 1)
			buf_addf(&b, "new %d\n", rand_r(seed) % 5);
		else {
			buf_add(&b, s, n);
			if (r == 2)
				buf_addf(&b, "ins %d\n", rand_r(seed) % 5);
		}
		s += n;
	}
	return buf_detach(&b, NULL);
}

static void
test_patch_roundtrip(void **state)
{
	char *dir = tmpdir_new();
	unsigned seed = 42;

	(void)state;
	for (int iter = 0; iter < 60; iter++) {
		struct buf text, out;
		char *new, *d, *got, *patchfile = xasprintf("%s/p", dir);
		char *argv[] = { "patch", "-s", "-p1", "-d", dir, "-i",
		    patchfile, NULL };
		int status = -1, lines = 5 + rand_r(&seed) % 60;

		buf_init(&text);
		buf_add(&text, "", 0);
		for (int i = 0; i < lines; i++)
			buf_addf(&text, "line %d\n", rand_r(&seed) % 8);
		new = mutate(text.data, &seed);
		if (iter % 7 == 0 && new[0] != '\0')
			new[strlen(new) - 1] = '\0';	/* no final newline */
		put_file(dir, "/etc/x.conf", text.data, 0644);
		d = diff_of(text.data, new);
		put_file(dir, "/p", d, 0644);
		buf_init(&out);
		if (d[0] != '\0') {
			assert_int_equal(run_argv(argv, NULL, &out, &status,
			    NULL), 0);
			if (status != 0)
				fail_msg("patch failed (%d): %s\n%s", status,
				    out.data, d);
		}
		got = get_file(dir, "/etc/x.conf");
		assert_string_equal(got, new);
		free(got);
		buf_release(&out);
		buf_release(&text);
		free(new);
		free(d);
		free(patchfile);
	}
	tmpdir_free(dir);
}

/*
 * One edit in a long text: the hunks are GNU diff's, line numbers and all
 * (the common head and tail are cut off before lines are split, and the
 * numbers must not notice), for edits at the start, the end and between.
 */
static void
test_long_text_like_gnu(void **state)
{
	char *dir = tmpdir_new();
	char *a = xasprintf("%s/a", dir), *b = xasprintf("%s/b", dir);
	char *argv[] = { "diff", "-u", a, b, NULL };
	unsigned seed = 7;

	(void)state;
	for (int iter = 0; iter < 40; iter++) {
		struct buf old, new, gnu;
		int n = 2000, at = iter < 4 ? (iter % 2 ? 0 : n - 1) :
		    rand_r(&seed) % n, kind = iter % 5, status = -1;
		char *ours, *hunks;

		buf_init(&old);
		buf_init(&new);
		buf_add(&old, "", 0);
		buf_add(&new, "", 0);
		for (int i = 0; i < n; i++) {
			/* Repeats, so that a line alone is not unique. */
			buf_addf(&old, "line %d\n", i % 50);
			if (i != at)
				buf_addf(&new, "line %d\n", i % 50);
			else if (kind == 0)	/* replaced */
				buf_addf(&new, "changed %d\n", i);
			else if (kind == 1)	/* inserted after */
				buf_addf(&new, "line %d\nadded\n", i % 50);
			else if (kind == 3)	/* two lines for one */
				buf_adds(&new, "x\ny\n");
			else if (kind == 4)	/* the same line's end */
				buf_addf(&new, "X line %d\n", i % 50);
			/* kind 2: deleted */
		}
		if (iter == 5)	/* appended to the end, as a map grows */
			buf_adds(&new, "line 1\nnew@example.org REJECT\n");
		put_file(dir, "/a", old.data, 0644);
		put_file(dir, "/b", new.data, 0644);
		buf_init(&gnu);
		assert_int_equal(run_argv(argv, NULL, &gnu, &status, NULL),
		    0);
		assert_int_equal(status, 1);
		ours = diff_of(old.data, new.data);
		/* Past the two header lines, which name files and times. */
		hunks = strstr(strstr(ours, "\n+++ ") + 1, "\n") + 1;
		assert_string_equal(hunks, strstr(strstr(gnu.data, "\n+++ ") +
		    1, "\n") + 1);
		free(ours);
		buf_release(&gnu);
		buf_release(&old);
		buf_release(&new);
	}
	free(a);
	free(b);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_replace_line),
		cmocka_unit_test(test_new_and_removed_file),
		cmocka_unit_test(test_no_newline),
		cmocka_unit_test(test_two_hunks),
		cmocka_unit_test(test_patch_roundtrip),
		cmocka_unit_test(test_long_text_like_gnu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
