/*
 * systemd/units.c -- unit states and turning units off. See units.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sysinfo.h"
#include "systemd/units.h"

/* "Key=value" lines of systemctl show: VALUE of KEY, or "". */
static const char *
show_value(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	buf[0] = '\0';
	for (const char *l = text; l != NULL && *l != '\0';
	    l = strchr(l, '\n') != NULL ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");

		if (n > klen && strncmp(l, key, klen) == 0 && l[klen] == '=') {
			n -= klen + 1;
			if (n >= len)
				n = len - 1;
			memcpy(buf, l + klen + 1, n);
			buf[n] = '\0';
			break;
		}
	}
	return buf;
}

static int
live_state(const char *unit, struct unit_state *st, char **cause)
{
	char *argv[] = { "systemctl", "show", "--property=LoadState,"
	    "UnitFileState,ActiveState", "--", (char *)unit, NULL };
	struct run_opts ro = { .timeout = 30 };
	struct buf out;
	char load[32], file[32], active[32];

	buf_init(&out);
	if (run_checked(argv, &ro, &out, cause) != 0) {
		buf_release(&out);
		return -1;
	}
	show_value(out.data, "LoadState", load, sizeof load);
	show_value(out.data, "UnitFileState", file, sizeof file);
	show_value(out.data, "ActiveState", active, sizeof active);
	st->masked = strcmp(load, "masked") == 0;
	st->exists = st->masked || strcmp(load, "loaded") == 0;
	st->enabled = strcmp(file, "enabled") == 0;
	st->active = strcmp(active, "active") == 0 || strcmp(active,
	    "activating") == 0 || strcmp(active, "reloading") == 0;
	buf_release(&out);
	return 0;
}

/* An enable link of UNIT in one of ROOT's *.wants directories. */
static bool
enable_link(const char *root, const char *unit)
{
	struct strv dirs;
	bool found = false;

	strv_init(&dirs);
	(void)fs_list(root, "/etc/systemd/system", &dirs, NULL);
	for (size_t i = 0; i < dirs.n && !found; i++) {
		char *link;

		if (!str_has_suffix(dirs.v[i], ".wants"))
			continue;
		link = xasprintf("/etc/systemd/system/%s/%s", dirs.v[i], unit);
		found = fs_lexists(root, link);
		free(link);
	}
	strv_release(&dirs);
	return found;
}

int
unit_state(const char *root, bool live, const char *unit,
    struct unit_state *st, char **cause)
{
	char *mask;

	memset(st, 0, sizeof *st);
	if (live)
		return live_state(unit, st, cause);
	mask = xasprintf("/etc/systemd/system/%s", unit);
	/* A mask is a link to /dev/null, which the root may not have. */
	st->masked = fs_lexists(root, mask) && !fs_exists(root, mask);
	free(mask);
	st->exists = st->masked || systemd_unit_exists(root, unit);
	st->enabled = st->exists && enable_link(root, unit);
	return 0;
}

bool
unit_service_or_socket(const char *name)
{
	return (str_has_suffix(name, ".service") && strlen(name) > 8) ||
	    (str_has_suffix(name, ".socket") && strlen(name) > 7);
}

char *
unit_of_pid(const char *root, const char *pid)
{
	char *path = xasprintf("/proc/%s/cgroup", pid), *unit = NULL;
	char *line, *save = NULL, *leaf;
	struct fs_file f;

	if (fs_read(root, path, &f, NULL) == 0 && f.exists) {
		/* cgroup v2 "0::/system.slice/cups.service"; v1 has the
		   same path after the name=systemd hierarchy. */
		for (line = strtok_r(f.data, "\n", &save); line != NULL &&
		    unit == NULL; line = strtok_r(NULL, "\n", &save))
			if ((str_has_prefix(line, "0::") || strstr(line,
			    ":name=systemd:") != NULL) &&
			    (leaf = strrchr(line, '/')) != NULL &&
			    unit_service_or_socket(leaf + 1))
				unit = xstrdup(leaf + 1);
	}
	fs_file_release(&f);
	free(path);
	return unit;
}

