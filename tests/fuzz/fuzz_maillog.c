/*
 * fuzz_maillog.c -- the Postfix log parser: any bytes a log line may carry
 * (a client's HELO, an 8-bit address, a cut line) must be counted or
 * skipped, never a crash. Lines go in as syslog-file lines, and as journal
 * messages of postfix/smtpd and postfix/qmgr.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postfix/maillog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const programs[] = { "postfix/smtpd",
	    "postfix/qmgr", "postfix/smtp", "postfix/cleanup" };
	char *text = malloc(size + 1), *save = NULL;
	struct maillog m;
	size_t k = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	maillog_init(&m);
	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save), k++) {
		if (k % 2 == 0)
			maillog_feed_syslog(&m, l);
		else
			maillog_feed(&m, programs[(k / 2) % 4], l);
	}
	ml_counts_sort(&m.logins);
	ml_counts_sort(&m.rejects);
	maillog_release(&m);
	free(text);
	return 0;
}
