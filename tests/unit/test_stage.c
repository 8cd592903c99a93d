/*
 * test_stage.c -- staging a directory for a checker: live files copied,
 * linked or left out as the rules say, candidates written over them (new
 * ones too, in new subdirectories), nothing left behind on failure.
 */
#include "testutil.h"

#include <limits.h>
#include <time.h>

#include "plan.h"
#include "stage.h"

static enum stage_how
how(const char *rel, void *arg)
{
	(void)arg;
	if (str_has_suffix(rel, "_key"))
		return STAGE_LINK;
	if (str_has_suffix(rel, ".db"))
		return STAGE_SKIP;
	return STAGE_COPY;
}

static int
upper(const struct change *c, const char *to, void *arg, char **cause)
{
	char *text = xstrndup(c->new_text, c->new_len);
	int r;

	(*(int *)arg)++;
	for (char *s = text; *s != '\0'; s++)
		*s = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
	r = fs_write_scratch(to, text, c->new_len, cause);
	free(text);
	return r;
}

static void
test_rules(void **state)
{
	char *root = tmpdir_new(), *stage = NULL, *s;
	struct stage_rules rules = { .what = "test", .dir = "/etc/d",
	    .recurse = true, .how = how, .link_base = ".host" };
	char target[PATH_MAX];
	ssize_t n;
	struct plan p;
	struct stat st;

	(void)state;
	put_file(root, "/etc/d/main.conf", "old\n", 0644);
	put_file(root, "/etc/d/keep.conf", "keep\n", 0644);
	put_file(root, "/etc/d/host_key", "secret\n", 0600);
	put_file(root, "/etc/d/sub/deep_key", "secret\n", 0600);
	put_file(root, "/etc/d/map.db", "db\n", 0644);
	put_file(root, "/etc/other", "no\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file(&p, "t", "/etc/d/main.conf", "new\n", 4,
	    0644, 0, 0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/d/n/e/w.conf", "made\n", 5,
	    0644, 0, 0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/other", "yes\n", 4, 0644,
	    0, 0, NULL, NULL), 0);
	assert_int_equal(stage_make(root, &p, &rules, &stage, NULL), 0);
	assert_string_equal(s = get_file(stage, "/main.conf"), "new\n");
	free(s);
	assert_string_equal(s = get_file(stage, "/keep.conf"), "keep\n");
	free(s);
	assert_string_equal(s = get_file(stage, "/n/e/w.conf"), "made\n");
	free(s);
	assert_null(get_file(stage, "/map.db"));
	assert_null(get_file(stage, "/other"));
	/* Links, never copies, of keys: through LINK_BASE at the top. */
	s = xasprintf("%s/host_key", stage);
	assert_int_equal(lstat(s, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(s, target, sizeof target - 1);
	target[n < 0 ? 0 : n] = '\0';
	assert_string_equal(target, ".host/host_key");
	free(s);
	s = xasprintf("%s/sub/deep_key", stage);
	n = readlink(s, target, sizeof target - 1);
	target[n < 0 ? 0 : n] = '\0';
	assert_string_equal(target, "../.host/sub/deep_key");
	free(s);
	/* Backdated: Postfix's tools would wait for a file this second's. */
	s = xasprintf("%s/main.conf", stage);
	assert_int_equal(stat(s, &st), 0);
	assert_true(st.st_mtime < time(NULL) - 30);
	free(s);
	stage_remove(stage);
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_flat_and_candidate_hook(void **state)
{
	char *root = tmpdir_new(), *stage = NULL, *s;
	int calls = 0;
	struct stage_rules rules = { .what = "test", .dir = "/etc/d",
	    .candidate = upper, .arg = &calls };
	struct plan p;

	(void)state;
	put_file(root, "/etc/d/a", "a\n", 0644);
	put_file(root, "/etc/d/sub/b", "b\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file(&p, "t", "/etc/d/a", "changed\n", 8, 0644,
	    0, 0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/d/sub/c", "c\n", 2, 0644,
	    0, 0, NULL, NULL), 0);
	assert_int_equal(stage_make(root, &p, &rules, &stage, NULL), 0);
	assert_string_equal(s = get_file(stage, "/a"), "CHANGED\n");
	free(s);
	assert_int_equal(calls, 1);
	/* Not recursive: neither the live subdirectory nor its candidate. */
	assert_null(get_file(stage, "/sub/b"));
	assert_null(get_file(stage, "/sub/c"));
	stage_remove(stage);
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_without_plan(void **state)
{
	char *root = tmpdir_new(), *stage = NULL, *s;
	struct stage_rules rules = { .what = "test", .dir = "/etc/d" };

	(void)state;
	put_file(root, "/etc/d/a", "a\n", 0644);
	assert_int_equal(stage_make(root, NULL, &rules, &stage, NULL), 0);
	assert_string_equal(s = get_file(stage, "/a"), "a\n");
	free(s);
	stage_remove(stage);
	tmpdir_free(root);
}

/* A file that cannot be staged: an error naming it, no stage left. */
static void
test_failure_leaves_nothing(void **state)
{
	char *root = tmpdir_new(), *stage = (char *)"x", *cause = NULL;
	struct stage_rules rules = { .what = "test", .dir = "/etc/d" };
	char *big;

	(void)state;
	put_file(root, "/etc/d/a", "a\n", 0644);
	put_file(root, "/etc/d/big", "", 0644);
	big = xasprintf("%s/etc/d/big", root);
	assert_int_equal(truncate(big, FS_MAX_FILE + 1), 0);
	free(big);
	assert_int_equal(stage_make(root, NULL, &rules, &stage, &cause), -1);
	assert_null(stage);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "/etc/d/big"));
	free(cause);
	tmpdir_free(root);
}

