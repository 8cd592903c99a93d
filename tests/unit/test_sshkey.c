/*
 * test_sshkey.c -- public keys checked against ssh-keygen itself: the same
 * fingerprint, and the damaged or weak keys it would not accept refused.
 */
#include "testutil.h"

#include "run.h"
#include "sshd/sshkey.h"

/* Make a key with ssh-keygen; returns the .pub line and its fingerprint. */
static char *
keygen(const char *dir, const char *type, const char *bits, char **fp)
{
	char *path = xasprintf("%s/k-%s-%s", dir, type, bits);
	char *pub = xasprintf("%s.pub", path), *line = NULL;
	char *gen[] = { "ssh-keygen", "-q", "-t", (char *)type, "-b",
	    (char *)bits, "-N", "", "-C", "me@test", "-f", path, NULL };
	char *fpr[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", pub, NULL };
	struct buf out;
	int status = -1;
	size_t len;

	buf_init(&out);
	assert_int_equal(run_argv(gen, NULL, &out, &status, NULL), 0);
	assert_int_equal(status, 0);
	buf_release(&out);
	assert_int_equal(fs_slurp(pub, &line, &len, NULL), 0);
	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(run_argv(fpr, NULL, &out, &status, NULL), 0);
	/* "256 SHA256:xxx me@test (ED25519)" */
	*fp = xstrndup(strchr(out.data, ' ') + 1, strcspn(strchr(out.data,
	    ' ') + 1, " "));
	buf_release(&out);
	free(path);
	free(pub);
	return line;
}

static void
test_fingerprints_match_ssh_keygen(void **state)
{
	char *dir = tmpdir_new();
	static const char *const types[][2] = { { "ed25519", "256" },
	    { "ecdsa", "384" }, { "rsa", "3072" } };

	(void)state;
	for (size_t i = 0; i < nitems(types); i++) {
		char *fp, *line = keygen(dir, types[i][0], types[i][1], &fp);
		struct sshkey k;
		const char *why = NULL;

		if (sshkey_parse(line, &k, &why) != 0)
			fail_msg("%s: %s", line, why);
		assert_string_equal(k.fingerprint, fp);
		assert_string_equal(k.comment, "me@test");
		assert_false(k.forced_command);
		assert_true(sshkey_in_text(&k, line));
		sshkey_release(&k);
		free(fp);
		free(line);
	}
	tmpdir_free(dir);
}

static void
test_refusals(void **state)
{
	char *dir = tmpdir_new(), *fp, *line;
	struct sshkey k;
	const char *why = NULL;

	(void)state;
	line = keygen(dir, "rsa", "1024", &fp);
	assert_int_equal(sshkey_parse(line, &k, &why), -1);
	assert_non_null(strstr(why, "shorter than 2048 bits"));
	free(line);
	free(fp);
	assert_int_equal(sshkey_parse("ssh-dss AAAAB3NzaC1kc3MAAACBAP", &k,
	    &why), -1);
	assert_non_null(strstr(why, "DSA keys are disabled"));
	assert_int_equal(sshkey_parse("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIN2Xg72"
	    "ZAINQUXaUjAF73T24rVc1cJKLm2qjUnAsbAP/", &k, &why), -1);
	assert_non_null(strstr(why, "does not match its type"));
	assert_int_equal(sshkey_parse("ssh-ed25519 !!!!", &k, &why), -1);
	assert_non_null(strstr(why, "not valid base64"));
	assert_int_equal(sshkey_parse("ssh-ed25519", &k, &why), -1);
	assert_non_null(strstr(why, "missing or truncated"));
	assert_int_equal(sshkey_parse("# just a comment", &k, &why), -1);
	tmpdir_free(dir);
}

static void
test_options_and_usable(void **state)
{
	const char *key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN2Xg72ZAINQUXa"
	    "UjAF73T24rVc1cJKLm2qjUnAsbAP/ admin@laptop";
	char *forced = xasprintf("no-port-forwarding,command=\"echo 'Please "
	    "login as the user \\\"ubuntu\\\"';exit 142\" %s", key);
	char *from = xasprintf("from=\"10.0.0.1\" %s", key);
	char *file = xasprintf("# keys\n%s\n\ngarbage line\n%s\n", forced,
	    from);
	struct sshkey k;
	const char *why;

	(void)state;
	assert_int_equal(sshkey_parse(forced, &k, &why), 0);
	assert_true(k.forced_command);
	sshkey_release(&k);
	assert_int_equal(sshkey_count_usable(file), 1);
	assert_int_equal(sshkey_count_usable(forced), 0);
	assert_int_equal(sshkey_parse(key, &k, &why), 0);
	assert_true(sshkey_in_text(&k, file));
	assert_false(sshkey_in_text(&k, "# nothing\n"));
	sshkey_release(&k);
	free(forced);
	free(from);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprints_match_ssh_keygen),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_options_and_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
