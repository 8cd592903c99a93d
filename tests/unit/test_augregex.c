/*
 * test_augregex.c -- the compiled-expression cache Augeas goes through:
 * it is the one libaugeas calls, a second session compiles nothing again
 * and edits as the first did, a shared automaton survives regfree and a
 * recompile of the buffer holding it, and buffers it did not fill (regcomp,
 * a caller's fastmap) are glibc's as before.
 */
#include "testutil.h"

#include <augeas.h>
#include <regex.h>

#include "augregex.h"
#include "augsession.h"
#include "sshd/config.h"

static const struct aug_file files[] = { SSHD_AUG_FILES };

static const char *
session_port(const char *root, size_t *compiled, size_t *reused)
{
	static char port[16];
	struct augs *s = NULL;
	const char *v = NULL;
	char *cause = NULL;

	assert_int_equal(augs_open(&s, root, files, nitems(files), &cause), 0);
	assert_int_equal(aug_get(augs_handle(s),
	    "/files/etc/ssh/sshd_config/Port", &v), 1);
	snprintf(port, sizeof port, "%s", v);
	augs_free(s);
	augregex_stats(compiled, reused);
	return port;
}

static void
test_sessions_share(void **state)
{
	char *root = tmpdir_new();
	size_t c1, r1, c2, r2, c3, r3;

	(void)state;
	assert_true(augregex_active());
	put_file(root, "/etc/ssh/sshd_config",
	    "# comment\nPort 2222\nMatch User a\n  PasswordAuthentication no\n",
	    0644);
	assert_string_equal(session_port(root, &c1, &r1), "2222");
	assert_true(c1 > 50);		/* the Sshd lens: hundreds */
	/*
	 * The same lens on the same text: from the cache, all but a few.
	 * Augeas 1.14.1 (Debian 13) asks for two patterns in the second
	 * session that the first did not (107 compiled, then 2 more, of 321
	 * and 423 bytes, built by libfa for a comment); without the cache
	 * all 107 are compiled again.
	 */
	assert_string_equal(session_port(root, &c2, &r2), "2222");
	assert_true(c2 - c1 <= c1 / 10);
	assert_true(r2 - r1 >= c1 - c1 / 10);
	/* Other text, parsed right by automata the first session made. */
	put_file(root, "/etc/ssh/sshd_config",
	    "Port 22\nMatch User b\n  PermitRootLogin no\n", 0644);
	assert_string_equal(session_port(root, &c3, &r3), "22");
	assert_true(r3 > r2);
	tmpdir_free(root);
}

static struct re_pattern_buffer
compile(const char *pattern)
{
	struct re_pattern_buffer b;

	memset(&b, 0, sizeof b);
	re_syntax_options = RE_SYNTAX_POSIX_EXTENDED;
	assert_null(re_compile_pattern(pattern, strlen(pattern), &b));
	return b;
}

static int
match(struct re_pattern_buffer *b, const char *s)
{
	return re_match(b, s, (int)strlen(s), 0, NULL);
}

static void
test_shared_automaton(void **state)
{
	struct re_pattern_buffer a = compile("x[0-9]+y"), b, c;

	(void)state;
	b = compile("x[0-9]+y");
	assert_ptr_equal(a.buffer, b.buffer);
	assert_int_equal(match(&a, "x12y"), 4);
	/* Freeing one user of it leaves the other's intact. */
	regfree(&a);
	assert_null(a.buffer);
	assert_int_equal(match(&b, "x123y"), 5);
	assert_int_equal(match(&b, "xy"), -1);
	/*
	 * A buffer holding a shared automaton compiled again: glibc would
	 * rebuild the new pattern into that automaton, under everyone who
	 * shares it.
	 */
	assert_null(re_compile_pattern("q+", 2, &b));
	assert_int_equal(match(&b, "qq"), 2);
	c = compile("x[0-9]+y");
	assert_int_equal(match(&c, "x9y"), 3);
	assert_int_equal(match(&c, "qq"), -1);
	regfree(&b);
	regfree(&c);
}

static void
test_passed_through(void **state)
{
	struct re_pattern_buffer a, b;
	regex_t posix;

	(void)state;
	/* A caller's own fastmap: its buffer is its own. */
	a = compile("ab+c");
	memset(&b, 0, sizeof b);
	b.fastmap = xmalloc(256);
	assert_null(re_compile_pattern("ab+c", 4, &b));
	assert_ptr_not_equal(a.buffer, b.buffer);
	assert_int_equal(re_search(&b, "zzabbc", 6, 0, 6, NULL), 2);
	regfree(&b);		/* frees its fastmap and automaton */
	assert_null(b.fastmap);
	regfree(&a);
	/* regcomp's buffers never enter the cache. */
	assert_int_equal(regcomp(&posix, "^ab+c$", REG_EXTENDED | REG_NOSUB),
	    0);
	assert_int_equal(regexec(&posix, "abbc", 0, NULL, 0), 0);
	regfree(&posix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_share),
		cmocka_unit_test(test_shared_automaton),
		cmocka_unit_test(test_passed_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
