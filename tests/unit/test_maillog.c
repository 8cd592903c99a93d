/*
 * test_maillog.c -- Postfix log lines as Postfix 3.7 writes them (journal
 * records and syslog-file lines) into the counts --check-mail reports.
 */
#include "testutil.h"

#include "postfix/maillog.h"

static const struct ml_count *
find(const struct ml_counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* One message from a SASL login over submission, delivered or not. */
static void
sasl_message(struct maillog *m, const char *qid, const char *ip,
    const char *status)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s: client=unknown[%s], sasl_method=PLAIN, "
	    "sasl_username=alice@example.org", qid, ip);
	maillog_feed(m, "postfix/submission/smtpd", buf);
	snprintf(buf, sizeof buf, "%s: from=<alice@example.org>, size=900, "
	    "nrcpt=1 (queue active)", qid);
	maillog_feed(m, "postfix/qmgr", buf);
	snprintf(buf, sizeof buf, "%s: to=<bob@example.net>, "
	    "relay=mx.example.net[192.0.2.25]:25, delay=1.2, delays=0/0/1/0.2, "
	    "dsn=%s, status=%s", qid, strcmp(status, "sent") == 0 ? "2.0.0" :
	    "5.1.1", status);
	maillog_feed(m, "postfix/smtp", buf);
	snprintf(buf, sizeof buf, "%s: removed", qid);
	maillog_feed(m, "postfix/qmgr", buf);
}

static void
test_logins_and_senders(void **state)
{
	struct maillog m;
	const struct ml_count *c;

	(void)state;
	maillog_init(&m);
	sasl_message(&m, "4Q2x1A0B1C", "198.51.100.7", "sent (250 2.0.0 Ok)");
	sasl_message(&m, "4Q2x1A0B1D", "203.0.113.9", "sent (250 ok)");
	sasl_message(&m, "4Q2x1A0B1E", "203.0.113.9",
	    "bounced (host mx.example.net[192.0.2.25] said: 550 5.1.1 "
	    "<bob@example.net>: no such user (in reply to RCPT TO command))");
	/* Local mail (pickup): a sender, no login. */
	maillog_feed(&m, "postfix/pickup", "7B3C2D1E0F: uid=33 from=<www-data>");
	maillog_feed(&m, "postfix/qmgr", "7B3C2D1E0F: from=<www-data@example.org>, "
	    "size=400, nrcpt=1 (queue active)");
	/* Requeued after a deferral: counted once. */
	maillog_feed(&m, "postfix/qmgr", "7B3C2D1E0F: from=<www-data@example.org>, "
	    "size=400, nrcpt=1 (queue active)");
	maillog_feed(&m, "postfix/smtp", "7B3C2D1E0F: to=<x@example.com>, "
	    "relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred "
	    "(connect to mx.example.com[192.0.2.1]:25: Connection timed out)");

	c = find(&m.logins, "alice@example.org");
	assert_non_null(c);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->bounced, 1);
	assert_int_equal(c->clients.n, 2);
	assert_int_equal(find(&m.senders, "www-data@example.org")->n, 1);
	assert_int_equal(find(&m.senders, "alice@example.org")->n, 3);
	assert_int_equal(m.sent, 2);
	assert_int_equal(m.bounced, 1);
	assert_int_equal(m.deferred, 1);
	assert_non_null(find(&m.deferrals, "connect to mx.example.com:25: "
	    "Connection timed out"));
	/* Removed messages are forgotten; the deferred one is still there. */
	assert_int_equal(m.nmsgs, 1);
	maillog_release(&m);
}

