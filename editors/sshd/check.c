/*
 * sshd/check.c -- sshd's own test mode as the checker of sshd's files.
 * See check.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "early.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sshd/check.h"
#include "stage.h"

void
sshd_view_init(struct sshd_view *v)
{
	strv_init(&v->keys);
	strv_init(&v->values);
}

void
sshd_view_release(struct sshd_view *v)
{
	strv_release(&v->keys);
	strv_release(&v->values);
}

const char *
sshd_view_get(const struct sshd_view *v, const char *key)
{
	for (size_t i = 0; i < v->keys.n; i++) {
		if (strcmp(v->keys.v[i], key) == 0)
			return v->values.v[i];
	}
	return NULL;
}

static void
view_add(struct sshd_view *v, const char *key, const char *value)
{
	for (size_t i = 0; i < v->keys.n; i++) {
		if (strcmp(v->keys.v[i], key) == 0) {
			char *joined = xasprintf("%s %s", v->values.v[i],
			    value);

			free(v->values.v[i]);
			v->values.v[i] = joined;
			return;
		}
	}
	strv_add(&v->keys, key);
	strv_add(&v->values, value);
}

bool
sshd_available(void)
{
	char *p = run_which("sshd");

	free(p);
	return p != NULL;
}

/*
 * Configuration files are copied (a candidate may replace them); the rest
 * (host keys, moduli) is linked, so that no private key is ever copied.
 * The links go through .host, where the real directory is mounted: with
 * root "/" an absolute link would point into the stage itself once it
 * covers /etc/ssh.
 */
static enum stage_how
sshd_stage_how(const char *rel, void *arg)
{
	const char *name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 :
	    rel;
	bool *has_hostkey = arg;

	if (str_has_prefix(name, "ssh_host_") && str_has_suffix(name, "_key"))
		*has_hostkey = true;
	return str_has_prefix(name, "sshd_config") || str_has_suffix(name,
	    ".conf") ? STAGE_COPY : STAGE_LINK;
}

static int
mkdir_host(const char *stage, char **cause)
{
	char *p = xasprintf("%s/.host", stage);
	int r = 0;

	if (mkdir(p, 0700) != 0)
		r = set_cause(cause, _("cannot stage '%s': %s"), p,
		    strerror(errno));
	free(p);
	return r;
}

/* A throwaway host key, so that a root without keys can still be checked. */
static int
stage_hostkey(const char *stage, char **cause)
{
	char *key = xasprintf("%s/ssh_host_ed25519_key", stage);
	char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
	    "hardenwiz-validation", "-f", key, NULL };
	int r = run_checked(argv, NULL, NULL, cause);

	free(key);
	return r;
}

struct ns_stage {
	char		*dir;
	char		*hostdir;
};

/*
 * In the child: private mounts, the real directory on STAGE/.host, the
 * stage over /etc/ssh, a private /run.
 */
static int
enter_stage(void *arg, char *why, size_t whylen)
{
	const struct ns_stage *st = arg;
	const char *stage = st->dir;
	char host[4096];

	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(why, whylen, "cannot create a private mount "
		    "namespace to check sshd's configuration in: %s "
		    "(run hardenwiz as root)", strerror(errno));
		return -1;
	}
	snprintf(host, sizeof host, "%s/.host", stage);
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount(st->hostdir, host, "none", MS_BIND, NULL) != 0 ||
	    mount(stage, "/etc/ssh", "none", MS_BIND | MS_REC, NULL) != 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0) {
		snprintf(why, whylen, _("cannot mount the staged /etc/ssh: "
		    "%s"),
		    strerror(errno));
		return -1;
	}
	(void)mkdir("/run/sshd", 0755);
	return 0;
}

static void
parse_view(const char *text, struct sshd_view *view)
{
	const char *line = text;

	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		char *copy = xstrndup(line, len), *sp = strchr(copy, ' ');

		if (sp != NULL) {
			*sp = '\0';
			view_add(view, copy, sp + 1);
		}
		free(copy);
		line += len + (line[len] == '\n');
	}
}

