/*
 * dnf/upgrade.c -- upgrading now with dnf. See upgrade.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnf/upgrade.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"

void
dnf_upgradable_line(const char *line, const struct strv *installed,
    struct strv *packages)
{
	char name[256], version[128], repo[128];
	const char *old = NULL;
	size_t nlen;
	char *dot;

	if (sscanf(line, "%255s %127s %127s", name, version, repo) != 3 ||
	    (dot = strrchr(name, '.')) == NULL)
		return;
	nlen = strlen(name);
	for (size_t i = 0; i < installed->n && old == NULL; i++)
		if (strncmp(installed->v[i], name, nlen) == 0 &&
		    installed->v[i][nlen] == ' ')
			old = installed->v[i] + nlen + 1;
	*dot = '\0';
	if (old != NULL)
		strv_addf(packages, "%s %s -> %s", name, old, version);
	else
		strv_addf(packages, "%s (%s) %s", name, _("new"), version);
}

int
dnf_upgrade_preview(struct strv *packages, bool *no_cache, char **cause)
{
	/* check-update wraps a long name onto two lines: not this. */
	char *rpm_qa[] = { "rpm", "-qa", "--qf",
	    "%{NAME}.%{ARCH} %{VERSION}-%{RELEASE}\\n", NULL };
	char *argv[] = { "dnf", "-C", "-q", "repoquery", "--upgrades",
	    "--latest-limit=1", "--qf", "%{name}.%{arch} %{evr} %{repoid}",
	    NULL };
	struct strv installed;
	struct buf out;
	struct run_opts ro = { .timeout = 300,
	    .max_output = 8 * 1024 * 1024 };
	char *line, *save = NULL;
	int status = 0, r;

	*no_cache = false;
	strv_init(&installed);
	buf_init(&out);
	r = run_argv(argv, &ro, &out, &status, cause);
	if (r == 0 && status != 0) {
		if (strstr(buf_str(&out), "no cache") != NULL ||
		    strstr(buf_str(&out), "Cache-only") != NULL)
			*no_cache = true;
		else
			r = set_cause(cause, _("'dnf repoquery --upgrades' "
			    "failed (exit %d): %s"), status,
			    trim(buf_str(&out)));
	}
	if (r == 0 && status == 0)
		r = run_lines(rpm_qa, NULL, 120, &installed, cause);
	for (line = strtok_r(buf_str(&out), "\n", &save); r == 0 &&
	    status == 0 && line != NULL; line = strtok_r(NULL, "\n", &save))
		dnf_upgradable_line(line, &installed, packages);
	strv_release(&installed);
	buf_release(&out);
	return r;
}

/* "  Upgrading   : name-2.0-1.noarch   3/6": the verb, N and M. */
static bool
transaction_line(const char *line, char *verb, size_t vlen, long *n,
    long *m)
{
	const char *colon = strstr(line, " : "), *end, *slash;
	size_t len = strlen(line);

	if (!str_has_prefix(line, "  ") || colon == NULL)
		return false;
	while (len > 0 && line[len - 1] == ' ')
		len--;
	end = line + len;
	for (slash = end; slash > colon && slash[-1] != ' '; slash--)
		;
	if (sscanf(slash, "%ld/%ld", n, m) != 2 || *m <= 0 || *n > *m)
		return false;
	snprintf(verb, vlen, "%.*s", (int)(colon - line - 2), line + 2);
	trim(verb);
	return true;
}

static void
on_dnf_line(void *arg, int stream, const char *line)
{
	struct upgrade_watch *w = arg;
	char verb[64], *what;
	const char *p;
	long n, m;

	(void)stream;
	if (transaction_line(line, verb, sizeof verb, &n, &m)) {
		/* Installing fills up to nine tenths, verifying the rest. */
		long pct = strcmp(verb, "Verifying") == 0 ? 90 + 10 * n / m :
		    80 * n / m;

		what = xasprintf("%s %ld/%ld", verb, n, m);
		progress_say(w->progress, w->from + (int)(pct * w->span / 100),
		    what);
		free(what);
	} else if ((p = strstr(line, " created as ")) != NULL) {
		what = xstrdup(p + strlen(" created as "));
		strv_add(&w->u->kept, trim(what));
		free(what);
	} else if (str_has_prefix(line, "Waiting for process with pid")) {
		what = xasprintf(_("waiting for the package manager (%s)"),
		    line);
		progress_say(w->progress, -1, what);
		free(what);
	} else if (str_has_prefix(line, "Error:") ||
	    str_has_prefix(line, "error:"))
		strv_add(&w->errors, line);
}

/*
 * "dnf needs-restarting -r": exit 1 and "  * NAME" lines when core
 * packages changed since boot; "No such command" without the plugin.
 */
static void
reboot_needed(struct upgrade *u)
{
	char *argv[] = { "dnf", "-q", "needs-restarting", "-r", NULL };
	struct run_opts ro = { .timeout = 300 };
	struct buf out;
	char *line, *save = NULL;
	int status = 0;

	buf_init(&out);
	if (run_argv(argv, &ro, &out, &status, NULL) != 0 ||
	    strstr(buf_str(&out), "No such command") != NULL)
		u->reboot = -1;
	else
		u->reboot = status == 1;
	for (line = strtok_r(buf_str(&out), "\n", &save); u->reboot > 0 &&
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		if (str_has_prefix(line, "  * "))
			strv_add(&u->reboot_by, line + 4);
	buf_release(&out);
}

/* The metadata was just refreshed: there is a cache. */
static int
preview(struct strv *packages, char **cause)
{
	bool no_cache;

	return dnf_upgrade_preview(packages, &no_cache, cause);
}

static char *const makecache[] = { "dnf", "-y", "makecache", NULL };
static char *const upgrade[] = { "dnf", "-y", "upgrade", NULL };

static const struct upgrader dnf_upgrader = {
	.refresh = makecache,
	.refreshing = N_("refreshing the package metadata"),
	.upgrade = upgrade,
	.on_line = on_dnf_line,
	.preview = preview,
	.reboot = reboot_needed,
};

int
dnf_upgrade_run(const struct progress *progress, struct upgrade *u,
    char **cause)
{
	return upgrade_all(&dnf_upgrader, progress, u, cause);
}
