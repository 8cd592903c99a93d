/*
 * fuzz_recipe.c -- libFuzzer harness for the recipe parser: any input must
 * parse or fail with a message, never crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recipe r;
	char *cause = NULL;

	recipe_init(&r);
	if (recipe_parse("fuzz.conf", (const char *)data, size, &r, &cause)
	    != 0 && cause == NULL)
		abort();	/* an error must always say why */
	free(cause);
	recipe_release(&r);
	return 0;
}