/* What sshd FLAG's run (run_argv's R, STATUS, OUT) says, as a CHECK_ code. */
static int
sshd_result(const char *flag, int r, int status, struct buf *out,
    char **cause)
{
	if (r != 0)
		return CHECK_FAILED;
	if (status != 0) {
		char *msg = trim(buf_str(out));

		set_cause(cause, _("sshd rejected the configuration (sshd %s, "
		    "exit %d): %s"), flag, status, *msg ? msg : "no message");
		return CHECK_REJECTED;
	}
	return CHECK_OK;
}

static int
run_sshd(struct ns_stage *stage, const char *flag, struct buf *out,
    char **cause)
{
	char *argv[] = { "sshd", (char *)flag, NULL };
	struct run_opts o = { .setup = enter_stage, .setup_arg = stage,
	    .timeout = 30 };
	int status = 0, r = run_argv(argv, &o, out, &status, cause);

	return sshd_result(flag, r, status, out, cause);
}

static void
stage_free(struct ns_stage *st)
{
	if (st == NULL)
		return;
	stage_remove(st->dir);
	free(st->hostdir);
	free(st);
}

static void
stage_done(void *arg)
{
	stage_free(arg);
}

/*
 * ROOT's /etc/ssh, with PLAN's candidates when not NULL, staged for sshd
 * (a host key made when it has none); NULL with a cause.
 */
static struct ns_stage *
stage_sshd(const char *root, const struct plan *p, char **cause)
{
	bool has_key = false;
	struct stage_rules rules = { .what = "sshd", .dir = "/etc/ssh",
	    .recurse = true, .how = sshd_stage_how, .link_base = ".host",
	    .arg = &has_key };
	struct ns_stage *st = xcalloc(1, sizeof *st);

	if (fs_resolve(root, "/etc/ssh", &st->hostdir, cause) != 0 ||
	    stage_make(root, p, &rules, &st->dir, cause) != 0 ||
	    mkdir_host(st->dir, cause) != 0 ||
	    (!has_key && stage_hostkey(st->dir, cause) != 0)) {
		stage_free(st);
		return NULL;
	}
	return st;
}

/*
 * The last sshd -T that passed: what it printed, the digest of the stage it
 * read and the sshd binary that read it. The same bytes get the same
 * answer, so the audit after an apply, which finds on disk the candidates
 * the apply's check judged, does not start sshd again (20 of the 30 ms of
 * the wizard's return to its menu). Files an Include names outside
 * /etc/ssh are not staged and not in the digest; sshd reads them live, as
 * it did for the answer kept.
 */
static struct {
	bool		 valid;
	unsigned char	 digest[STAGE_DIGEST_LEN];
	struct stat	 binary;
	char		*output;
} last;

/* The stage's digest and the sshd binary's identity; false if unknown. */
static bool
memo_id(const struct ns_stage *st, unsigned char *digest, struct stat *bin)
{
	char *path = run_which("sshd");
	bool ok = path != NULL && stat(path, bin) == 0 &&
	    stage_digest(st->dir, digest) == 0;

	free(path);
	return ok;
}

static bool
memo_same(const unsigned char *digest, const struct stat *bin)
{
	return last.valid && memcmp(last.digest, digest, sizeof last.digest)
	    == 0 && last.binary.st_dev == bin->st_dev &&
	    last.binary.st_ino == bin->st_ino &&
	    last.binary.st_size == bin->st_size &&
	    last.binary.st_mtim.tv_sec == bin->st_mtim.tv_sec &&
	    last.binary.st_mtim.tv_nsec == bin->st_mtim.tv_nsec;
}

/* Keep OUT as the answer for the stage DIGEST and the sshd binary BIN. */
static void
memo_keep(const unsigned char *digest, const struct stat *bin,
    struct buf *out)
{
	free(last.output);
	last.output = xstrdup(buf_str(out));
	memcpy(last.digest, digest, sizeof last.digest);
	last.binary = *bin;
	last.valid = true;
}