/* Process PID maps a program or library deleted from the system's own trees. */
static bool
runs_replaced(const char *pid)
{
	static const char *const trees[] = { "/usr/", "/lib", "/bin/",
	    "/sbin/" };
	char *path = xasprintf("/proc/%s/maps", pid), *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool yes = false;
	FILE *f = fopen(path, "re");

	free(path);
	if (f == NULL)
		return false;
	while (!yes && (n = getline(&line, &cap, f)) > 0) {
		const char *file = strchr(line, '/');

		if (file == NULL || !str_has_suffix(line, " (deleted)\n"))
			continue;
		for (size_t i = 0; i < nitems(trees) && !yes; i++)
			yes = str_has_prefix(file, trees[i]);
	}
	free(line);
	fclose(f);
	return yes;
}

void
units_running_replaced(struct strv *units, size_t *others)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	*others = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		char *unit;

		if (e->d_name[strspn(e->d_name, "0123456789")] != '\0' ||
		    !runs_replaced(e->d_name))
			continue;
		if ((unit = unit_of_pid("/", e->d_name)) == NULL)
			(*others)++;
		else if (!strv_contains(units, unit))
			strv_add(units, unit);
		free(unit);
	}
	if (d != NULL)
		closedir(d);
}

/* The parent of process PID, from /proc/PID/status; NULL at the top. */
static char *
parent_of(const char *root, const char *pid)
{
	char *path = xasprintf("/proc/%s/status", pid), *ppid = NULL;
	struct fs_file f;
	const char *p;

	if (fs_read(root, path, &f, NULL) == 0 && f.exists &&
	    (p = strstr(f.data, "\nPPid:")) != NULL) {
		p += strlen("\nPPid:");
		p += strspn(p, " \t");
		ppid = xstrndup(p, strspn(p, "0123456789"));
		if (ppid[0] == '\0' || strcmp(ppid, "0") == 0) {
			free(ppid);
			ppid = NULL;
		}
	}
	fs_file_release(&f);
	free(path);
	return ppid;
}

void
units_of_session(const char *root, struct strv *units)
{
	char *pid = xasprintf("%ld", (long)getpid());

	/* PID 1 is systemd itself: its cgroup is no service. */
	for (int depth = 0; pid != NULL && depth < 64 && strcmp(pid, "1") != 0;
	    depth++) {
		char *unit = unit_of_pid(root, pid), *next;

		if (unit != NULL && !strv_contains(units, unit))
			strv_add(units, unit);
		free(unit);
		next = parent_of(root, pid);
		free(pid);
		pid = next;
	}
	free(pid);
}

void
unit_plan_off(struct plan *p, const char *step, const char *unit,
    const struct unit_state *st, bool mask)
{
	char *off[] = { "systemctl", "disable", "--now", (char *)unit,
	    NULL };
	char *stop[] = { "systemctl", "stop", (char *)unit, NULL };
	char *on[] = { "systemctl", "enable", "--now", (char *)unit,
	    NULL };
	char *enable[] = { "systemctl", "enable", (char *)unit, NULL };
	char *start[] = { "systemctl", "start", (char *)unit, NULL };
	char *masks[] = { "systemctl", "mask", (char *)unit, NULL };
	char *unmask[] = { "systemctl", "unmask", (char *)unit, NULL };

	/* The inverse gives back exactly what was: enabled, running, both. */
	if (st->enabled)
		plan_command(p, step, off, st->active ? on : enable,
		    _("stop it and keep it from starting at boot"));
	else if (st->active)
		plan_command(p, step, stop, start, _("stop it"));
	if (mask && !st->masked)
		plan_command(p, step, masks, unmask, _("nothing may start it "
		    "again, not even another unit or a socket"));
}
