/*
 * sshd/service.c -- making sshd read a new configuration. See service.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sshd/config.h"
#include "sshd/service.h"

#define SOCKET_DROPIN_DIR "/etc/systemd/system/ssh.socket.d"
#define SOCKET_DROPIN	SOCKET_DROPIN_DIR "/00-hardenwiz.conf"

/* "ssh" (Debian, Ubuntu) or "sshd" (RHEL), from the unit files. */
static const char *
service_name(const char *root, const struct osinfo *os)
{
	if (systemd_unit_exists(root, "ssh.service"))
		return "ssh";
	if (systemd_unit_exists(root, "sshd.service"))
		return "sshd";
	return os->family == OS_RHEL ? "sshd" : "ssh";
}

/* ssh.socket is enabled (Ubuntu >= 22.10 socket activation). */
static bool
socket_enabled(const char *root)
{
	return fs_lexists(root,
	    "/etc/systemd/system/sockets.target.wants/ssh.socket");
}

/*
 * With SELinux on, sshd may only bind ports labelled ssh_port_t: label the
 * new one before sshd is reloaded, or it cannot listen (platform notes S5).
 */
static void
plan_selinux_port(struct plan *p, const char *step, const char *port)
{
	char *add[] = { "semanage", "port", "-a", "-t", "ssh_port_t", "-p",
	    "tcp", (char *)port, NULL };
	char *del[] = { "semanage", "port", "-d", "-t", "ssh_port_t", "-p",
	    "tcp", (char *)port, NULL };
	char *tool;

	if (strcmp(port, "22") == 0 || !selinux_enabled(p->root))
		return;
	tool = run_which("semanage");
	if (tool == NULL && !p->offline)
		plan_refuse(p, true, _("refusing to move sshd to port %s: "
		    "SELinux is on and semanage is missing, so sshd could not "
		    "listen there. Install it first (dnf install "
		    "policycoreutils-python-utils)"), port);
	free(tool);
	plan_command(p, step, add, del, _("SELinux lets sshd listen on "
	    "the new port"));
}

int
sshd_plan_reload(struct plan *p, const char *step, augeas *aug,
    const struct osinfo *os, const char *port_changed, char **cause)
{
	const char *unit = service_name(p->root, os);

	if (port_changed != NULL)
		plan_selinux_port(p, step, port_changed);

	if (port_changed != NULL && socket_enabled(p->root)) {
		/* ssh.socket owns the port: sshd_config's Port is not used. */
		char *text = xasprintf("# Written by hardenwiz: the socket "
		    "listens on the SSH port.\n[Socket]\nListenStream=\n"
		    "ListenStream=%s\n", port_changed);
		char *argv1[] = { "systemctl", "daemon-reload", NULL };
		char *argv2[] = { "systemctl", "restart", "ssh.socket", NULL };

		int r;

		if (!fs_exists(p->root, SOCKET_DROPIN_DIR))
			plan_mkdir(p, step, SOCKET_DROPIN_DIR, 0755, 0, 0);
		r = plan_file(p, step, SOCKET_DROPIN, text, strlen(text),
		    0644, 0, 0, NULL, cause);
		free(text);
		if (r != 0)
			return -1;
		plan_command(p, step, argv1, argv1, _("systemd rereads the "
		    "socket unit"));
		plan_command(p, step, argv2, argv2, _("ssh.socket listens on "
		    "the new port"));
	}
	if (p->offline || systemd_running(p->root)) {
		char *argv[] = { "systemctl", "try-reload-or-restart",
		    (char *)unit, NULL };

		plan_command(p, step, argv, argv, _("sshd rereads its "
		    "configuration; open sessions stay"));
		return 0;
	}
	{
		/* No systemd (a container): signal sshd through its pid file. */
		char *pidfile = sshd_effective(aug, &sshd_kw_pidfile);
		struct fs_file f;

		if (fs_read(p->root, pidfile, &f, NULL) == 0 && f.exists) {
			char *pid = xstrndup(f.data, strcspn(f.data, "\n"));
			char *argv[] = { "kill", "-HUP", pid, NULL };

			plan_command(p, step, argv, argv, _("sshd rereads its "
			    "configuration; open sessions stay"));
			free(pid);
		} else
			plan_note(p, _("sshd is not running: the new settings "
			    "apply when it starts"));
		fs_file_release(&f);
		free(pidfile);
	}
	return 0;
}