/* sshd -T on stage ST, or the answer kept for the same bytes. */
static int
run_sshd_memo(struct ns_stage *st, struct buf *out, char **cause)
{
	unsigned char digest[STAGE_DIGEST_LEN];
	struct stat bin;
	bool known = memo_id(st, digest, &bin);
	int r;

	if (known && memo_same(digest, &bin)) {
		buf_adds(out, last.output);
		return CHECK_OK;
	}
	r = run_sshd(st, "-T", out, cause);
	if (r == CHECK_OK && known)
		memo_keep(digest, &bin, out);
	return r;
}

/*
 * The identity of the stage sshd_check_early started sshd -T on, so that
 * the answer the audit takes is kept too: the firewall's and fail2ban's
 * audits read the SSH ports from it after the SSH step's has.
 */
static struct {
	bool		 valid;
	unsigned char	 digest[STAGE_DIGEST_LEN];
	struct stat	 binary;
} started;

/* The key sshd -T of ROOT's files runs under in an early set. */
static char *
early_key(const char *root)
{
	return xasprintf("sshd -T %s", root);
}

void
sshd_check_early(const char *root, struct early *e)
{
	char *argv[] = { "sshd", "-T", NULL };
	struct ns_stage *st;
	struct run_opts o = { .setup = enter_stage, .timeout = 30 };
	char *key;

	if (e == NULL || !sshd_available() ||
	    (st = stage_sshd(root, NULL, NULL)) == NULL)
		return;
	started.valid = memo_id(st, started.digest, &started.binary);
	/* Its answer is known: the audit's sshd_check finds it kept. */
	if (started.valid && memo_same(started.digest, &started.binary)) {
		started.valid = false;
		stage_free(st);
		return;
	}
	o.setup_arg = st;
	key = early_key(root);
	early_start(e, key, argv, &o, false, stage_done, st);
	free(key);
}

int
sshd_check(const char *root, const struct plan *p, struct early *e,
    struct sshd_view *view, char **cause)
{
	struct ns_stage *st = NULL;
	struct buf out;
	char *key = early_key(root);
	int status = 0, r;

	buf_init(&out);
	/*
	 * sshd -T is the extended test mode: it checks everything -t checks
	 * (options, Match blocks, host keys) and then prints the effective
	 * values, so one run validates and shows the effect.
	 */
	r = p == NULL ? early_take(e, key, &out, NULL, &status, cause) : 1;
	if (r != 1) {
		r = sshd_result("-T", r, status, &out, cause);
		if (r == CHECK_OK && started.valid)
			memo_keep(started.digest, &started.binary, &out);
		started.valid = false;
	} else if ((st = stage_sshd(root, p, cause)) == NULL)
		r = CHECK_FAILED;
	else
		r = run_sshd_memo(st, &out, cause);
	if (r == CHECK_OK && view != NULL)
		parse_view(buf_str(&out), view);
	buf_release(&out);
	stage_free(st);
	free(key);
	return r;
}

int
sshd_expectations(const struct plan *p, const struct sshd_view *view,
    char **cause)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		const char *got;

		if (e->kind != &sshd_setting)
			continue;
		got = sshd_view_get(view, e->key);
		if (got != NULL && (strcmp(got, e->value) == 0 ||
		    (e->alias != NULL && strcmp(got, e->alias) == 0)))
			continue;
		set_cause(cause, _("sshd -T reports '%s %s', but '%s %s' was "
		    "wanted: another setting takes precedence"), e->key,
		    got ? got : "(nothing)", e->key, e->value);
		return CHECK_REJECTED;
	}
	return CHECK_OK;
}

static int
check_sshd(const struct plan *p, bool candidates, char **cause)
{
	struct sshd_view view;
	int r;

	sshd_view_init(&view);
	r = sshd_check(p->root, candidates ? p : NULL, NULL, &view, cause);
	if (r == CHECK_OK)
		r = sshd_expectations(p, &view, cause);
	sshd_view_release(&view);
	return r;
}

static int
sshd_checker_check(struct plan *p, bool candidates, char **cause)
{
	if (!sshd_available())
		return candidates ? checker_without_tool(p, true, false,
		    "sshd", _("the sshd configuration"), cause) : CHECK_OK;
	return check_sshd(p, candidates, cause);
}

const struct checker sshd_checker = { "sshd", sshd_checker_check };
const struct expect_kind sshd_setting = { &sshd_checker, false, false };
