/*
 * apt/apt.c -- APT's own parser as the validator. See apt.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apt/apt.h"
#include "early.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "stage.h"

bool
apt_unattended_present(const char *root)
{
	return fs_exists(root, "/usr/bin/unattended-upgrade");
}

/* APT_CONFIG for a stage: everything APT reads under Dir::Etc is there. */
static char *
stage_config(const char *stage, char **cause)
{
	char *path = xasprintf("%s/.hardenwiz-apt.conf", stage);
	char *text = xasprintf("Dir::Etc \"%s/\";\n", stage);
	int r = fs_write_scratch(path, text, strlen(text), cause);

	free(text);
	if (r != 0) {
		free(path);
		return NULL;
	}
	return path;
}

/*
 * ROOT's APT configuration (with PLAN's candidates) staged into *STAGE,
 * and the APT_CONFIG entry that points apt-config at it (caller frees).
 */
static char *
stage_apt(const char *root, const struct plan *p, char **stage,
    char **cause)
{
	struct stage_rules rules = { .what = "apt", .dir = APT_DIR,
	    .recurse = true };
	char *conf, *env;

	*stage = NULL;
	if (stage_make(root, p, &rules, stage, cause) != 0 ||
	    (conf = stage_config(*stage, cause)) == NULL) {
		stage_remove(*stage);
		*stage = NULL;
		return NULL;
	}
	env = xasprintf("APT_CONFIG=%s", conf);
	free(conf);
	return env;
}

/* What apt-config said (run_argv's R and STATUS, its standard error). */
static int
dump_result(int r, int status, struct buf *err, bool *rejected,
    char **cause)
{
	if (r != 0)
		return -1;
	/* "E: Syntax error FILE:LINE: ..." names the stage: say the root's. */
	if (status != 0 || strstr(buf_str(err), "E: ") != NULL) {
		*rejected = true;
		return set_cause(cause, _("APT rejects the configuration "
		    "(apt-config): %s"), trim(buf_str(err)));
	}
	return 0;
}

static void
stage_done(void *stage)
{
	stage_remove(stage);
}

static char *
early_key(const char *root)
{
	return xasprintf("apt-config dump %s", root);
}

void
apt_dump_early(const char *root, struct early *e)
{
	char *argv[] = { "apt-config", "dump", NULL };
	char *stage, *env[2] = { NULL, NULL }, *key;
	struct run_opts ro = { .timeout = 60 };

	if (e == NULL || (env[0] = stage_apt(root, NULL, &stage, NULL)) ==
	    NULL)
		return;
	ro.env = (const char *const *)env;
	key = early_key(root);
	early_start(e, key, argv, &ro, true, stage_done, stage);
	free(key);
	free(env[0]);
}

int
apt_dump(const char *root, const struct plan *p, struct early *e,
    struct buf *out, bool *rejected, char **cause)
{
	char *stage = NULL, *env[2] = { NULL, NULL };
	char *argv[] = { "apt-config", "dump", NULL };
	char *key = early_key(root);
	struct buf err;
	struct run_opts ro = { .timeout = 60, .err = &err };
	int status = 0, r = 1;

	*rejected = false;
	buf_init(&err);
	if (p == NULL)
		r = early_take(e, key, out, &err, &status, cause);
	if (r == 1 && (env[0] = stage_apt(root, p, &stage, cause)) == NULL)
		r = -1;
	else if (r == 1) {
		ro.env = (const char *const *)env;
		r = run_argv(argv, &ro, out, &status, cause);
	}
	r = dump_result(r, status, &err, rejected, cause);
	free(env[0]);
	free(key);
	stage_remove(stage);
	buf_release(&err);
	return r;
}

/*
 * The value (after its opening quote) of the next line "KEY "VALUE";" at
 * or after *NEXT, which moves past it; NULL when there is none.
 */
static const char *
dump_line(const char *key, const char **next)
{
	size_t klen = strlen(key);

	for (const char *l = *next; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');

		*next = nl != NULL ? nl + 1 : NULL;
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ' &&
		    l[klen + 1] == '"')
			return l + klen + 2;
		l = *next;
	}
	return NULL;
}

/* The quoted value at V ("value";), unescaped as apt-config writes it. */
static char *
quoted(const char *v)
{
	const char *end = strstr(v, "\";");

	return xstrndup(v, end != NULL ? (size_t)(end - v) : strcspn(v, "\""));
}

char *
apt_dump_value(const char *dump, const char *key)
{
	const char *next = dump, *v = NULL, *last = NULL;

	while ((v = dump_line(key, &next)) != NULL)
		last = v;	/* the last one is in effect */
	return last != NULL ? quoted(last) : NULL;
}

void
apt_dump_list(const char *dump, const char *key, struct strv *values)
{
	char *k = xasprintf("%s::", key);
	const char *next = dump, *v;

	while ((v = dump_line(k, &next)) != NULL) {
		char *s = quoted(v);

		strv_add(values, s);
		free(s);
	}
	free(k);
}

/* Live, after apply: unattended-upgrade itself accepts the setup. */
static int
dry_run(char **cause)
{
	char *argv[] = { "unattended-upgrade", "--dry-run", NULL };
	struct run_opts ro = { .timeout = 600 };
	struct buf out;
	int status = 0, r = CHECK_OK;

	buf_init(&out);
	if (run_argv(argv, &ro, &out, &status, cause) != 0)
		r = CHECK_FAILED;
	else if (status != 0)
		r = set_cause(cause, _("unattended-upgrade --dry-run fails "
		    "with the new configuration: %s"), trim(buf_str(&out)));
	buf_release(&out);
	return r;
}

static int
apt_check(struct plan *p, bool candidates, char **cause)
{
	struct buf out;
	bool rejected;
	int r;

	if (!candidates)
		return p->offline || !apt_unattended_present(p->root) ?
		    CHECK_OK : dry_run(cause);
	buf_init(&out);
	r = apt_dump(p->root, p, NULL, &out, &rejected, cause);
	buf_release(&out);
	if (r == 0)
		return CHECK_OK;
	return rejected ? CHECK_REJECTED : CHECK_FAILED;
}

const struct checker apt_checker = { "apt", apt_check };
