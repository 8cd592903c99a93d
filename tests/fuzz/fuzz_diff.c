/*
 * fuzz_diff.c -- the unified diff: the input is two texts split at the
 * first NUL (old, then new); any pair must give a diff, never a crash or
 * a read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t oldlen = nul != NULL ? (size_t)(nul - text) : size / 2;
	const char *new = nul != NULL ? nul + 1 : text + oldlen;
	size_t newlen = size - (size_t)(new - text);
	struct buf out;

	buf_init(&out);
	(void)diff_unified(&out, "/etc/fuzz", text, oldlen, new, newlen, 3);
	(void)diff_unified(&out, "/etc/fuzz", NULL, 0, new, newlen, 1);
	buf_release(&out);
	return 0;
}
