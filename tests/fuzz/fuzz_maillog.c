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
	struct ml_limits limits = { 1, 2, 2, 10, 1, 2, 2 };
	struct strv why;
	size_t k = 0;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	maillog_init(&m);
	/* The first quarter of the records is history, the rest the window. */
	m.window_start = 1000;
	m.end = 2000;
	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save), k++) {
		maillog_at(&m, k % 4 == 0 ? 500 : 1500);
		if (k % 2 == 0)
			maillog_feed_syslog(&m, l);
		else
			maillog_feed(&m, programs[(k / 2) % 4], l);
	}
	ml_counts_sort(&m.logins);
	ml_counts_sort(&m.rejects);
	(void)maillog_judge(&m, &limits);
	strv_init(&why);
	maillog_alerts(&m, &why);
	for (size_t i = 0; i < m.logins.n; i++)
		maillog_queued_of(&m, m.logins.v[i].name, &why);
	strv_release(&why);
	maillog_release(&m);
	free(text);
	return 0;
}
