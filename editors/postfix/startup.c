/*
 * postfix/startup.c -- would Postfix's daemons start with this
 * configuration? Asked of the daemons themselves.
 *
 * postconf and "postfix check" never look at a value's type: "yse" for a
 * boolean or "10/min" for a number pass them, and the daemon that owns the
 * parameter dies at its first start ("fatal: bad boolean configuration").
 * Guessing the type from the default's shape refused valid values
 * ("smtpd_forbid_bare_newline = normalize" where the default is "no"). So
 * each master.cf service's program is started the way master(8) would,
 * with the service's "-o" overrides, but without "-t": after a daemon has
 * read main.cf and checked every parameter it owns, the first thing it
 * does is stop with "fatal: no transport type specified". Any other fatal
 * is what Postfix itself would refuse, in its own words.
 *
 * Nothing is written: the daemon stops before it opens a map, changes
 * directory or user, and its log goes nowhere (maillog_file with a postlog
 * socket that does not exist; -V puts it on standard error), so the live
 * mail log does not fill with our probes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix.h"
#include "run.h"
#include "util.h"

/* What every daemon says when it got past its configuration. */
#define STARTUP_DONE	"no transport type specified"

/* Lines "KEY = VALUE" of postconf -F or -P (keys "name/type/field"). */
static int
postconf_lines(const char *dir, const char *flag, struct strv *keys,
    struct strv *values, char **cause)
{
	char *argv[] = { "postconf", "-c", (char *)dir, (char *)flag, NULL };
	struct buf out;
	int r;

	buf_init(&out);
	r = postfix_postconf(argv, &out, NULL, cause);
	if (r == 0)
		postfix_parse_params(buf_str(&out), keys, values);
	buf_release(&out);
	return r;
}

/*
 * The daemon programs of this machine's Postfix, as its own manifest
 * (postfix-files) lists them: what master(8) may start. A master.cf
 * command that is not one of them (a script someone put there) is not
 * run.
 */
static int
daemon_programs(char **daemon_dir, struct strv *names, char **cause)
{
	char *argv[] = { "postconf", "-d", "-h", "daemon_directory",
	    "meta_directory", NULL };
	struct buf out;
	char *meta, *manifest, *text = NULL, *line, *save = NULL;
	int r;

	buf_init(&out);
	*daemon_dir = NULL;
	r = postfix_postconf(argv, &out, NULL, cause);
	if (r != 0) {
		buf_release(&out);
		return r;
	}
	meta = strchr(buf_str(&out), '\n');
	if (meta == NULL) {
		buf_release(&out);
		return set_cause(cause, _("postconf -d did not print "
		    "daemon_directory and meta_directory"));
	}
	*meta++ = '\0';
	*daemon_dir = xstrdup(trim(out.data));
	manifest = xasprintf("%s/postfix-files", trim(meta));
	buf_release(&out);
	if (fs_slurp(manifest, &text, NULL, cause) != 0) {
		free(manifest);
		return -1;
	}
	free(manifest);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		static const char prefix[] = "$daemon_directory/";
		char *colon;

		if (!str_has_prefix(line, prefix) ||
		    (colon = strchr(line, ':')) == NULL ||
		    (colon[1] != 'f' && colon[1] != 'h') || colon[2] != ':')
			continue;
		*colon = '\0';
		strv_add(names, line + sizeof prefix - 1);
	}
	free(text);
	return 0;
}

/* PATH is an executable program (ELF), not a script. */
static bool
is_program(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
	    memcmp(magic, "\177ELF", sizeof magic) == 0;
	close(fd);
	return ok;
}

/*
 * The argv of service SERVICE ("name/type") running PROGRAM: master(8)'s
 * options minus "-t", the service's overrides, then the logging ones.
 */
