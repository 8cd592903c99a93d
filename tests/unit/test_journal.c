/*
 * test_journal.c -- apply and rollback on an offline root: byte-exact
 * content, mode and owner; created files and directories removed; a file
 * changed after the transaction is refused unless forced; a failure in the
 * middle undoes what was done.
 */
#include "testutil.h"

#include "apply.h"
#include "journal.h"

static const char orig[] = "keep me\nexactly\n";

static void
setup_plan(const char *root, struct plan *p)
{
	char *cmd[] = { "true", NULL };

	plan_init(p, root);
	assert_int_equal(plan_file(p, "t", "/etc/a.conf", "changed\n", 8,
	    0644, 0, 0, NULL, NULL), 0);
	plan_mkdir(p, "t", "/etc/new.d", 0750, 0, 0);
	assert_int_equal(plan_file(p, "t", "/etc/new.d/b.conf", "b\n", 2,
	    0600, 42, 43, NULL, NULL), 0);
	plan_command(p, "t", cmd, cmd, "nothing");
}

static char *
applied(const char *root, struct plan *p)
{
	struct apply_opts o = { 0 };
	struct apply_result res;
	char *cause = NULL, *id;

	apply_result_init(&res);
	if (apply_plan(p, &o, &res, &cause) != APPLY_OK)
		fail_msg("apply: %s", cause);
	id = xstrdup(res.id);
	assert_non_null(strstr(res.log.v[res.log.n - 1], "skipped (offline "
	    "root): true"));
	apply_result_release(&res);
	(void)root;
	return id;
}

