/*
 * diffview.c -- parsing a rendered plan into viewer lines.
 */
#include <stdlib.h>
#include <string.h>

#include "diffview.h"
#include "util.h"

/* "@@ -a[,b] +c[,d] @@": the number of old and new lines in the hunk. */
static void
hunk_counts(const char *s, long *old, long *new)
{
	const char *m = strchr(s, '-'), *p = strchr(s, '+');

	*old = *new = 1;
	if (m != NULL && (m = strpbrk(m, ", ")) != NULL && *m == ',')
		*old = strtol(m + 1, NULL, 10);
	if (p != NULL && (p = strpbrk(p, ", ")) != NULL && *p == ',')
		*new = strtol(p + 1, NULL, 10);
}

/*
 * Inside a hunk the header's counts decide where it ends, as patch(1) does:
 * a deleted line "-- x" must not be taken for a "--- " file header.
 */
static enum dv_kind
kind_of(const char *s, size_t len, long *old, long *new)
{
	if (*old > 0 || *new > 0) {
		if (len > 0 && s[0] == '\\')
			return DV_CONTEXT;
		if (len > 0 && s[0] == '-') {
			(*old)--;
			return DV_DEL;
		}
		if (len > 0 && s[0] == '+') {
			(*new)--;
			return DV_ADD;
		}
		(*old)--;
		(*new)--;
		return DV_CONTEXT;
	}
	if (len >= 4 && (strncmp(s, "--- ", 4) == 0 || strncmp(s, "+++ ", 4)
	    == 0))
		return DV_HEADER;
	if (len >= 2 && strncmp(s, "@@", 2) == 0) {
		hunk_counts(s, old, new);
		return DV_HUNK;
	}
	if (len > 0 && s[0] == '\\')
		return DV_CONTEXT;	/* "\ No newline" after the last line */
	return DV_META;
}

void
diffview_load(struct diffview *dv, const char *text)
{
	const char *s;
	int file = -1, hunk = -1;
	long old = 0, new = 0;
	size_t cap = 64;

	memset(dv, 0, sizeof *dv);
	dv->text = xstrdup(text);
	dv->lines = xreallocarray(NULL, cap, sizeof *dv->lines);
	for (s = dv->text; *s != '\0';) {
		size_t len = strcspn(s, "\n");
		struct dv_line *l;
		bool in_hunk = old > 0 || new > 0;
		enum dv_kind k = kind_of(s, len, &old, &new);

		if (k == DV_HEADER && strncmp(s, "--- ", 4) == 0) {
			file++;
			dv->nfiles++;
		}
		if (k == DV_HUNK) {
			hunk++;
			dv->nhunks++;
		}
		if (dv->n == cap) {
			cap *= 2;
			dv->lines = xreallocarray(dv->lines, cap,
			    sizeof *dv->lines);
		}
		l = &dv->lines[dv->n++];
		l->s = s;
		l->len = len;
		l->kind = k;
		l->file = file;
		l->hunk = in_hunk || k == DV_HUNK ? hunk : -1;
		s += len + (s[len] == '\n');
	}
}

void
diffview_release(struct diffview *dv)
{
	free(dv->text);
	free(dv->lines);
	memset(dv, 0, sizeof *dv);
}

static bool
starts(const struct diffview *dv, size_t i, enum dv_unit unit)
{
	const struct dv_line *l = &dv->lines[i];

	if (unit == DV_HUNK_UNIT)
		return l->kind == DV_HUNK;
	return l->kind == DV_HEADER && strncmp(l->s, "--- ", 4) == 0;
}

size_t
diffview_jump(const struct diffview *dv, size_t from, enum dv_unit unit,
    int dir)
{
	if (dir > 0) {
		for (size_t i = from + 1; i < dv->n; i++) {
			if (starts(dv, i, unit))
				return i;
		}
	} else {
		for (size_t i = from; i-- > 0;) {
			if (starts(dv, i, unit))
				return i;
		}
	}
	return from;
}