static void
test_auth_failures_and_rejects(void **state)
{
	struct maillog m;

	(void)state;
	maillog_init(&m);
	for (int i = 0; i < 3; i++)
		maillog_feed(&m, "postfix/smtpd", "warning: unknown[192.0.2.66]: "
		    "SASL LOGIN authentication failed: "
		    "UGFzc3dvcmQ6");
	maillog_feed(&m, "postfix/submission/smtpd", "warning: "
	    "host.example[198.51.100.3]: SASL PLAIN authentication failed: ");
	maillog_feed(&m, "postfix/smtpd", "NOQUEUE: reject: RCPT from "
	    "unknown[192.0.2.66]: 554 5.7.1 <x@example.com>: Relay access "
	    "denied; from=<a@b.example> to=<x@example.com> proto=ESMTP "
	    "helo=<spam>");
	maillog_feed(&m, "postfix/smtpd", "NOQUEUE: reject: RCPT from "
	    "unknown[192.0.2.67]: 554 5.7.1 <y@example.com>: Relay access "
	    "denied; from=<c@d.example> to=<y@example.com> proto=ESMTP "
	    "helo=<spam>");
	maillog_feed(&m, "postfix/cleanup", "5D4C3B2A10: milter-reject: "
	    "END-OF-MESSAGE from localhost[127.0.0.1]: 5.7.1 Gtube pattern; "
	    "from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>");
	/* Not Postfix: ignored. */
	maillog_feed(&m, "dovecot", "auth: Error: x");

	assert_int_equal(find(&m.auth_failed, "192.0.2.66")->n, 3);
	assert_int_equal(find(&m.auth_failed, "198.51.100.3")->n, 1);
	assert_int_equal(m.rejected, 3);
	assert_int_equal(find(&m.rejects, "554 5.7.1 : Relay access denied")
	    ->n, 2);
	assert_non_null(find(&m.rejects, "5.7.1 Gtube pattern"));
	assert_int_equal(m.lines, 7);
	ml_counts_sort(&m.auth_failed);
	assert_string_equal(m.auth_failed.v[0].name, "192.0.2.66");
	maillog_release(&m);
}

static void
test_syslog_lines(void **state)
{
	struct maillog m;

	(void)state;
	maillog_init(&m);
	maillog_feed_syslog(&m, "Dec  1 10:00:00 mail postfix/smtpd[812]: "
	    "warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: x");
	maillog_feed_syslog(&m, "2026-12-01T10:00:01.123456+00:00 mail "
	    "postfix/smtpd[813]: warning: unknown[192.0.2.9]: SASL LOGIN "
	    "authentication failed: x");
	maillog_feed_syslog(&m, "Dec  1 10:00:02 mail sshd[9]: Failed password");
	maillog_feed_syslog(&m, "garbage");
	maillog_feed_syslog(&m, "");
	assert_int_equal(find(&m.auth_failed, "192.0.2.9")->n, 2);
	assert_int_equal(m.lines, 2);
	maillog_release(&m);
}

static void
test_suspects(void **state)
{
	struct maillog m;
	struct ml_limits l = ML_LIMITS_DEFAULT;
	struct strv why;
	char qid[16], ip[32];

	(void)state;
	maillog_init(&m);
	strv_init(&why);
	/* Clean traffic: nothing to say. */
	sasl_message(&m, "4Q2x1A0B00", "198.51.100.7", "sent (250 ok)");
	assert_int_equal(maillog_judge(&m, &l), 0);
	/* alice's login from 7 addresses, 8 of 13 messages bounced. */
	for (int i = 0; i < 12; i++) {
		snprintf(qid, sizeof qid, "4Q2x1A0C%02d", i);
		snprintf(ip, sizeof ip, "203.0.113.%d", i % 7);
		sasl_message(&m, qid, ip, i < 8 ? "bounced (550 5.1.1 no)" :
		    "sent (250 ok)");
	}
	for (int i = 0; i < 21; i++)
		maillog_feed(&m, "postfix/smtpd", "warning: unknown[192.0.2.66]: "
		    "SASL LOGIN authentication failed: x");
	/* The login, its sender, the client. */
	assert_int_equal(maillog_judge(&m, &l), 3);
	maillog_alerts(&m, &why);
	assert_int_equal(why.n, 3);
	assert_string_equal(why.v[0], "login alice@example.org: used from 8 "
	    "client addresses: its password is likely known to others; 61% "
	    "of its mail bounced: likely sent to bought or guessed "
	    "addresses");
	assert_string_equal(why.v[1], "sender alice@example.org: 61% of its "
	    "mail bounced: likely sent to bought or guessed addresses");
	assert_string_equal(why.v[2], "client 192.0.2.66: failed SMTP AUTH 21 "
	    "times: a password guesser");
	strv_release(&why);
	maillog_release(&m);
}

