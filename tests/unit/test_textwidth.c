/*
 * test_textwidth.c -- columns, padding and wrapping of UTF-8 text: a
 * Chinese character is two columns and a line may break between two of
 * them, never before "，" or after "（".
 */
#include <locale.h>

#include "testutil.h"

#include "textwidth.h"

static char *
wrap(const char *s, size_t cols, size_t *w, size_t *h)
{
	return tw_wrap(s, cols, w, h);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(tw_width("ssh"), 3);
	assert_int_equal(tw_width("防火墙"), 6);
	assert_int_equal(tw_width("SSH 端口"), 8);
	/* A byte that is not UTF-8 is one column, like its replacement. */
	assert_int_equal(tw_width("a\xff" "b"), 3);
	/* So is a control character (wcwidth -1), shown as ^A or so. */
	assert_int_equal(tw_width("a\x01"), 2);
	assert_int_equal(tw_width(""), 0);
}

static void
test_pad_fit(void **state)
{
	char *p = tw_pad("防火墙", 10);

	(void)state;
	assert_string_equal(p, "防火墙    ");
	free(p);
	p = tw_pad("a long label", 4);
	assert_string_equal(p, "a long label");
	free(p);
	/* Whole characters only: 5 columns hold two of them, not two and a
	 * half. */
	assert_int_equal(tw_fit("防火墙", 5), 6);
	assert_int_equal(tw_fit("防火墙", 6), 9);
	assert_int_equal(tw_fit("abc", 2), 2);
}

static void
test_wrap_english(void **state)
{
	size_t w, h;
	char *r = wrap("Ports other machines must reach, such as 80/tcp.",
	    20, &w, &h);

	(void)state;
	assert_string_equal(r, "Ports other machines\nmust reach, such as\n"
	    "80/tcp.");
	assert_int_equal(w, 20);
	assert_int_equal(h, 3);
	free(r);
	/* The space between two words counts: "ab cd" is 5 columns. */
	r = wrap("ab cd", 4, &w, &h);
	assert_string_equal(r, "ab\ncd");
	free(r);
	/* An indented list item keeps its indent and hangs under its
	 * text. */
	r = wrap("  * one two three four", 12, &w, &h);
	assert_string_equal(r, "  * one two\n    three\n    four");
	free(r);
	/* Paragraphs stay; a word wider than the line is cut. */
	r = wrap("ab\n\nabcdefgh", 3, &w, &h);
	assert_string_equal(r, "ab\n\nabc\ndef\ngh");
	assert_int_equal(h, 5);
	free(r);
}

static void
test_wrap_chinese(void **state)
{
	size_t w, h;
	char *r;

	(void)state;
	/* No spaces: the lines break between characters, at 10 columns. */
	r = wrap("把它从二十二移走可以减少噪音", 10, &w, &h);
	assert_string_equal(r, "把它从二十\n二移走可以\n减少噪音");
	assert_int_equal(w, 10);
	assert_int_equal(h, 3);
	free(r);
	/* "，" stays on the line of the character before it: the break
	 * moves one character back. */
	r = wrap("甲乙丙丁，戊己", 8, &w, &h);
	assert_string_equal(r, "甲乙丙\n丁，戊己");
	free(r);
	/* "（" goes to the next line with what it opens. */
	r = wrap("甲乙丙（丁）", 8, &w, &h);
	assert_string_equal(r, "甲乙丙\n（丁）");
	free(r);
	/* Latin words inside Chinese keep whole. */
	r = wrap("请安装 fail2ban 后重试", 12, &w, &h);
	assert_string_equal(r, "请安装\nfail2ban 后\n重试");
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_pad_fit),
		cmocka_unit_test(test_wrap_english),
		cmocka_unit_test(test_wrap_chinese),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
