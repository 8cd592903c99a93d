/*
 * fuzz_sshkey.c -- the public key parser (authorized_key, and every line
 * of an authorized_keys file the lockout guard counts): any line parses
 * or is refused with a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshd/sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct sshkey key;
	const char *why = NULL;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (sshkey_parse(line, &key, &why) == 0)
		(void)sshkey_in_text(&key, line);
	else if (why == NULL)
		abort();	/* a refusal must say why */
	sshkey_release(&key);
	(void)sshkey_count_usable(line);
	free(line);
	return 0;
}