static void
probe_argv(struct strv *argv, const char *program, const char *service,
    const struct strv *pkeys, const struct strv *pvalues)
{
	static const char *const quiet[] = { "maillog_file_prefixes="
	    "/dev/stdout", "maillog_file=/dev/stdout",
	    "postlog_service_name=hardenwiz-no-such-socket", NULL };
	size_t n = strcspn(service, "/");

	strv_add(argv, program);
	/* -l and -z: solitary and unlimited services pass their check. */
	strv_add(argv, "-V");
	strv_add(argv, "-l");
	strv_add(argv, "-z");
	strv_add(argv, "-n");
	strv_addf(argv, "%.*s", (int)n, service);
	for (size_t i = 0; i < pkeys->n; i++) {
		const char *slash = strrchr(pkeys->v[i], '/');

		if (slash == NULL || (size_t)(slash - pkeys->v[i]) !=
		    strlen(service) || strncmp(pkeys->v[i], service,
		    strlen(service)) != 0)
			continue;
		strv_add(argv, "-o");
		strv_addf(argv, "%s=%s", slash + 1, pvalues->v[i]);
	}
	for (size_t i = 0; quiet[i] != NULL; i++) {
		strv_add(argv, "-o");
		strv_add(argv, quiet[i]);
	}
}

/* Start ARGV on DIR's configuration; its complaint, if any, in *WHY. */
static int
probe(const struct strv *argv, const char *dir, char **why, char **cause)
{
	char *env = xasprintf("MAIL_CONFIG=%s", dir);
	const char *const envv[] = { env, NULL };
	struct buf out, err;
	struct run_opts o = { .err = &err, .env = envv, .until = "fatal: ",
	    .timeout = 30 };
	int status = 0, r;
	const char *fatal;

	buf_init(&out);
	buf_init(&err);
	*why = NULL;
	r = run_argv(argv->v, &o, &out, &status, cause);
	if (r == 0 && (fatal = strstr(buf_str(&err), "fatal: ")) != NULL) {
		char *said = xstrndup(fatal + 7, strcspn(fatal + 7, "\n"));

		if (strcmp(said, STARTUP_DONE) != 0)
			*why = said;
		else
			free(said);
	}
	buf_release(&out);
	buf_release(&err);
	free(env);
	return r;
}

/* Services run alike (bounce, defer and trace) are asked once. */
int
postfix_startup_fatals(const char *dir, const struct strv *only,
    struct strv *fatals, char **cause)
{
	struct strv fkeys, fvalues, pkeys, pvalues, programs, seen;
	char *daemon_dir = NULL;
	int r;

	strv_init(&fkeys);
	strv_init(&fvalues);
	strv_init(&pkeys);
	strv_init(&pvalues);
	strv_init(&programs);
	strv_init(&seen);
	r = daemon_programs(&daemon_dir, &programs, cause);
	if (r == 0)
		r = postconf_lines(dir, "-F", &fkeys, &fvalues, cause);
	if (r == 0)
		r = postconf_lines(dir, "-P", &pkeys, &pvalues, cause);
	for (size_t i = 0; i < fkeys.n && r == 0; i++) {
		size_t len = strlen(fkeys.v[i]);
		char *service, *name, *path, *over, *key, *why = NULL;
		struct strv argv;

		if (len < 8 || strcmp(fkeys.v[i] + len - 8, "/command") != 0)
			continue;
		name = xstrndup(fvalues.v[i], strcspn(fvalues.v[i], " \t"));
		path = xasprintf("%s/%s", daemon_dir, name);
		service = xstrndup(fkeys.v[i], len - 8);
		strv_init(&argv);
		probe_argv(&argv, path, service, &pkeys, &pvalues);
		/* The same program and overrides under another name (-n,
		 * argv[5]) read the same parameters. */
		over = argv_quote(argv.v + 6);
		key = xasprintf("%s %s", name, over);
		free(over);
		if ((only == NULL || strv_contains(only, service)) &&
		    strv_contains(&programs, name) && is_program(path) &&
		    !strv_contains(&seen, key)) {
			strv_add(&seen, key);
			r = probe(&argv, dir, &why, cause);
		}
		if (r == 0 && why != NULL)
			strv_addf(fatals, "%s\t%s\t%s", service, name, why);
		free(why);
		free(key);
		strv_release(&argv);
		free(service);
		free(path);
		free(name);
	}
	free(daemon_dir);
	strv_release(&fkeys);
	strv_release(&fvalues);
	strv_release(&pkeys);
	strv_release(&pvalues);
	strv_release(&programs);
	strv_release(&seen);
	return r;
}
