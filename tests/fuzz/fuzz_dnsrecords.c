/*
 * fuzz_dnsrecords.c -- the parsers of published mail records, fed what
 * any zone can publish: an SPF record's terms, a DMARC and a DKIM tag
 * list. Each either accepts or says why, and never reads out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *why = NULL, *policy = NULL, *key = NULL;
	struct strv follow;
	int lookups = -1;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	strv_init(&follow);
	if (spf_terms(text, &lookups, &follow, &why) != 0 && why == NULL)
		abort();	/* a refusal must say why */
	if (lookups < 0)
		abort();
	free(why);
	why = dmarc_problem(text, &policy);
	if ((why == NULL) == (policy == NULL))
		abort();	/* a policy exactly when there is no problem */
	free(why);
	free(policy);
	why = dkim_problem(text, &key);
	if ((why == NULL) == (key == NULL))
		abort();
	free(why);
	free(key);
	strv_release(&follow);
	free(text);
	return 0;
}
