/*
 * diff.c -- a line diff: common prefix and suffix are stripped (config edits
 * are local), the middle is aligned by a longest-common-subsequence table,
 * and when that table would be too large the middle is shown as replaced,
 * which is still a correct patch, just not the smallest one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

/* Cells in the LCS table before we fall back to "replace the middle". */
#define LCS_MAX_CELLS (4u * 1024 * 1024)

struct line {
	const char	*s;
	size_t		 len;	/* without the newline */
	bool		 nl;	/* ends with a newline */
};

enum op { OP_EQ, OP_DEL, OP_ADD };

struct edit {
	enum op	op;
	size_t	a;	/* index in old */
	size_t	b;	/* index in new */
};

static size_t
split_lines(const char *text, size_t len, struct line **out)
{
	size_t n = 0, cap = 16, i = 0;
	struct line *v = xreallocarray(NULL, cap, sizeof *v);

	while (text != NULL && i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		if (n == cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].s = text + i;
		v[n].len = end - i;
		v[n].nl = nl != NULL;
		n++;
		i = nl != NULL ? end + 1 : len;
	}
	*out = v;
	return n;
}

static bool
line_eq(const struct line *x, const struct line *y)
{
	return x->len == y->len && x->nl == y->nl &&
	    memcmp(x->s, y->s, x->len) == 0;
}

static void
push(struct edit **v, size_t *n, size_t *cap, enum op op, size_t a, size_t b)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof **v);
	}
	(*v)[*n].op = op;
	(*v)[*n].a = a;
	(*v)[*n].b = b;
	(*n)++;
}

/* Edit script for old[lo_a..hi_a) vs new[lo_b..hi_b), appended to v. */
static void
diff_middle(const struct line *A, size_t lo_a, size_t hi_a,
    const struct line *B, size_t lo_b, size_t hi_b, struct edit **v,
    size_t *n, size_t *cap)
{
	size_t na = hi_a - lo_a, nb = hi_b - lo_b, i, j;
	uint32_t *t;

	if (na == 0 || nb == 0 || (na + 1) * (nb + 1) > LCS_MAX_CELLS) {
		for (i = lo_a; i < hi_a; i++)
			push(v, n, cap, OP_DEL, i, lo_b);
		for (j = lo_b; j < hi_b; j++)
			push(v, n, cap, OP_ADD, hi_a, j);
		return;
	}
	/* t[i][j] = LCS length of A[lo_a+i..hi_a) and B[lo_b+j..hi_b). */
	t = xcalloc((na + 1) * (nb + 1), sizeof *t);
#define T(i, j) t[(i) * (nb + 1) + (j)]
	for (i = na; i-- > 0;) {
		for (j = nb; j-- > 0;) {
			if (line_eq(&A[lo_a + i], &B[lo_b + j]))
				T(i, j) = T(i + 1, j + 1) + 1;
			else
				T(i, j) = T(i + 1, j) > T(i, j + 1) ?
				    T(i + 1, j) : T(i, j + 1);
		}
	}
	i = j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && line_eq(&A[lo_a + i], &B[lo_b + j])) {
			push(v, n, cap, OP_EQ, lo_a + i, lo_b + j);
			i++;
			j++;
		} else if (i < na && (j == nb || T(i + 1, j) >= T(i, j + 1))) {
			/* Deletions first, as diff(1) shows a replacement. */
			push(v, n, cap, OP_DEL, lo_a + i, lo_b + j);
			i++;
		} else {
			push(v, n, cap, OP_ADD, lo_a + i, lo_b + j);
			j++;
		}
	}
#undef T
	free(t);
}

static void
emit_line(struct buf *out, char prefix, const struct line *l)
{
	buf_add(out, &prefix, 1);
	buf_add(out, l->s, l->len);
	buf_add(out, "\n", 1);
	if (!l->nl)
		buf_adds(out, "\\ No newline at end of file\n");
}

static void
emit_range(struct buf *out, size_t start, size_t count)
{
	/* GNU convention: an empty range names the line before it. */
	if (count == 1)
		buf_addf(out, "%zu", start + 1);
	else
		buf_addf(out, "%zu,%zu", count == 0 ? start : start + 1, count);
}

/*
 * BASE: lines before the window the edit script covers (the same in both
 * texts), added to every line number printed.
 */
