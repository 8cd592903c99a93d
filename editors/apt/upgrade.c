/*
 * apt/upgrade.c -- upgrading now. See upgrade.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apt/upgrade.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"

/*
 * No question can reach a terminal: debconf answers with the defaults,
 * needrestart lists instead of asking (Ubuntu draws a dialog otherwise),
 * ucf keeps the admin's file, apt-listchanges shows no pager.
 */
static const char *const quiet_env[] = { "DEBIAN_FRONTEND=noninteractive",
	"NEEDRESTART_MODE=l", "UCF_FORCE_CONFFOLD=1",
	"APT_LISTCHANGES_FRONTEND=none", NULL };

void
apt_upgrade_init(struct apt_upgrade *u)
{
	strv_init(&u->packages);
	u->reboot = false;
	strv_init(&u->reboot_by);
}

void
apt_upgrade_release(struct apt_upgrade *u)
{
	strv_release(&u->packages);
	strv_release(&u->reboot_by);
}

/*
 * One "Inst NAME [OLD] (NEW ARCHIVE [ARCH])" line of apt-get -s into
 * PACKAGES ("Inst NAME (NEW ...)" for a package new to the system).
 */
static void
simulated(const char *line, struct strv *packages)
{
	const char *name = line + strlen("Inst "), *p, *old = NULL, *new;
	size_t nlen, olen = 0;

	nlen = strcspn(name, " ");
	p = name + nlen + strspn(name + nlen, " ");
	if (*p == '[') {
		old = p + 1;
		olen = strcspn(old, "]");
		p = old + olen + (old[olen] == ']');
		p += strspn(p, " ");
	}
	if (*p != '(')
		return;
	new = p + 1;
	if (old != NULL)
		strv_addf(packages, "%.*s %.*s -> %.*s", (int)nlen, name,
		    (int)olen, old, (int)strcspn(new, " )"), new);
	else
		strv_addf(packages, "%.*s (%s) %.*s", (int)nlen, name,
		    _("new"), (int)strcspn(new, " )"), new);
}

int
apt_upgrade_preview(struct strv *packages, char **cause)
{
	char *argv[] = { "apt-get", "-s", "-q", "-o", "Debug::NoLocking=1",
	    "upgrade", "--with-new-pkgs", NULL };
	struct buf out, err;
	struct run_opts ro = { .timeout = 300, .err = &err, .env = quiet_env,
	    .max_output = 8 * 1024 * 1024 };
	char *line, *save = NULL;
	int r;

	buf_init(&out);
	buf_init(&err);
	r = run_checked(argv, &ro, &out, cause);
	for (line = strtok_r(buf_str(&out), "\n", &save); r == 0 &&
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		if (str_has_prefix(line, "Inst "))
			simulated(line, packages);
	buf_release(&out);
	buf_release(&err);
	return r;
}

/* What one apt-get run says, as it says it. */
struct watch {
	const struct progress	*progress;
	int			 from, span;	/* of the whole gauge */
	struct strv		 errors;	/* "E: ..." and dpkg's errors */
	time_t			 said_wait;
};

/*
 * APT::Status-Fd lines on standard error ("dlstatus:N:PCT:TEXT",
 * "pmstatus:PKG:PCT:TEXT") move the gauge; "Waiting for cache lock: ...
 * held by process N (NAME)" on standard output says who holds the lock.
 */
static void
on_apt_line(void *arg, int stream, const char *line)
{
	struct watch *w = arg;
	const char *p;
	char *what;

	if (stream == 2 && (str_has_prefix(line, "dlstatus:") ||
	    str_has_prefix(line, "pmstatus:"))) {
		bool dl = line[0] == 'd';
		double pct;

		if ((p = strchr(line + 9, ':')) == NULL)
			return;
		pct = strtod(p + 1, NULL);
		if ((p = strchr(p + 1, ':')) == NULL)
			return;
		/* Downloads fill the first third, dpkg the rest. */
		pct = dl ? pct / 3 : 33 + pct * 2 / 3;
		what = xasprintf("%s: %s", dl ? _("downloading") :
		    _("installing"), p + 1);
		progress_say(w->progress, w->from + (int)(pct * w->span / 100),
		    what);
		free(what);
	} else if (stream == 2 && (str_has_prefix(line, "E: ") ||
	    str_has_prefix(line, "dpkg: error"))) {
		strv_add(&w->errors, line);
	} else if (str_has_prefix(line, "Waiting for cache lock") &&
	    time(NULL) - w->said_wait >= 5 &&
	    (p = strstr(line, "held by process")) != NULL) {
		w->said_wait = time(NULL);
		what = xasprintf(_("waiting for the package manager (%s), up "
		    "to %d s"), p, APT_LOCK_WAIT);
		progress_say(w->progress, -1, what);
		free(what);
	}
}

/* Run apt-get ARGV, the gauge between FROM and FROM + SPAN percent. */
static int
apt_get(char *const *argv, struct watch *w, int from, int span,
    const char *doing, char **cause)
{
	struct buf out, err;
	struct run_opts ro = { .timeout = 3600, .err = &err, .env = quiet_env,
	    .on_line = on_apt_line, .line_arg = w };
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

/* /run/reboot-required, and the packages that asked for it. */
static void
reboot_needed(struct apt_upgrade *u)
{
	struct fs_file f;

	u->reboot = fs_exists("/", "/run/reboot-required");
	if (u->reboot && fs_read("/", "/run/reboot-required.pkgs", &f,
	    NULL) == 0 && f.exists) {
		struct strv names;

		strv_init(&names);
		split_list(f.data, &names);
		for (size_t i = 0; i < names.n; i++)
			if (!strv_contains(&u->reboot_by, names.v[i]))
				strv_add(&u->reboot_by, names.v[i]);
		strv_release(&names);
	}
	if (u->reboot)
		fs_file_release(&f);
}

int
apt_upgrade_run(const struct progress *progress, struct apt_upgrade *u,
    char **cause)
{
	char *lock = xasprintf("DPkg::Lock::Timeout=%d", APT_LOCK_WAIT);
	char *update[] = { "apt-get", "-q", "-o", lock, "update", NULL };
	char *upgrade[] = { "apt-get", "-y", "-q", "-o", lock,
	    "-o", "Dpkg::Options::=--force-confdef",
	    "-o", "Dpkg::Options::=--force-confold",
	    "-o", "APT::Status-Fd=2", "upgrade", "--with-new-pkgs", NULL };
	char *cloud[] = { "cloud-init", "status", "--wait", NULL };
	struct watch w = { .progress = progress };
	struct run_opts ro = { .timeout = 1800 };
	int status, r = -1;

	strv_init(&w.errors);
	/* At first boot cloud-init may still be installing packages. */
	if (fs_exists("/", "/usr/bin/cloud-init")) {
		progress_say(progress, 0, _("waiting for cloud-init to "
		    "finish"));
		(void)run_argv(cloud, &ro, NULL, &status, NULL);
	}
	if (apt_get(update, &w, 0, 10, _("refreshing the package lists"),
	    cause) != 0 || apt_upgrade_preview(&u->packages, cause) != 0)
		goto out;
	if (u->packages.n > 0 && apt_get(upgrade, &w, 10, 90,
	    _("upgrading"), cause) != 0)
		goto out;
	progress_say(progress, 100, _("done"));
	reboot_needed(u);
	r = 0;
out:
	strv_release(&w.errors);
	free(lock);
	return r;
}