static void
test_apply_and_rollback(void **state)
{
	char *root = tmpdir_new(), *id, *got, *rolled = NULL, *cause = NULL;
	char *host = xasprintf("%s/etc/a.conf", root);
	struct plan p;
	struct strv warn;
	struct stat st;

	(void)state;
	put_file(root, "/etc/a.conf", orig, 0604);
	assert_int_equal(chown(host, 7, 8), 0);
	setup_plan(root, &p);
	id = applied(root, &p);
	got = get_file(root, "/etc/a.conf");
	assert_string_equal(got, "changed\n");
	free(got);
	assert_int_equal(stat(host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);	/* kept */
	assert_int_equal(st.st_uid, 7);
	got = xasprintf("%s/etc/new.d/b.conf", root);
	assert_int_equal(stat(got, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 42);
	free(got);

	strv_init(&warn);
	assert_int_equal(journal_rollback(root, NULL, false, false, &rolled,
	    &warn, &cause), 0);
	assert_string_equal(rolled, id);
	got = get_file(root, "/etc/a.conf");
	assert_string_equal(got, orig);
	free(got);
	assert_int_equal(stat(host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
	assert_false(fs_exists(root, "/etc/new.d"));
	assert_int_equal(warn.n, 0);
	/* Twice is refused. */
	assert_int_equal(journal_rollback(root, id, false, false, NULL, &warn,
	    &cause), -1);
	assert_non_null(strstr(cause, "is rolled-back; only an applied, "
	    "pending or interrupted one"));
	free(cause);
	cause = NULL;
	assert_int_equal(journal_rollback(root, NULL, false, false, NULL,
	    &warn, &cause), -1);
	assert_non_null(strstr(cause, "nothing to roll back"));
	free(cause);
	strv_release(&warn);
	plan_release(&p);
	free(rolled);
	free(id);
	free(host);
	tmpdir_free(root);
}

static void
test_refuses_changed_file(void **state)
{
	char *root = tmpdir_new(), *id, *cause = NULL, *got;
	struct plan p;
	struct strv warn;

	(void)state;
	put_file(root, "/etc/a.conf", orig, 0644);
	setup_plan(root, &p);
	id = applied(root, &p);
	put_file(root, "/etc/a.conf", "edited by hand\n", 0644);
	strv_init(&warn);
	assert_int_equal(journal_rollback(root, id, false, false, NULL, &warn,
	    &cause), -1);
	assert_non_null(strstr(cause, "'/etc/a.conf' was changed after the "
	    "transaction"));
	free(cause);
	cause = NULL;
	got = get_file(root, "/etc/a.conf");
	assert_string_equal(got, "edited by hand\n");	/* untouched */
	free(got);
	assert_true(fs_exists(root, "/etc/new.d/b.conf"));
	assert_int_equal(journal_rollback(root, id, true, false, NULL, &warn,
	    &cause), 0);
	got = get_file(root, "/etc/a.conf");
	assert_string_equal(got, orig);
	free(got);
	strv_release(&warn);
	plan_release(&p);
	free(id);
	tmpdir_free(root);
}

static void
test_failure_undoes_earlier_changes(void **state)
{
	char *root = tmpdir_new(), *cause = NULL, *got;
	struct plan p;
	struct apply_opts o = { 0 };
	struct apply_result res;
	json_t *hist = NULL;

	(void)state;
	put_file(root, "/etc/a.conf", orig, 0644);
	put_file(root, "/etc/z.conf", "z\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file(&p, "t", "/etc/a.conf", "A\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/z.conf", "Z\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	/* Someone edits z.conf after planning: apply must stop and undo. */
	put_file(root, "/etc/z.conf", "someone else\n", 0644);
	apply_result_init(&res);
	assert_int_equal(apply_plan(&p, &o, &res, &cause), APPLY_FAILED);
	assert_non_null(strstr(cause, "'/etc/z.conf' changed while hardenwiz "
	    "was planning"));
	got = get_file(root, "/etc/a.conf");
	assert_string_equal(got, orig);
	free(got);
	got = get_file(root, "/etc/z.conf");
	assert_string_equal(got, "someone else\n");
	free(got);
	assert_int_equal(journal_history(root, &hist, NULL), 0);
	assert_int_equal(json_array_size(hist), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(hist, 0), "state")), "failed-rolled-back");
	json_decref(hist);
	apply_result_release(&res);
	plan_release(&p);
	free(cause);
	tmpdir_free(root);
}

static void
test_confirm_and_pending(void **state)
{
	char *root = tmpdir_new(), *id, *cause = NULL;
	struct plan p;
	struct strv warn, kept;

	(void)state;
	put_file(root, "/etc/a.conf", orig, 0644);
	setup_plan(root, &p);
	id = applied(root, &p);
	/* Not pending (offline root): the dead-man timer leaves it alone. */
	strv_init(&warn);
	assert_int_equal(journal_rollback(root, id, true, true, NULL, &warn,
	    &cause), 0);
	assert_true(fs_exists(root, "/etc/new.d/b.conf"));
	strv_init(&kept);
	assert_int_equal(journal_confirm(root, &kept, &cause), 0);
	assert_int_equal(kept.n, 0);
	strv_release(&kept);
	strv_release(&warn);
	plan_release(&p);
	free(id);
	tmpdir_free(root);
}

/*
 * What a kill -9 leaves: a.conf written and marked done, b.conf renamed
 * into place but not marked, c.conf not written, d.conf edited by someone
 * else meanwhile; the state stays "applying".
 */
static void
test_interrupted(void **state)
{
	char *root = tmpdir_new(), *cause = NULL, *got, *rolled = NULL;
	struct plan p;
	struct journal *j = NULL;
	struct strv ids, warn;

	(void)state;
	put_file(root, "/etc/a.conf", "a\n", 0644);
	put_file(root, "/etc/b.conf", "b\n", 0644);
	put_file(root, "/etc/c.conf", "c\n", 0644);
	put_file(root, "/etc/d.conf", "d\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file(&p, "t", "/etc/a.conf", "A\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/b.conf", "B\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/c.conf", "C\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_file(&p, "t", "/etc/d.conf", "D\n", 2, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(journal_begin(root, &p, &j, &cause), 0);
	put_file(root, "/etc/a.conf", "A\n", 0644);
	assert_int_equal(journal_done(j, 0, false, &cause), 0);
	put_file(root, "/etc/b.conf", "B\n", 0644);
	put_file(root, "/etc/d.conf", "someone\n", 0644);
	journal_free(j);

	strv_init(&ids);
	assert_int_equal(journal_interrupted(root, &ids, &cause), 0);
	assert_int_equal(ids.n, 1);
	strv_init(&warn);
	assert_int_equal(journal_rollback(root, NULL, false, false, &rolled,
	    &warn, &cause), 0);
	assert_string_equal(rolled, ids.v[0]);
	assert_string_equal(got = get_file(root, "/etc/a.conf"), "a\n");
	free(got);
	assert_string_equal(got = get_file(root, "/etc/b.conf"), "b\n");
	free(got);
	assert_string_equal(got = get_file(root, "/etc/c.conf"), "c\n");
	free(got);
	/* Never written by us: left alone. */
	assert_string_equal(got = get_file(root, "/etc/d.conf"), "someone\n");
	free(got);
	strv_release(&ids);
	strv_init(&ids);
	assert_int_equal(journal_interrupted(root, &ids, &cause), 0);
	assert_int_equal(ids.n, 0);
	strv_release(&ids);
	strv_release(&warn);
	plan_release(&p);
	free(rolled);
	tmpdir_free(root);
}

/* A rollback killed half way is finished by the next one. */
static void
test_rollback_interrupted(void **state)
{
	char *root = tmpdir_new(), *id, *cause = NULL, *got, *man;
	struct plan p;
	struct strv warn;
	struct fs_file f;
	char *text, *at;

	(void)state;
	put_file(root, "/etc/a.conf", orig, 0644);
	setup_plan(root, &p);
	id = applied(root, &p);
	/* Killed after a.conf was restored and the state was marked. */
	put_file(root, "/etc/a.conf", orig, 0644);
	man = xasprintf("/var/lib/hardenwiz/journal/%s/manifest.json", id);
	assert_int_equal(fs_read(root, man, &f, NULL), 0);
	at = strstr(f.data, "\"applied\"");
	assert_non_null(at);
	text = xasprintf("%.*s\"rolling-back\"%s", (int)(at - f.data), f.data,
	    at + strlen("\"applied\""));
	assert_int_equal(fs_write_atomic(root, man, text, strlen(text), 0600,
	    0, 0, NULL), 0);
	free(text);
	fs_file_release(&f);
	strv_init(&warn);
	assert_int_equal(journal_rollback(root, id, false, false, NULL, &warn,
	    &cause), 0);
	assert_string_equal(got = get_file(root, "/etc/a.conf"), orig);
	free(got);
	assert_false(fs_exists(root, "/etc/new.d"));
	strv_release(&warn);
	plan_release(&p);
	free(man);
	free(id);
	tmpdir_free(root);
}

static void
test_lock(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	int a = -1, b = -1;

	(void)state;
	assert_int_equal(lock_acquire(root, false, &a, &cause), 0);
	assert_int_equal(lock_acquire(root, false, &b, &cause), -1);
	assert_non_null(strstr(cause, "another hardenwiz is running"));
	free(cause);
	lock_release(a);
	assert_int_equal(lock_acquire(root, false, &b, NULL), 0);
	lock_release(b);
	tmpdir_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_and_rollback),
		cmocka_unit_test(test_refuses_changed_file),
		cmocka_unit_test(test_failure_undoes_earlier_changes),
		cmocka_unit_test(test_confirm_and_pending),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_rollback_interrupted),
		cmocka_unit_test(test_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
