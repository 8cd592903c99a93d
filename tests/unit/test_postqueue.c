/*
 * test_postqueue.c -- the queue parsers on the two formats Postfix prints
 * (postqueue -j lines, with a key this code does not know; postqueue -p
 * as Postfix 2.x/3.x prints it), and the summary built from them.
 */
#include "testutil.h"

#include "postfix/postqueue.h"

static const char json_lines[] =
    "{\"queue_name\": \"deferred\", \"queue_id\": \"4B8C02C0A8C\", "
    "\"arrival_time\": 1000, \"message_size\": 393, \"forced_expire\": "
    "false, \"new_key_from_a_later_postfix\": [1, 2], \"sender\": "
    "\"spammer@evil.example\", \"recipients\": [{\"address\": "
    "\"a@example.org\", \"delay_reason\": \"connect to mx.example.org"
    "[192.0.2.1]:25: Connection refused\"}, {\"address\": "
    "\"b@example.org\", \"delay_reason\": \"connect to mx.example.org"
    "[192.0.2.1]:25: Connection refused\"}]}\n"
    "postqueue: warning: a line that is not JSON\n"
    "{\"queue_name\": \"hold\", \"queue_id\": \"5C9D13D1B9D\", "
    "\"arrival_time\": 500, \"message_size\": 1000, \"sender\": "
    "\"spammer@evil.example\", \"recipients\": [{\"address\": "
    "\"c@example.org\"}]}\n"
    "{\"queue_name\": \"deferred\", \"queue_id\": \"6DAE24E2CAE\", "
    "\"arrival_time\": 900, \"message_size\": 200, \"sender\": \"\", "
    "\"recipients\": [{\"address\": \"d@example.org\", \"delay_reason\": "
    "\"connect to mx.example.org[192.0.2.1]:25: Connection refused\"}]}\n";

static const char list_text[] =
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "4B8C02C0A8C     393 Sat Nov 28 11:00:00  spammer@evil.example\n"
    "                                    (deferred transport)\n"
    "                                         a@example.org\n"
    "                                         b@example.org\n"
    "\n"
    "5C9D13D1B9D!   1000 Sat Nov 28 10:00:00  spammer@evil.example\n"
    "                                         c@example.org\n"
    "\n"
    "6DAE24E2CAE*    200 Fri Nov 27 23:59:59  MAILER-DAEMON\n"
    "                                         d@example.org\n"
    "\n"
    "-- 2 Kbytes in 3 Requests.\n";

static void
test_json(void **state)
{
	struct mailqueue q;
	json_t *sum;

	(void)state;
	mailqueue_init(&q);
	mailqueue_parse_json(&q, json_lines);
	assert_int_equal(q.n, 3);
	assert_string_equal(q.v[1].queue, "hold");
	assert_int_equal(q.v[0].recipients.n, 2);
	sum = mailqueue_summary(&q, 2000, 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "total")), 3);
	assert_true(json_is_true(json_object_get(sum, "above_threshold")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(sum, "top_senders"), 0), "name")),
	    "spammer@evil.example");
	/* One count per message: 2 messages share the reason. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(sum, "delay_reasons"), 0), "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    sum, "oldest"), "age_seconds")), 1500);
	json_decref(sum);
	mailqueue_release(&q);
}

static void
test_list(void **state)
{
	struct mailqueue q;
	struct strv ids;

	(void)state;
	mailqueue_init(&q);
	mailqueue_parse_list(&q, list_text, time(NULL));
	assert_int_equal(q.n, 3);
	assert_string_equal(q.v[0].id, "4B8C02C0A8C");
	assert_string_equal(q.v[0].queue, "deferred");
	assert_string_equal(q.v[0].reasons.v[1], "deferred transport");
	assert_string_equal(q.v[1].id, "5C9D13D1B9D");
	assert_string_equal(q.v[1].queue, "hold");
	assert_string_equal(q.v[2].queue, "active");
	assert_string_equal(q.v[2].sender, "");
	assert_int_equal(q.v[1].size, 1000);
	strv_init(&ids);
	mailqueue_ids_of(&q, "spammer@evil.example", "hold", &ids);
	assert_int_equal(ids.n, 1);
	strv_release(&ids);
	mailqueue_release(&q);
}

/*
 * A sender that is not valid UTF-8 (8-bit MAIL FROM): counted, shown with
 * its bad bytes escaped, in both formats; it used to crash the report
 * (list) and vanish from the count (JSON).
 */
static void
test_invalid_utf8(void **state)
{
	static const char json_bad[] =
	    "{\"queue_name\": \"deferred\", \"queue_id\": \"A1\", "
	    "\"arrival_time\": 1000, \"message_size\": 10, \"sender\": "
	    "\"bad\xff\xfe@x.example\", \"recipients\": [{\"address\": "
	    "\"r@y\xc3\", \"delay_reason\": \"timeout\xe2\x82\"}]}\n";
	static const char list_bad[] =
	    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
	    "B2C3D4E5F6!     100 Mon Jun  4 12:34:56  caf\xe9@x.example\n"
	    "                                         r@y.example\n";
	struct mailqueue q;
	json_t *sum;
	char *text;

	(void)state;
	mailqueue_init(&q);
	mailqueue_parse_json(&q, json_bad);
	mailqueue_parse_list(&q, list_bad, time(NULL));
	assert_int_equal(q.n, 2);
	assert_string_equal(q.v[0].sender, "bad\\xff\\xfe@x.example");
	assert_string_equal(q.v[1].sender, "caf\\xe9@x.example");
	sum = mailqueue_summary(&q, 2000, 0);
	assert_int_equal(json_integer_value(json_object_get(sum, "total")), 2);
	text = json_dumps(sum, 0);
	assert_non_null(text);
	assert_non_null(strstr(text, "caf\\\\xe9@x.example"));
	free(text);
	json_decref(sum);
	mailqueue_release(&q);
}

static void
test_act_refuses_all(void **state)
{
	struct strv ids;
	char *cause = NULL;

	(void)state;
	strv_init(&ids);
	strv_add(&ids, "ALL");
	assert_int_not_equal(mailqueue_act("/", "-d", &ids, &cause), 0);
	assert_non_null(strstr(cause, "not a queue ID"));
	free(cause);
	cause = NULL;
	assert_int_not_equal(mailqueue_act("/", "-r", &ids, &cause), 0);
	free(cause);
	strv_release(&ids);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_act_refuses_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
