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
	struct strv lines;
	int r;

	strv_init(&lines);
	r = run_lines(argv, quiet_env, 300, &lines, cause);
	for (size_t i = 0; r == 0 && i < lines.n; i++)
		if (str_has_prefix(lines.v[i], "Inst "))
			simulated(lines.v[i], packages);
	strv_release(&lines);
	return r;
}

/*
 * APT::Status-Fd lines on standard error ("dlstatus:N:PCT:TEXT",
 * "pmstatus:PKG:PCT:TEXT") move the gauge; "Waiting for cache lock: ...
 * held by process N (NAME)" on standard output says who holds the lock.
 */
static void
on_apt_line(void *arg, int stream, const char *line)
{
	struct upgrade_watch *w = arg;
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

/* /run/reboot-required, and the packages that asked for it. */
static void
reboot_needed(struct upgrade *u)
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

#define STR(x)		#x
#define XSTR(x)		STR(x)
#define LOCK_WAIT	"DPkg::Lock::Timeout=" XSTR(APT_LOCK_WAIT)

static char *const update[] = { "apt-get", "-q", "-o", LOCK_WAIT, "update",
	NULL };
static char *const upgrade[] = { "apt-get", "-y", "-q", "-o", LOCK_WAIT,
	"-o", "Dpkg::Options::=--force-confdef",
	"-o", "Dpkg::Options::=--force-confold",
	"-o", "APT::Status-Fd=2", "upgrade", "--with-new-pkgs", NULL };

/* Status-Fd on standard error, the lock holder on standard output. */
static const struct upgrader apt_upgrader = {
	.refresh = update,
	.refreshing = N_("refreshing the package lists"),
	.upgrade = upgrade,
	.env = quiet_env,
	.err_apart = true,
	.on_line = on_apt_line,
	.preview = apt_upgrade_preview,
	.reboot = reboot_needed,
};

int
apt_upgrade_run(const struct progress *progress, struct upgrade *u,
    char **cause)
{
	return upgrade_all(&apt_upgrader, progress, u, cause);
}
