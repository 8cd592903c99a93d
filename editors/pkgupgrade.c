/*
 * pkgupgrade.c -- what apt and dnf upgrades share: waiting for cloud-init
 * and running the package manager under a gauge. See pkgupgrade.h.
 */
#include <stdlib.h>

#include "fsutil.h"
#include "i18n.h"
#include "pkgupgrade.h"
#include "run.h"

/* Run ARGV with M's settings, the gauge from FROM over SPAN percent. */
static int
upgrade_tool(const struct upgrader *m, char *const *argv,
    struct upgrade_watch *w, int from, int span, const char *doing,
    char **cause)
{
	struct buf out, err;
	struct run_opts ro = { .timeout = 3600,
	    .err = m->err_apart ? &err : NULL, .env = m->env,
	    .on_line = m->on_line, .line_arg = w };
	int status = 0, r;

	strv_release(&w->errors);
	strv_init(&w->errors);
	w->from = from;
	w->span = span;
	progress_say(w->progress, from, doing);
	buf_init(&out);
	buf_init(&err);
	r = run_argv(argv, &ro, &out, &status, cause);
	if (r == 0 && status != 0) {
		char *said = w->errors.n > 0 ? strv_join(&w->errors, "; ") :
		    xstrdup(trim(buf_str(&out)));
		char *q = argv_quote(argv);

		r = set_cause(cause, _("'%s' failed (exit %d): %s"), q, status,
		    said);
		free(q);
		free(said);
	}
	buf_release(&out);
	buf_release(&err);
	return r;
}

/* At first boot cloud-init may still be installing packages. */
static void
cloud_init_wait(const struct progress *progress)
{
	char *argv[] = { "cloud-init", "status", "--wait", NULL };
	struct run_opts ro = { .timeout = 1800 };
	int status;

	if (!fs_exists("/", "/usr/bin/cloud-init"))
		return;
	progress_say(progress, 0, _("waiting for cloud-init to finish"));
	(void)run_argv(argv, &ro, NULL, &status, NULL);
}

int
upgrade_all(const struct upgrader *m, const struct progress *progress,
    struct upgrade *u, char **cause)
{
	struct upgrade_watch w = { .progress = progress, .u = u };
	int r = -1;

	strv_init(&w.errors);
	cloud_init_wait(progress);
	if (upgrade_tool(m, m->refresh, &w, 0, 10, _(m->refreshing),
	    cause) != 0 || m->preview(&u->packages, cause) != 0)
		goto out;
	if (u->packages.n > 0 && upgrade_tool(m, m->upgrade, &w, 10, 90,
	    _("upgrading"), cause) != 0)
		goto out;
	progress_say(progress, 100, _("done"));
	m->reboot(u);
	r = 0;
out:
	strv_release(&w.errors);
	return r;
}