static size_t
emit_hunks(struct buf *out, const struct edit *e, size_t n,
    const struct line *A, const struct line *B, size_t context, size_t base)
{
	size_t k = 0, hunks = 0;

	while (k < n) {
		size_t first, last, start, end, a0, b0, ca = 0, cb = 0;

		while (k < n && e[k].op == OP_EQ)
			k++;
		if (k == n)
			break;
		first = k;
		/* Extend over changes separated by at most 2*context equals. */
		last = k;
		for (size_t m = k; m < n; m++) {
			if (e[m].op != OP_EQ) {
				last = m;
				continue;
			}
			if (m - last > 2 * context)
				break;
		}
		start = first > context ? first - context : 0;
		end = last + context + 1 < n ? last + context + 1 : n;
		a0 = base + e[start].a;
		b0 = base + e[start].b;
		for (size_t m = start; m < end; m++) {
			if (e[m].op != OP_ADD)
				ca++;
			if (e[m].op != OP_DEL)
				cb++;
		}
		buf_adds(out, "@@ -");
		emit_range(out, a0, ca);
		buf_adds(out, " +");
		emit_range(out, b0, cb);
		buf_adds(out, " @@\n");
		for (size_t m = start; m < end; m++) {
			if (e[m].op == OP_EQ)
				emit_line(out, ' ', &A[e[m].a]);
			else if (e[m].op == OP_DEL)
				emit_line(out, '-', &A[e[m].a]);
			else
				emit_line(out, '+', &B[e[m].b]);
		}
		hunks++;
		k = end;
	}
	return hunks;
}

/*
 * The lines both texts start with, less CONTEXT: *SKIP gets their bytes,
 * and the count is returned. Found on the bytes, so that a line is split
 * only when it may be shown: ten entries added to a million-line map cost
 * no million-line arrays.
 */
static size_t
common_head(const char *a, size_t alen, const char *b, size_t blen,
    size_t context, size_t *skip)
{
	size_t i = 0, lines = 0, n = alen < blen ? alen : blen;
	const char *nl;

	while (i < n && a[i] == b[i])
		i++;
	/* Back to the start of the line the texts differ in. */
	while (i > 0 && a[i - 1] != '\n')
		i--;
	for (size_t k = 0; k < context && i > 0; k++) {
		i--;
		while (i > 0 && a[i - 1] != '\n')
			i--;
	}
	for (const char *c = a; (nl = memchr(c, '\n', i - (size_t)(c - a)))
	    != NULL; c = nl + 1)
		lines++;
	*skip = i;
	return lines;
}

/*
 * The bytes both texts end with, in whole lines, less CONTEXT lines: the
 * cut starts just after a newline (inside the common part, so in both).
 */
static size_t
common_tail(const char *a, size_t alen, const char *b, size_t blen,
    size_t context)
{
	size_t i = 0, t, n = alen < blen ? alen : blen;

	while (i < n && a[alen - 1 - i] == b[blen - 1 - i])
		i++;
	if (i == 0)
		return 0;
	for (t = i - 1; t > 0 && a[alen - t - 1] != '\n'; t--)
		;
	for (size_t k = 0; k < context && t > 0; k++)
		for (t--; t > 0 && a[alen - t - 1] != '\n'; t--)
			;
	return t;
}

size_t
diff_unified(struct buf *out, const char *path, const char *old,
    size_t oldlen, const char *new, size_t newlen, int context)
{
	struct line *A, *B;
	struct edit *e = NULL;
	size_t na, nb, pre = 0, suf = 0, n = 0, cap = 0, hunks;
	size_t base = 0, skip = 0, tail = 0;
	size_t ctx = context < 0 ? 3 : (size_t)context;
	const char *rel = path[0] == '/' ? path + 1 : path;

	if (old != NULL && new != NULL && oldlen == newlen &&
	    memcmp(old, new, oldlen) == 0)
		return 0;
	if (old != NULL && new != NULL) {
		base = common_head(old, oldlen, new, newlen, ctx, &skip);
		tail = common_tail(old + skip, oldlen - skip, new + skip,
		    newlen - skip, ctx);
	}
	na = split_lines(old ? old + skip : NULL, oldlen - skip - tail, &A);
	nb = split_lines(new + skip, newlen - skip - tail, &B);
	while (pre < na && pre < nb && line_eq(&A[pre], &B[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    line_eq(&A[na - 1 - suf], &B[nb - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		push(&e, &n, &cap, OP_EQ, i, i);
	diff_middle(A, pre, na - suf, B, pre, nb - suf, &e, &n, &cap);
	for (size_t i = suf; i > 0; i--)
		push(&e, &n, &cap, OP_EQ, na - i, nb - i);

	if (old == NULL)
		buf_adds(out, "--- /dev/null\n");
	else
		buf_addf(out, "--- a/%s\n", rel);
	if (new == NULL)
		buf_adds(out, "+++ /dev/null\n");
	else
		buf_addf(out, "+++ b/%s\n", rel);
	hunks = emit_hunks(out, e, n, A, B, ctx, base);
	free(e);
	free(A);
	free(B);
	return hunks;
}