/*
 * stage_file: the planned text, else the root's file, else an empty copy
 * that says the file is not there; the stage goes with stage_remove.
 */
static void
test_one_file(void **state)
{
	char *root = tmpdir_new(), *stage, *copy, *cause = NULL, *text;
	const char *planned = "OPTIONS=\"-m\"\n";
	struct plan p;
	bool exists;

	(void)state;
	put_file(root, "/etc/default/x", "OPTIONS=\"\"\n", 0644);
	plan_init(&p, root);
	assert_int_equal(stage_file(&p, "/etc/default/x", &stage, &copy,
	    &exists, &cause), 0);
	assert_true(exists);
	assert_non_null(strstr(copy, "/x"));
	assert_int_equal(fs_slurp(copy, &text, NULL, &cause), 0);
	assert_string_equal(text, "OPTIONS=\"\"\n");
	free(text);
	free(copy);
	stage_remove(stage);
	assert_int_equal(plan_file(&p, "s", "/etc/default/x", planned,
	    strlen(planned), 0644, 0, 0, NULL, &cause), 0);
	assert_int_equal(stage_file(&p, "/etc/default/x", &stage, &copy,
	    &exists, &cause), 0);
	assert_int_equal(fs_slurp(copy, &text, NULL, &cause), 0);
	assert_string_equal(text, planned);
	free(text);
	free(copy);
	stage_remove(stage);
	assert_int_equal(stage_file(&p, "/etc/default/none", &stage, &copy,
	    &exists, &cause), 0);
	assert_false(exists);
	assert_int_equal(fs_slurp(copy, &text, NULL, &cause), 0);
	assert_string_equal(text, "");
	free(text);
	free(copy);
	stage_remove(stage);
	plan_release(&p);
	tmpdir_free(root);
}

/* DIR's stage digest, which must be readable. */
static void
digest_of(const char *dir, unsigned char *d)
{
	assert_int_equal(stage_digest(dir, d), 0);
}

static void
test_digest(void **state)
{
	char *a = tmpdir_new(), *b = tmpdir_new();
	unsigned char da[STAGE_DIGEST_LEN], db[STAGE_DIGEST_LEN];
	char *link;

	(void)state;
	/* The same entries made in another order: the same digest. */
	put_file(a, "/sshd_config", "Port 22\n", 0644);
	put_file(a, "/sshd_config.d/x.conf", "PasswordAuthentication no\n",
	    0644);
	put_file(b, "/sshd_config.d/x.conf", "PasswordAuthentication no\n",
	    0644);
	put_file(b, "/sshd_config", "Port 22\n", 0644);
	link = xasprintf("%s/ssh_host_ed25519_key", a);
	assert_int_equal(symlink(".host/ssh_host_ed25519_key", link), 0);
	free(link);
	link = xasprintf("%s/ssh_host_ed25519_key", b);
	assert_int_equal(symlink(".host/ssh_host_ed25519_key", link), 0);
	free(link);
	digest_of(a, da);
	digest_of(b, db);
	assert_memory_equal(da, db, sizeof da);
	/* One byte. */
	put_file(b, "/sshd_config.d/x.conf", "PasswordAuthentication na\n",
	    0644);
	digest_of(b, db);
	assert_memory_not_equal(da, db, sizeof da);
	put_file(b, "/sshd_config.d/x.conf", "PasswordAuthentication no\n",
	    0644);
	digest_of(b, db);
	assert_memory_equal(da, db, sizeof da);
	/* A mode. */
	put_file(b, "/sshd_config", "Port 22\n", 0600);
	digest_of(b, db);
	assert_memory_not_equal(da, db, sizeof da);
	put_file(b, "/sshd_config", "Port 22\n", 0644);
	/* A link's target (the key behind it is never read). */
	link = xasprintf("%s/ssh_host_ed25519_key", b);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(".host/other_key", link), 0);
	digest_of(b, db);
	assert_memory_not_equal(da, db, sizeof da);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink(".host/ssh_host_ed25519_key", link), 0);
	free(link);
	digest_of(b, db);
	assert_memory_equal(da, db, sizeof da);
	/* The same bytes under another name. */
	put_file(b, "/sshd_config.d/y.conf", "PasswordAuthentication no\n",
	    0644);
	link = xasprintf("%s/sshd_config.d/x.conf", b);
	assert_int_equal(unlink(link), 0);
	free(link);
	digest_of(b, db);
	assert_memory_not_equal(da, db, sizeof da);
	/* Content moved across the boundary of two files. */
	put_file(b, "/sshd_config.d/y.conf", "", 0644);
	put_file(b, "/sshd_config", "Port 22\nPasswordAuthentication no\n",
	    0644);
	digest_of(b, db);
	assert_memory_not_equal(da, db, sizeof da);
	assert_int_equal(stage_digest("/nonexistent/stage", db), -1);
	tmpdir_free(a);
	tmpdir_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_flat_and_candidate_hook),
		cmocka_unit_test(test_without_plan),
		cmocka_unit_test(test_failure_leaves_nothing),
		cmocka_unit_test(test_one_file),
		cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
