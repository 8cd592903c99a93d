/*
 * test_recipe.c -- the recipe parser: every value type, and every error
 * message with its FILE:LINE: [section] key: prefix.
 */
#include "testutil.h"

#include "recipe.h"

static char *
parse_err(const char *text)
{
	struct recipe r;
	char *cause = NULL;

	recipe_init(&r);
	assert_int_equal(recipe_parse("t.conf", text, strlen(text), &r,
	    &cause), -1);
	assert_non_null(cause);
	recipe_release(&r);
	return cause;
}

static void
expect_error(const char *text, const char *message)
{
	char *cause = parse_err(text);

	if (strstr(cause, message) == NULL)
		fail_msg("for %s\n  wanted: %s\n  got:    %s", text, message,
		    cause);
	free(cause);
}

static void
test_full_ssh_section(void **state)
{
	const char *text =
	    "# comment\n; other comment\n\n[ssh]\n"
	    "port = 2222/tcp   # inline comment\n"
	    "password_authentication = Off\n"
	    "permit_root_login = prohibit-password\n"
	    "key_user = admin\n"
	    "authorized_key = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN2Xg72ZAINQUXaUjAF73T24rVc1cJKLm2qjUnAsbAP/ admin@laptop\n"
	    "confirm_timeout = 5m\n";
	struct recipe r;
	const struct recipe_section *s;
	char *cause = NULL;

	(void)state;
	recipe_init(&r);
	assert_int_equal(recipe_parse("t.conf", text, strlen(text), &r,
	    &cause), 0);
	s = recipe_section(&r, "ssh");
	assert_non_null(s);
	assert_int_equal(s->line, 4);
	assert_string_equal(settings_get(&s->settings, "port"), "2222");
	assert_string_equal(settings_get(&s->settings,
	    "password_authentication"), "no");
	assert_string_equal(settings_get(&s->settings, "confirm_timeout"),
	    "300");
	assert_string_equal(settings_get(&s->settings, "key_user"), "admin");
	assert_null(recipe_section(&r, "firewall"));
	recipe_release(&r);
}

static void
test_value_types(void **state)
{
	static const struct question ports = { "p", V_PORTS, "", "", NULL, 0,
	    0, 0 };
	static const struct question dur = { "d", V_DURATION, "", "", NULL,
	    0, 0, 0 };
	static const struct question list = { "l", V_LIST, "", "", NULL, 0,
	    0, 0 };
	static const struct question num = { "n", V_INT, "", "", NULL, 1, 10,
	    0 };
	static const struct question b = { "b", V_BOOL, "", "", NULL, 0, 0,
	    0 };
	char *out = NULL, *why = NULL;

	(void)state;
	assert_int_equal(value_parse(&ports, "80/tcp, 443 1000-2000/udp 53/udp",
	    &out, &why), 0);
	assert_string_equal(out, "80/tcp 443/tcp 1000-2000/udp 53/udp");
	free(out);
	assert_int_equal(value_parse(&dur, "1h", &out, &why), 0);
	assert_string_equal(out, "3600");
	free(out);
	assert_int_equal(value_parse(&dur, "2d", &out, &why), 0);
	assert_string_equal(out, "172800");
	free(out);
	assert_int_equal(value_parse(&dur, "45", &out, &why), 0);
	assert_string_equal(out, "45");
	free(out);
	assert_int_equal(value_parse(&list, "a, b,c  d", &out, &why), 0);
	assert_string_equal(out, "a b c d");
	free(out);
	assert_int_equal(value_parse(&num, "10", &out, &why), 0);
	free(out);
	assert_int_equal(value_parse(&num, "11", &out, &why), -1);
	assert_non_null(strstr(why, "from 1 to 10"));
	free(why);
	why = NULL;
	for (const char *const *v = (const char *const[]){ "yes", "TRUE",
	    "on", NULL }; *v; v++) {
		assert_int_equal(value_parse(&b, *v, &out, &why), 0);
		assert_string_equal(out, "yes");
		free(out);
	}
	assert_int_equal(value_parse(&ports, "70000", &out, &why), -1);
	assert_non_null(strstr(why, "a port is a number"));
	free(why);
	why = NULL;
	assert_int_equal(value_parse(&ports, "25/sctp", &out, &why), -1);
	assert_non_null(strstr(why, "protocol must be tcp or udp"));
	free(why);
	why = NULL;
	assert_int_equal(value_parse(&ports, "2000-1000/tcp", &out, &why), -1);
	assert_non_null(strstr(why, "a range is N-M"));
	free(why);
	why = NULL;
	assert_int_equal(value_parse(&dur, "10w", &out, &why), -1);
	assert_non_null(strstr(why, "not a duration"));
	free(why);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("port = 22\n",
	    "t.conf:1: port: a key outside any section");
	/* The list is the step table's, in its order. */
	expect_error("[sshx]\nport = 22\n",
	    "t.conf:1: [sshx] unknown section; the steps are: updates firewall "
	    "ssh fail2ban postfix-sasl postfix-ratelimit postfix-relay "
	    "postfix-blocklist dns dnsbl mailqueue spamfilter services");
	expect_error("[spamfilter]\nengine = exim\n",
	    "t.conf:2: [spamfilter] engine: 'exim' is not one of: rspamd, "
	    "spamassassin");
	expect_error("[firewall]\nbackend = iptables\n",
	    "t.conf:2: [firewall] backend: 'iptables' is not one of: auto, "
	    "ufw, firewalld");
	expect_error("[firewall]\nclose = 25/tcp 70000\n",
	    "t.conf:2: [firewall] close: ");
	expect_error("[firewall]\nblock_outbound_smtp = maybe\n",
	    "t.conf:2: [firewall] block_outbound_smtp: 'maybe' is not a "
	    "boolean");
	expect_error("[ssh]\nport = 22\n[ssh]\n",
	    "t.conf:3: [ssh] section repeated (first at line 1)");
	expect_error("[ssh\n", "t.conf:1: a section header is '[name]'");
	expect_error("[ssh] x\n", "t.conf:1: a section header is '[name]'");
	expect_error("[ssh]\nport 22\n", "t.conf:2: [ssh] expected 'key = value'");
	expect_error("[ssh]\nprot = 22\n",
	    "t.conf:2: [ssh] prot: unknown key; [ssh] takes: port, ");
	expect_error("[ssh]\nPort = 22\n",
	    "t.conf:2: [ssh] Port: keys are lower_snake_case");
	expect_error("[ssh]\nport = 22\nport = 23\n",
	    "t.conf:3: [ssh] port: key repeated in this section");
	expect_error("[ssh]\nport = 0\n",
	    "t.conf:2: [ssh] port: '0' is not a TCP port (1 to 65535)");
	expect_error("[ssh]\nport =\n", "t.conf:2: [ssh] port: missing value");
	expect_error("[ssh]\npassword_authentication = maybe\n",
	    "t.conf:2: [ssh] password_authentication: 'maybe' is not a "
	    "boolean");
	expect_error("[ssh]\npermit_root_login = sometimes\n",
	    "t.conf:2: [ssh] permit_root_login: 'sometimes' is not one of: "
	    "prohibit-password, no, yes");
	expect_error("[ssh]\nkey_user = -rf\n",
	    "t.conf:2: [ssh] key_user: '-rf' is not a user name");
	expect_error("[ssh]\nauthorized_key = hello\n",
	    "t.conf:2: [ssh] authorized_key: not an OpenSSH public key");
	expect_error("[ssh]\nauthorized_key = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN2Xg72ZAINQUXaU\n",
	    "[ssh] authorized_key: the ed25519 key data is damaged");
	expect_error("[ssh]\nauthorized_key = ssh-ed25519 AAAAC3Nza\n",
	    "[ssh] authorized_key: the key data is missing or truncated");
	expect_error("[ssh]\nconfirm_timeout = soon\n",
	    "t.conf:2: [ssh] confirm_timeout: 'soon' is not a duration");
}

