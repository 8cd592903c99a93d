/*
 * sysinfo.c -- passwd, shadow and os-release parsing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "plan.h"
#include "sysinfo.h"
#include "util.h"

/* Split LINE on ':' into at most N fields (pointers into LINE). */
static size_t
fields(char *line, char **f, size_t n)
{
	size_t k = 0;

	while (k < n) {
		f[k++] = line;
		line = strchr(line, ':');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return k;
}

int
accounts_load(const char *root, struct accounts *a, char **cause)
{
	struct fs_file f;
	char *line, *save = NULL;

	a->v = NULL;
	a->n = 0;
	if (fs_read(root, "/etc/passwd", &f, cause) != 0)
		return -1;
	for (line = f.exists ? strtok_r(f.data, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *fl[7];
		struct account *ac;

		if (line[0] == '#' || fields(line, fl, 7) != 7)
			continue;
		a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
		ac = &a->v[a->n++];
		ac->name = xstrdup(fl[0]);
		ac->uid = (uid_t)strtoul(fl[2], NULL, 10);
		ac->gid = (gid_t)strtoul(fl[3], NULL, 10);
		ac->home = xstrdup(fl[5]);
		ac->shell = xstrdup(fl[6]);
	}
	fs_file_release(&f);
	return 0;
}

int
id_name(const char *root, const char *file, unsigned id, char *out,
    size_t len)
{
	struct fs_file f;
	char *line, *save = NULL;
	int r = -1;

	if (fs_read(root, file, &f, NULL) != 0)
		return -1;
	for (line = f.exists ? strtok_r(f.data, "\n", &save) : NULL;
	    line != NULL && r != 0; line = strtok_r(NULL, "\n", &save)) {
		char *fl[3], *end;
		unsigned long v;

		if (line[0] == '#' || fields(line, fl, 3) != 3)
			continue;
		v = strtoul(fl[2], &end, 10);
		if (end != fl[2] && *end == '\0' && v == id) {
			snprintf(out, len, "%s", fl[0]);
			r = 0;
		}
	}
	fs_file_release(&f);
	return r;
}

void
accounts_release(struct accounts *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].home);
		free(a->v[i].shell);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const struct account *
accounts_find(const struct accounts *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	}
	return NULL;
}

bool
account_has_login_shell(const struct account *ac)
{
	static const char *const no[] = { "nologin", "false", "sync",
	    "shutdown", "halt", NULL };
	const char *base = strrchr(ac->shell, '/');

	if (ac->shell[0] == '\0')
		return true;	/* empty means /bin/sh */
	base = base != NULL ? base + 1 : ac->shell;
	for (size_t i = 0; no[i] != NULL; i++) {
		if (strcmp(base, no[i]) == 0)
			return false;
	}
	return true;
}

int
account_password_usable(const char *root, const char *name)
{
	struct fs_file f;
	char *line, *save = NULL;
	int r = -1;

	if (fs_read(root, "/etc/shadow", &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		return -1;
	}
	for (line = strtok_r(f.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *fl[3];

		if (fields(line, fl, 3) < 2 || strcmp(fl[0], name) != 0)
			continue;
		/* "", "!...", "*": no password login. */
		r = fl[1][0] != '\0' && fl[1][0] != '!' && fl[1][0] != '*';
		break;
	}
	fs_file_release(&f);
	return r;
}

/* os-release value: quotes removed, backslash escapes applied. */
static char *
unquote(const char *v)
{
	struct buf b;
	char q = 0;

	buf_init(&b);
	if (*v == '"' || *v == '\'')
		q = *v++;
	for (; *v != '\0' && *v != q; v++) {
		if (*v == '\\' && q == '"' && v[1] != '\0')
			v++;
		buf_add(&b, v, 1);
	}
	return buf_detach(&b, NULL);
}

void
osinfo_load(const char *root, struct osinfo *os)
{
	struct fs_file f;
	char *line, *save = NULL, *like = NULL;

	memset(os, 0, sizeof *os);
	if (fs_read(root, "/etc/os-release", &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		(void)fs_read(root, "/usr/lib/os-release", &f, NULL);
	}
	for (line = f.exists ? strtok_r(f.data, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(line, "ID") == 0)
			os->id = unquote(eq + 1);
		else if (strcmp(line, "ID_LIKE") == 0)
			like = unquote(eq + 1);
		else if (strcmp(line, "VERSION_ID") == 0)
			os->version_id = unquote(eq + 1);
		else if (strcmp(line, "PRETTY_NAME") == 0)
			os->pretty = unquote(eq + 1);
	}
	fs_file_release(&f);
	{
		char *all = xasprintf(" %s %s ", os->id ? os->id : "",
		    like ? like : "");

		if (strstr(all, " debian ") || strstr(all, " ubuntu "))
			os->family = OS_DEBIAN;
		else if (strstr(all, " rhel ") || strstr(all, " fedora ") ||
		    strstr(all, " centos "))
			os->family = OS_RHEL;
		free(all);
	}
	free(like);
}

void
osinfo_release(struct osinfo *os)
{
	free(os->id);
	free(os->version_id);
	free(os->pretty);
	memset(os, 0, sizeof *os);
}

bool
systemd_unit_exists(const char *root, const char *unit)
{
	static const char *const dirs[] = { "/etc/systemd/system",
	    "/usr/lib/systemd/system", "/lib/systemd/system", NULL };

	for (size_t i = 0; dirs[i] != NULL; i++) {
		char *p = xasprintf("%s/%s", dirs[i], unit);
		bool found = fs_exists(root, p);

		free(p);
		if (found)
			return true;
	}
	return false;
}

bool
systemd_running(const char *root)
{
	return strcmp(root, "/") == 0 && fs_exists(root,
	    "/run/systemd/system");
}

bool
selinux_enabled(const char *root)
{
	struct fs_file f;
	char *line, *save = NULL;
	bool on = false;

	if (fs_read(root, "/etc/selinux/config", &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		return false;
	}
	for (line = strtok_r(f.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (str_has_prefix(line, "SELINUX="))
			on = strcmp(line + 8, "enforcing") == 0 ||
			    strcmp(line + 8, "permissive") == 0;
	}
	fs_file_release(&f);
	return on;
}

int
plan_package(struct plan *p, const char *step, const struct osinfo *os,
    const char *deb, const char *rpm, const char *why, char **cause)
{
	bool rhel = os->family == OS_RHEL;
	const char *name = rhel ? rpm : deb;
	char *install[] = { rhel ? "dnf" : "apt-get", "install", "-y",
	    (char *)name, NULL };
	char *remove[] = { rhel ? "dnf" : "apt-get", "remove", "-y",
	    (char *)name, NULL };

	if (name == NULL)
		return set_cause(cause, _("%s is needed and is not packaged "
		    "for %s: install it yourself"), rhel ? deb : rpm,
		    os->pretty != NULL ? os->pretty : os->id);
	if (!plan_has_command(p, install))
		plan_command(p, step, install, remove, why);
	return 0;
}

bool
pidfile_alive(const char *root, const char *path)
{
	struct fs_file f;
	long pid = 0;

	if (strcmp(root, "/") != 0)
		return false;
	if (fs_read(root, path, &f, NULL) == 0 && f.exists)
		pid = strtol(f.data, NULL, 10);
	fs_file_release(&f);
	return pid > 1 && kill((pid_t)pid, 0) == 0;
}
