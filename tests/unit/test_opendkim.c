/*
 * test_opendkim.c -- OpenDKIM's sockets as Postfix names them, the
 * SigningTable's matching, and a generated key: 2048-bit RSA whose p= is
 * the public half of the PEM it comes with.
 */
#include "testutil.h"

#include "opendkim/dkimkey.h"
#include "opendkim/opendkim.h"

static void
expect_milter(const char *socket, const char *want)
{
	char *got = opendkim_milter_address(socket);

	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void
test_milter_address(void **state)
{
	(void)state;
	expect_milter("inet:8891@localhost", "inet:127.0.0.1:8891");
	expect_milter("inet:8891@127.0.0.1", "inet:127.0.0.1:8891");
	expect_milter("inet:12301", "inet:127.0.0.1:12301");
	expect_milter("inet:8891@*", "inet:127.0.0.1:8891");
	expect_milter("inet:8891@192.0.2.7", "inet:192.0.2.7:8891");
	/* A unix socket: Postfix's chroot cannot reach it. */
	expect_milter("local:/run/opendkim/opendkim.sock", NULL);
	expect_milter("/run/opendkim/opendkim.sock", NULL);
	expect_milter(NULL, NULL);
}

static void
test_row_matches(void **state)
{
	(void)state;
	assert_true(dkim_row_matches("*@example.org", true, "example.org"));
	assert_true(dkim_row_matches("*@EXAMPLE.org", true, "example.org"));
	assert_true(dkim_row_matches("*", true, "example.org"));
	assert_false(dkim_row_matches("*@example.org", true, "example.net"));
	assert_false(dkim_row_matches("*@sub.example.org", true,
	    "example.org"));
	/* A plain table: the domain, an address, or @domain. */
	assert_true(dkim_row_matches("example.org", false, "example.org"));
	assert_true(dkim_row_matches("@example.org", false, "example.org"));
	assert_false(dkim_row_matches("*@example.org", false, "example.org"));
	assert_false(dkim_row_matches("example.net", false, "example.org"));
}

static void
test_file_table(void **state)
{
	(void)state;
	assert_string_equal(opendkim_file_table("refile:/etc/opendkim/x"),
	    "/etc/opendkim/x");
	assert_string_equal(opendkim_file_table("file:/etc/opendkim/x"),
	    "/etc/opendkim/x");
	assert_string_equal(opendkim_file_table("/etc/opendkim/x"),
	    "/etc/opendkim/x");
	assert_null(opendkim_file_table("dsn:mysql://u@h/db/table=k"));
	assert_null(opendkim_file_table("csl:a=b"));
}

static void
test_generate(void **state)
{
	char *pem = NULL, *pub = NULL, *again, *cause = NULL;
	const char *type;
	size_t len = 0;

	(void)state;
	assert_int_equal(dkim_key_generate(2048, &pem, &len, &pub, &cause), 0);
	assert_int_equal(strlen(pem), len);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----\n"));
	/* SubjectPublicKeyInfo of RSA 2048: 294 bytes, 392 in base64. */
	assert_int_equal(strlen(pub), 392);
	assert_true(strncmp(pub, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 32) == 0);
	again = dkim_public_half(pem, len, &type);
	assert_string_equal(again, pub);
	assert_string_equal(type, "rsa");
	assert_null(dkim_public_half("not a key", 9, &type));
	free(again);
	free(pub);
	dkim_secret_free(pem, len);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_milter_address),
		cmocka_unit_test(test_row_matches),
		cmocka_unit_test(test_file_table),
		cmocka_unit_test(test_generate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
