/*
 * test_smtpcount.c -- the per-user count of rejected connections out to
 * port 25, read from what "nft -j list set" prints (nftables 1.0.6 on
 * Debian 12, captured; 1.1 adds no key this reads), and the plan that sets
 * the counting up.
 */
#include "testutil.h"

#include "firewall/smtp_count.h"

/* Two users counted: uid 33 twice as often, uid 0 silent for a day. */
static const char listed[] =
    "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", "
    "\"release_name\": \"Lester Gooch #5\", \"json_schema_version\": 1}}, "
    "{\"set\": {\"family\": \"inet\", \"name\": \"smtp_out\", \"table\": "
    "\"hardenwiz\", \"type\": \"uid\", \"handle\": 2, \"size\": 4096, "
    "\"flags\": [\"timeout\"], \"timeout\": 604800, \"elem\": ["
    "{\"elem\": {\"val\": 0, \"expires\": 518400, \"counter\": "
    "{\"packets\": 3, \"bytes\": 180}}}, "
    "{\"elem\": {\"val\": 33, \"expires\": 604798, \"counter\": "
    "{\"packets\": 6, \"bytes\": 360}}}, "
    "{\"elem\": {\"val\": 1000, \"timeout\": 3600, \"expires\": 600, "
    "\"counter\": {\"packets\": 1, \"bytes\": 60}}}, "
    "1001]}}]}";

static void
test_parse(void **state)
{
	struct smtp_tries t = { 0 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(smtp_count_parse(listed, 1000000, &t, &cause), 0);
	assert_true(t.loaded);
	/* 1001 has no counter: nothing to tell about it. */
	assert_int_equal(t.n, 3);
	assert_int_equal(t.v[0].uid, 33);
	assert_int_equal(t.v[0].attempts, 6);
	assert_int_equal(t.v[0].last, 1000000 - 2);
	assert_int_equal(t.v[1].uid, 0);
	assert_int_equal(t.v[1].attempts, 3);
	assert_int_equal(t.v[1].last, 1000000 - 86400);
	/* An element's own timeout dates it. */
	assert_int_equal(t.v[2].uid, 1000);
	assert_int_equal(t.v[2].last, 1000000 - 3000);
	smtp_tries_release(&t);
}

static void
test_empty_and_absent(void **state)
{
	struct smtp_tries t = { 0 };
	char *cause = NULL;

	(void)state;
	/* nft leaves "elem" out of an empty set. */
	assert_int_equal(smtp_count_parse("{\"nftables\": [{\"metainfo\": "
	    "{}}, {\"set\": {\"name\": \"smtp_out\", \"timeout\": 604800}}]}",
	    5, &t, &cause), 0);
	assert_true(t.loaded);
	assert_int_equal(t.n, 0);
	assert_int_equal(smtp_count_parse("{\"nftables\": [{\"metainfo\": "
	    "{}}]}", 5, &t, &cause), 0);
	assert_false(t.loaded);
	assert_int_not_equal(smtp_count_parse("nft: not JSON", 5, &t,
	    &cause), 0);
	assert_non_null(strstr(cause, "nft printed no set"));
	free(cause);
	smtp_tries_release(&t);
}

/*
 * The table leaves loopback and the MTA alone, counts SYNs to port 25
 * per uid, and replaces itself when loaded again; the unit loads it after
 * nftables.service (whose flush would erase it). Under a root the plan is
 * the two files and the commands, skipped.
 */
static void
test_plan(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	struct plan p;
	struct change *c;

	(void)state;
	put_file(root, "/usr/sbin/nft", "", 0755);
	plan_init(&p, root);
	assert_int_equal(smtp_count_plan(&p, "firewall", 107, &cause), 0);
	c = plan_find_file(&p, SMTP_COUNT_FILE);
	assert_non_null(c);
	assert_ptr_equal(c->checker, &nft_checker);
	assert_non_null(strstr(c->new_text, "delete table inet hardenwiz\n"
	    "table inet hardenwiz {"));
	assert_non_null(strstr(c->new_text, "oifname \"lo\" return"));
	assert_non_null(strstr(c->new_text, "meta skuid 107 return"));
	assert_non_null(strstr(c->new_text, "tcp dport 25 tcp flags & (syn "
	    "| ack) == syn update @smtp_out { meta skuid counter }"));
	c = plan_find_file(&p, "/etc/systemd/system/" SMTP_COUNT_UNIT);
	assert_non_null(c);
	assert_non_null(strstr(c->new_text, "After=nftables.service\n"));
	assert_non_null(strstr(c->new_text, "ReloadPropagatedFrom="
	    "nftables.service\n"));
	assert_non_null(strstr(c->new_text, "ExecStart=/usr/sbin/nft -f "
	    SMTP_COUNT_FILE "\n"));
	/*
	 * daemon-reload, the load, enable: the load's own inverse removes
	 * the table (a rollback removes the unit's file first, and systemd
	 * then stops it without its ExecStop).
	 */
	assert_int_equal(plan_count(&p, CHANGE_COMMAND), 3);
	c = &p.changes[p.nchanges - 2];
	assert_string_equal(c->argv[0], "/usr/sbin/nft");
	assert_string_equal(c->undo_argv[1], "delete");
	assert_string_equal(p.changes[p.nchanges - 1].undo_argv[1],
	    "disable");
	plan_release(&p);

	/* No MTA: everyone is counted. */
	plan_init(&p, root);
	assert_int_equal(smtp_count_plan(&p, "firewall", -1, &cause), 0);
	c = plan_find_file(&p, SMTP_COUNT_FILE);
	assert_null(strstr(c->new_text, "# the MTA"));
	assert_null(strstr(c->new_text, "skuid -1"));
	plan_release(&p);
	tmpdir_free(root);
}

static void
test_plan_without_nft(void **state)
{
	char *root = tmpdir_new(), *cause = NULL;
	struct plan p;

	(void)state;
	plan_init(&p, root);
	assert_int_equal(smtp_count_plan(&p, "firewall", 107, &cause), 0);
	assert_true(plan_is_empty(&p));
	assert_int_equal(p.notes.n, 1);
	assert_non_null(strstr(p.notes.v[0], "nft is not installed"));
	plan_release(&p);
	tmpdir_free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_empty_and_absent),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_without_nft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
