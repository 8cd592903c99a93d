/*
 * fuzz_queue.c -- the two queue parsers (postqueue -j, postqueue -p) and
 * the report built from what they find: any bytes a queued message may
 * carry (an 8-bit sender) must give a report, never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postfix/postqueue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct mailqueue q;
	json_t *sum;
	struct buf out;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mailqueue_init(&q);
	if (size > 0 && data[0] == '{')
		mailqueue_parse_json(&q, text);
	else
		mailqueue_parse_list(&q, text, 1800000000);
	sum = mailqueue_summary(&q, 1800000000, 1);
	buf_init(&out);
	mailqueue_render(sum, &out);
	buf_release(&out);
	json_decref(sum);
	mailqueue_release(&q);
	free(text);
	return 0;
}
