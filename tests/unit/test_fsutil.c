/*
 * test_fsutil.c -- the atomic writer keeps mode and owner and leaves no temp
 * file; links out of the root are refused; files under missing directories
 * resolve.
 */
#include "testutil.h"

#include <dirent.h>

/* Number of entries in DIR/REL, "." and ".." not counted. */
static int
entries(const char *dir, const char *rel)
{
	char *p = xasprintf("%s%s", dir, rel);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..")
		    != 0;
	closedir(d);
	free(p);
	return n;
}

static void
test_write_keeps_mode_owner(void **state)
{
	char *root = tmpdir_new(), *host = xasprintf("%s/etc/main.cf", root);
	struct stat before, after;
	char *cause = NULL, *got;

	(void)state;
	put_file(root, "/etc/main.cf", "old\n", 0640);
	assert_int_equal(chown(host, 1234, 5678), 0);
	assert_int_equal(stat(host, &before), 0);
	assert_int_equal(fs_write_atomic(root, "/etc/main.cf", "new\n", 4,
	    0640, 1234, 5678, &cause), 0);
	assert_int_equal(stat(host, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0640);
	assert_int_equal(after.st_uid, 1234);
	assert_int_equal(after.st_gid, 5678);
	assert_int_not_equal(after.st_ino, before.st_ino); /* replaced */
	got = get_file(root, "/etc/main.cf");
	assert_string_equal(got, "new\n");
	free(got);
	assert_int_equal(entries(root, "/etc"), 1);	/* no temp file */
	free(host);
	tmpdir_free(root);
}

static void
test_no_temp_left_on_failure(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;

	(void)state;
	/* A write into a directory it may not create fails cleanly. */
	put_file(root, "/etc/x", "old\n", 0644);
	assert_int_equal(fs_write_atomic(root, "/etc/x/inside", "a", 1, 0600,
	    0, 0, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(entries(root, "/etc"), 1);
	/* The directory does not exist and cannot be created by a write. */
	assert_int_equal(fs_write_atomic(root, "/nodir/sub/x", "a", 1, 0600,
	    0, 0, &cause), -1);
	assert_non_null(strstr(cause, "cannot create a temporary file"));
	free(cause);
	tmpdir_free(root);
}

static void
test_refuses_link_out_of_root(void **state)
{
	char *root = tmpdir_new(), *outside = tmpdir_new();
	char *link = xasprintf("%s/etc/ssh", root), *target =
	    xasprintf("%s/real", outside), *cause = NULL, *host = NULL;
	struct fs_file f;

	(void)state;
	put_file(outside, "/real/sshd_config", "Port 22\n", 0644);
	put_file(root, "/etc/.keep", "", 0644);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(fs_resolve(root, "/etc/ssh/sshd_config", &host,
	    &cause), -1);
	assert_non_null(strstr(cause, "outside the root"));
	free(cause);
	cause = NULL;
	assert_int_equal(fs_read(root, "/etc/ssh/sshd_config", &f, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(fs_write_atomic(root, "/etc/ssh/new", "x", 1, 0644,
	    0, 0, &cause), -1);
	assert_non_null(strstr(cause, "outside the root"));
	free(cause);
	/* A link inside the root is followed. */
	unlink(link);
	put_file(root, "/etc/real/sshd_config", "Port 22\n", 0644);
	assert_int_equal(symlink("real", link), 0);
	assert_int_equal(fs_resolve(root, "/etc/ssh/sshd_config", &host,
	    NULL), 0);
	assert_non_null(strstr(host, "/etc/real/sshd_config"));
	free(host);
	free(link);
	free(target);
	tmpdir_free(root);
	tmpdir_free(outside);
}

static void
test_resolve_missing_dirs(void **state)
{
	char *root = tmpdir_new(), *host = NULL, *want;
	struct fs_file f;

	(void)state;
	assert_int_equal(fs_resolve(root, "/a/b/c/file", &host, NULL), 0);
	want = xasprintf("%s/a/b/c/file", root);
	assert_string_equal(host, want);
	assert_int_equal(fs_read(root, "/a/b/c/file", &f, NULL), 0);
	assert_false(f.exists);
	assert_int_equal(fs_mkdir_p(root, "/a/b/c", 0700, NULL), 0);
	assert_true(fs_exists(root, "/a/b/c"));
	free(want);
	free(host);
	tmpdir_free(root);
}

static void
test_lexists(void **state)
{
	char *root = tmpdir_new(), *link = xasprintf("%s/etc/l", root);

	(void)state;
	put_file(root, "/etc/.keep", "", 0644);
	assert_int_equal(symlink("/does/not/exist", link), 0);
	assert_true(fs_lexists(root, "/etc/l"));
	assert_false(fs_exists(root, "/etc/l"));
	assert_false(fs_lexists(root, "/etc/m"));
	free(link);
	tmpdir_free(root);
}

/*
 * fs_same: the check before apply replaces a file. Equal bytes only:
 * shorter, longer, changed, missing or unexpectedly there all differ.
 */
static void
test_same(void **state)
{
	char *root = tmpdir_new(), *cause = NULL, *big;
	bool same;
	size_t n = 200000;

	(void)state;
	put_file(root, "/etc/x", "abc\n", 0644);
	assert_int_equal(fs_same(root, "/etc/x", true, "abc\n", 4, &same,
	    &cause), 0);
	assert_true(same);
	assert_int_equal(fs_same(root, "/etc/x", true, "abd\n", 4, &same,
	    &cause), 0);
	assert_false(same);
	assert_int_equal(fs_same(root, "/etc/x", true, "abc", 3, &same,
	    &cause), 0);
	assert_false(same);
	assert_int_equal(fs_same(root, "/etc/x", true, "abc\nd", 5, &same,
	    &cause), 0);
	assert_false(same);
	assert_int_equal(fs_same(root, "/etc/x", false, "", 0, &same,
	    &cause), 0);
	assert_false(same);
	assert_int_equal(fs_same(root, "/etc/gone", false, "", 0, &same,
	    &cause), 0);
	assert_true(same);
	assert_int_equal(fs_same(root, "/etc/gone", true, "", 0, &same,
	    &cause), 0);
	assert_false(same);
	/* Past one read: a byte changed in a later chunk is found. */
	big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	put_file(root, "/etc/big", big, 0644);
	assert_int_equal(fs_same(root, "/etc/big", true, big, n, &same,
	    &cause), 0);
	assert_true(same);
	big[n - 10] = 'y';
	assert_int_equal(fs_same(root, "/etc/big", true, big, n, &same,
	    &cause), 0);
	assert_false(same);
	/* Not a regular file: an error naming it, as fs_read says. */
	free(big);
	big = xasprintf("%s/etc/dir", root);
	assert_int_equal(mkdir(big, 0755), 0);
	assert_int_equal(fs_same(root, "/etc/dir", true, "", 0, &same,
	    &cause), -1);
	assert_non_null(strstr(cause, "/etc/dir"));
	free(cause);
	free(big);
	tmpdir_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_write_keeps_mode_owner),
		cmocka_unit_test(test_no_temp_left_on_failure),
		cmocka_unit_test(test_refuses_link_out_of_root),
		cmocka_unit_test(test_resolve_missing_dirs),
		cmocka_unit_test(test_lexists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