static void
test_all_errors_reported(void **state)
{
	char *cause;

	(void)state;
	cause = parse_err("[ssh]\nport = x\nbogus = 1\n[spamfiltre]\n");
	assert_non_null(strstr(cause, "t.conf:2: [ssh] port:"));
	assert_non_null(strstr(cause, "t.conf:3: [ssh] bogus:"));
	assert_non_null(strstr(cause, "t.conf:4: [spamfiltre] unknown "
	    "section"));
	free(cause);
}

static void
test_nul_byte(void **state)
{
	struct recipe r;
	char *cause = NULL;
	const char text[] = "[ssh]\nport = 2\0\n";

	(void)state;
	recipe_init(&r);
	assert_int_equal(recipe_parse("t.conf", text, sizeof text - 1, &r,
	    &cause), -1);
	assert_non_null(strstr(cause, "t.conf:2: [ssh] a NUL byte"));
	free(cause);
	recipe_release(&r);
}

/* SPEC: confirm_timeout may stand in any step's section. */
static void
test_confirm_timeout_anywhere(void **state)
{
	const char text[] = "[firewall]\nenable = yes\nconfirm_timeout = 2m\n"
	    "[fail2ban]\nconfirm_timeout = 0\n";
	struct recipe r;
	const struct recipe_section *s;
	char *cause = NULL;

	(void)state;
	recipe_init(&r);
	assert_int_equal(recipe_parse("t.conf", text, sizeof text - 1, &r,
	    &cause), 0);
	s = recipe_section(&r, "firewall");
	assert_non_null(s);
	assert_int_equal(step_confirm_timeout(s->step, &s->settings), 120);
	s = recipe_section(&r, "fail2ban");
	assert_non_null(s);
	assert_int_equal(step_confirm_timeout(s->step, &s->settings), 0);
	recipe_release(&r);
	expect_error("[firewall]\nconfirm_timeout = soon\n",
	    "t.conf:2: [firewall] confirm_timeout:");
}

static void
test_load_permissions(void **state)
{
	char *dir = tmpdir_new(), *path = xasprintf("%s/r.conf", dir);
	struct recipe r;
	char *cause = NULL;

	(void)state;
	put_file(dir, "/r.conf", "[ssh]\nport = 2222\n", 0664);
	recipe_init(&r);
	assert_int_equal(recipe_load(path, true, &r, &cause), -1);
	assert_non_null(strstr(cause, "is writable by group or others "
	    "(mode 0664)"));
	free(cause);
	cause = NULL;
	/* Not applying to "/": a scratch recipe may be loose. */
	assert_int_equal(recipe_load(path, false, &r, &cause), 0);
	recipe_release(&r);
	recipe_init(&r);
	chmod(path, 0600);
	assert_int_equal(recipe_load(path, true, &r, &cause), 0);
	recipe_release(&r);
	recipe_init(&r);
	assert_int_equal(recipe_load("/nonexistent/r.conf", true, &r, &cause),
	    -1);
	assert_non_null(strstr(cause, "cannot open recipe "
	    "'/nonexistent/r.conf': No such file or directory"));
	free(cause);
	recipe_release(&r);
	free(path);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_ssh_section),
		cmocka_unit_test(test_value_types),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_confirm_timeout_anywhere),
		cmocka_unit_test(test_load_permissions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