/* A login sending far more than it usually does, judged from history. */
static void
test_above_usual(void **state)
{
	struct maillog m;
	struct ml_limits l = ML_LIMITS_DEFAULT;
	struct strv why, ids;
	char qid[16];
	const time_t start = 1764000000;

	(void)state;
	maillog_init(&m);
	strv_init(&why);
	strv_init(&ids);
	m.window_start = start;
	m.end = start + 3600;
	/* 23 hours before: 46 messages, 2 an hour. */
	for (int i = 0; i < 46; i++) {
		snprintf(qid, sizeof qid, "4Q2x1B0A%02d", i);
		maillog_at(&m, start - 23 * 3600 + i * 1800);
		sasl_message(&m, qid, "198.51.100.7", "sent (250 ok)");
	}
	assert_int_equal(m.sent, 0);	/* history is not the window */
	/* This hour: 60 messages, one still in flight. */
	for (int i = 0; i < 60; i++) {
		snprintf(qid, sizeof qid, "4Q2x1B0B%02d", i);
		maillog_at(&m, start + i * 60);
		sasl_message(&m, qid, "198.51.100.7", "sent (250 ok)");
	}
	maillog_feed(&m, "postfix/smtpd", "4Q2x1B0CAA: client=unknown["
	    "198.51.100.7], sasl_method=PLAIN, sasl_username=alice@example.org");
	assert_int_equal(m.sent, 60);
	assert_int_equal(maillog_judge(&m, &l), 2);	/* login, sender */
	maillog_alerts(&m, &why);
	assert_string_equal(why.v[0], "login alice@example.org: 60 messages, "
	    "about 2 usually in as long");
	maillog_queued_of(&m, "alice@example.org", &ids);
	assert_int_equal(ids.n, 1);
	assert_string_equal(ids.v[0], "4Q2x1B0CAA");
	/* Less history than one window: no judgement of "usual". */
	strv_release(&why);
	strv_init(&why);
	maillog_release(&m);
	maillog_init(&m);
	m.window_start = start;
	m.end = start + 3600;
	maillog_at(&m, start - 1800);	/* half an hour of history */
	sasl_message(&m, "4Q2x1B0AAA", "198.51.100.7", "sent (250 ok)");
	for (int i = 0; i < 60; i++) {
		snprintf(qid, sizeof qid, "4Q2x1B0B%02d", i);
		maillog_at(&m, start + i * 60);
		sasl_message(&m, qid, "198.51.100.7", "sent (250 ok)");
	}
	assert_int_equal(maillog_judge(&m, &l), 0);
	strv_release(&ids);
	strv_release(&why);
	maillog_release(&m);
}

/* Local submissions (pickup) by uid: a web application's mail. */
static void
test_local_uids(void **state)
{
	struct maillog m;

	(void)state;
	maillog_init(&m);
	maillog_feed(&m, "postfix/pickup", "7B3C2D1E0F: uid=33 from=<www-data>");
	maillog_feed(&m, "postfix/pickup", "7B3C2D1E10: uid=33 from=<www-data>");
	maillog_feed(&m, "postfix/pickup", "7B3C2D1E11: uid=0 from=<root>");
	ml_counts_sort(&m.local_uids);
	assert_int_equal(m.local_uids.n, 2);
	assert_string_equal(m.local_uids.v[0].name, "33");
	assert_int_equal(m.local_uids.v[0].n, 2);
	maillog_release(&m);
}

/* Queue ids found again after many removals (the index's deletion). */
static void
test_many_removals(void **state)
{
	struct maillog m;
	char line[128];

	(void)state;
	maillog_init(&m);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "Q%05dAB: from=<s@x.example>, "
		    "size=1", i);
		maillog_feed(&m, "postfix/qmgr", line);
	}
	for (int i = 0; i < 1000; i += 2) {
		snprintf(line, sizeof line, "Q%05dAB: removed", i);
		maillog_feed(&m, "postfix/qmgr", line);
	}
	assert_int_equal(m.nmsgs, 500);
	/* The odd ones are known (counted once); the even ones are new. */
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof line, "Q%05dAB: from=<s@x.example>, "
		    "size=1", i);
		maillog_feed(&m, "postfix/qmgr", line);
	}
	assert_int_equal(find(&m.senders, "s@x.example")->n, 1500);
	assert_int_equal(m.nmsgs, 1000);
	maillog_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logins_and_senders),
		cmocka_unit_test(test_auth_failures_and_rejects),
		cmocka_unit_test(test_syslog_lines),
		cmocka_unit_test(test_suspects),
		cmocka_unit_test(test_above_usual),
		cmocka_unit_test(test_local_uids),
		cmocka_unit_test(test_many_removals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
