/*
 * diff.h -- unified diffs computed in memory, labelled git style
 * ("a/etc/x", "b/etc/x", or /dev/null for a created or removed file), so
 * that "patch -p1 -d ROOT" reproduces the change.
 */
#ifndef HW_DIFF_H
#define HW_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/*
 * Append to OUT the unified diff from OLD to NEW with CONTEXT lines around
 * each change. OLD is NULL for a file that does not exist yet, NEW is NULL
 * for a file that is removed. PATH is the path inside the root. Appends
 * nothing when the texts are equal. Returns the number of hunks.
 */
size_t	diff_unified(struct buf *out, const char *path, const char *old,
	    size_t oldlen, const char *new, size_t newlen, int context);

#endif
