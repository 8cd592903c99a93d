/*
 * test_plan.c -- building and rendering plans: no-op edits vanish, modes
 * only tighten, secrets never reach the rendering.
 */
#include "testutil.h"

#include "checker.h"
#include "plan.h"

static void
test_noop_dropped(void **state)
{
	char *root = tmpdir_new();
	struct plan p;

	(void)state;
	put_file(root, "/etc/x", "same\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file(&p, "t", "/etc/x", "same\n", 5, 0644, 0, 0,
	    NULL, NULL), 0);
	assert_true(plan_is_empty(&p));
	assert_int_equal(plan_file(&p, "t", "/etc/x", "other\n", 6, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_count(&p, CHANGE_FILE), 1);
	/* Back to the original: the change disappears again. */
	assert_int_equal(plan_file(&p, "t", "/etc/x", "same\n", 5, 0644, 0, 0,
	    NULL, NULL), 0);
	assert_true(plan_is_empty(&p));
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_mode_only_tightens(void **state)
{
	char *root = tmpdir_new(), *host = xasprintf("%s/etc/k", root);
	struct plan p;
	struct buf b;

	(void)state;
	put_file(root, "/etc/k", "key\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_file_mode(&p, "t", "/etc/k", 0600, getuid(),
	    getgid(), NULL), 0);
	assert_int_equal(p.changes[0].new_mode, 0600);
	buf_init(&b);
	plan_render(&p, NULL, &b);
	assert_non_null(strstr(b.data, "# mode /etc/k 0644 -> 0600\n"));
	buf_release(&b);
	plan_release(&p);
	/* A file already stricter stays as it is. */
	chmod(host, 0400);
	plan_init(&p, root);
	assert_int_equal(plan_file_mode(&p, "t", "/etc/k", 0600, getuid(),
	    getgid(), NULL), 0);
	assert_true(plan_is_empty(&p));
	plan_release(&p);
	free(host);
	tmpdir_free(root);
}

static void
test_secrets_masked(void **state)
{
	char *root = tmpdir_new(), *m;
	struct plan p;
	struct buf b;
	char *argv[] = { "tool", "--password=hunter2", NULL };

	(void)state;
	plan_init(&p, root);
	plan_secret(&p, "hunter2");
	assert_int_equal(plan_file(&p, "t", "/etc/sasl_passwd",
	    "[relay]:587 user:hunter2\n", 25, 0600, 0, 0, NULL,
	    NULL), 0);
	plan_command(&p, "t", argv, NULL, "x");
	buf_init(&b);
	plan_render(&p, NULL, &b);
	assert_null(strstr(b.data, "hunter2"));
	assert_non_null(strstr(b.data, "+[relay]:587 user:********"));
	assert_non_null(strstr(b.data, "# run: tool --password=********"));
	assert_non_null(strstr(b.data, "(skipped: offline root)"));
	buf_release(&b);
	m = plan_mask(&p, "a hunter2 b hunter2");
	assert_string_equal(m, "a ******** b ********");
	free(m);
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_text_after(void **state)
{
	char *root = tmpdir_new(), *text = NULL;
	struct plan p;
	size_t len;
	bool exists;

	(void)state;
	put_file(root, "/etc/x", "now\n", 0644);
	plan_init(&p, root);
	assert_int_equal(plan_text_after(&p, "/etc/x", &text, &len, &exists,
	    NULL), 0);
	assert_true(exists);
	assert_string_equal(text, "now\n");
	free(text);
	assert_int_equal(plan_text_after(&p, "/etc/none", &text, &len,
	    &exists, NULL), 0);
	assert_false(exists);
	free(text);
	assert_int_equal(plan_file(&p, "t", "/etc/x", "later\n", 6, 0644, 0,
	    0, NULL, NULL), 0);
	assert_int_equal(plan_text_after(&p, "/etc/x", &text, &len, &exists,
	    NULL), 0);
	assert_string_equal(text, "later\n");
	free(text);
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_argv_quote(void **state)
{
	char *argv[] = { "echo", "a b", "it's", "", "plain/x=1", NULL };
	char *q = argv_quote(argv);

	(void)state;
	assert_string_equal(q, "echo 'a b' 'it'\\''s' '' plain/x=1");
	free(q);
}

/*
 * A checker whose tool is missing: the candidates of a plan that installs
 * it pass with a note, an offline root passes with a note, a live system
 * cannot be checked.
 */
static void
test_without_tool(void **state)
{
	struct plan p;
	char *cause = NULL;

	(void)state;
	plan_init(&p, "/");
	assert_int_equal(checker_without_tool(&p, true, true, "rspamadm",
	    "the Rspamd configuration", &cause), CHECK_OK);
	assert_string_equal(p.notes.v[0], "rspamadm is not installed here "
	    "yet: the Rspamd configuration is checked after the install");
	assert_int_equal(checker_without_tool(&p, false, true, "rspamadm",
	    "the Rspamd configuration", &cause), CHECK_FAILED);
	assert_string_equal(cause, "cannot check the Rspamd configuration: "
	    "rspamadm is not installed; install it and run hardenwiz again");
	free(cause);
	cause = NULL;
	assert_int_equal(checker_without_tool(&p, true, false, "nft",
	    "/etc/x.nft", &cause), CHECK_FAILED);
	free(cause);
	cause = NULL;
	plan_release(&p);

	plan_init(&p, "/srv/root");
	assert_int_equal(checker_without_tool(&p, false, false, "nft",
	    "/etc/x.nft", &cause), CHECK_OK);
	assert_null(cause);
	assert_string_equal(p.notes.v[0], "nft is not installed on this "
	    "machine: /etc/x.nft is not checked");
	plan_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noop_dropped),
		cmocka_unit_test(test_mode_only_tightens),
		cmocka_unit_test(test_secrets_masked),
		cmocka_unit_test(test_text_after),
		cmocka_unit_test(test_argv_quote),
		cmocka_unit_test(test_without_tool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
