/*
 * textwidth.c -- terminal columns of UTF-8 text, padding and line
 * wrapping that CJK text survives (see textwidth.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "textwidth.h"
#include "util.h"

/*
 * The next character of S (at most LEN bytes): its byte length in *n and
 * its columns in *cols. A byte that does not start a character of the
 * locale is one column, like the terminal's replacement for it.
 */
static wchar_t
next_char(const char *s, size_t len, size_t *n, int *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t r;
	int w;

	memset(&st, 0, sizeof st);
	r = mbrtowc(&wc, s, len, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*n = 1;
		*cols = 1;
		return (wchar_t)(unsigned char)*s;
	}
	w = wcwidth(wc);
	*n = r;
	*cols = w < 0 ? 1 : w;
	return wc;
}

size_t
tw_width_n(const char *s, size_t len)
{
	size_t cols = 0, n;
	int w;

	for (size_t i = 0; i < len; i += n) {
		(void)next_char(s + i, len - i, &n, &w);
		cols += (size_t)w;
	}
	return cols;
}

size_t
tw_width(const char *s)
{
	return tw_width_n(s, strlen(s));
}

char *
tw_pad(const char *s, size_t cols)
{
	size_t w = tw_width(s), len = strlen(s);
	size_t pad = w < cols ? cols - w : 0;
	char *r = xmalloc(len + pad + 1);

	memcpy(r, s, len);
	memset(r + len, ' ', pad);
	r[len + pad] = '\0';
	return r;
}

size_t
tw_fit(const char *s, size_t cols)
{
	size_t len = strlen(s), used = 0, i, n;
	int w;

	for (i = 0; i < len; i += n) {
		(void)next_char(s + i, len - i, &n, &w);
		if (used + (size_t)w > cols)
			break;
		used += (size_t)w;
	}
	return i;
}

/* Punctuation a line must not start with (it closes what came before). */
static bool
no_break_before(wchar_t c)
{
	return wcschr(L"，。、；：！？）」』”’》〉】,.;:!?)]}%",
	    c) != NULL && c != L'\0';
}

/* Punctuation a line must not end with (it opens what comes after). */
static bool
no_break_after(wchar_t c)
{
	return wcschr(L"（「『“‘《〈【([{", c) != NULL && c != L'\0';
}

struct wrapper {
	struct buf	 out;
	size_t		 cols, lw, maxw, lines;
	size_t		 hang;	/* the paragraph's continuation indent */
	bool		 fresh;	/* nothing but the indent on this line yet */
};

static void
end_line(struct wrapper *wr)
{
	buf_add(&wr->out, "\n", 1);
	if (wr->lw > wr->maxw)
		wr->maxw = wr->lw;
	wr->lw = 0;
	wr->lines++;
}

/* A line broken inside a paragraph goes on under its text. */
static void
new_line(struct wrapper *wr)
{
	end_line(wr);
	for (; wr->lw < wr->hang; wr->lw++)
		buf_add(&wr->out, " ", 1);
	wr->fresh = true;
}

/* A unit wider than a line: cut it into lines, whole characters each. */
static void
put_long(struct wrapper *wr, const char *s, size_t len)
{
	size_t n;
	int w;

	for (size_t i = 0; i < len; i += n) {
		(void)next_char(s + i, len - i, &n, &w);
		if (wr->lw + (size_t)w > wr->cols && !wr->fresh)
			new_line(wr);
		buf_add(&wr->out, s + i, n);
		wr->lw += (size_t)w;
		wr->fresh = false;
	}
}

/*
 * The unit at S: a run of narrow characters up to a space or a wide
 * character, or one wide character; then any closing punctuation that
 * follows, and after opening punctuation the next unit too. Returns its
 * length in bytes and its columns in *cols.
 */
static size_t
unit(const char *s, size_t len, size_t *cols)
{
	size_t i = 0, n;
	wchar_t c, prev = 0;
	bool prev_wide = false;
	int w;

	*cols = 0;
	while (i < len && s[i] != ' ' && s[i] != '\n') {
		c = next_char(s + i, len - i, &n, &w);
		/* A break lies next to a wide character, unless punctuation
		 * binds the two. */
		if (i > 0 && (w == 2 || prev_wide) && !no_break_before(c) &&
		    !no_break_after(prev))
			break;
		i += n;
		*cols += (size_t)w;
		prev = c;
		prev_wide = w == 2;
	}
	return i;
}

/*
 * A paragraph keeps its indent, and a list item ("  * text", "- text")
 * hangs: its next lines start under its text.
 */
static void
wrap_paragraph(struct wrapper *wr, const char *s, size_t len)
{
	size_t i = strspn(s, " "), spaces = 0;

	if (i > len || i * 2 >= wr->cols)
		i = 0;
	wr->hang = i;
	if (i + 1 < len && (s[i] == '*' || s[i] == '-') && s[i + 1] == ' ')
		wr->hang = i + 2;
	buf_add(&wr->out, s, i);
	wr->lw = i;
	wr->fresh = true;
	while (i < len) {
		size_t n, w;

		if (s[i] == ' ') {
			spaces++;
			i++;
			continue;
		}
		n = unit(s + i, len - i, &w);
		if (!wr->fresh && wr->lw + spaces + w > wr->cols)
			new_line(wr);
		else if (!wr->fresh)
			for (; spaces > 0; spaces--, wr->lw++)
				buf_add(&wr->out, " ", 1);
		spaces = 0;
		if (wr->lw + w > wr->cols)
			put_long(wr, s + i, n);
		else {
			buf_add(&wr->out, s + i, n);
			wr->lw += w;
		}
		wr->fresh = false;
		i += n;
	}
}

char *
tw_wrap(const char *s, size_t cols, size_t *w, size_t *h)
{
	struct wrapper wr = { .cols = cols > 0 ? cols : 1, .lines = 1 };
	const char *p = s, *nl;

	buf_init(&wr.out);
	for (;;) {
		nl = strchr(p, '\n');
		wrap_paragraph(&wr, p, nl != NULL ? (size_t)(nl - p) :
		    strlen(p));
		if (nl == NULL)
			break;
		end_line(&wr);
		p = nl + 1;
	}
	if (wr.lw > wr.maxw)
		wr.maxw = wr.lw;
	if (w != NULL)
		*w = wr.maxw;
	if (h != NULL)
		*h = wr.lines;
	return buf_detach(&wr.out, NULL);
}
