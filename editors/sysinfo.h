/*
 * sysinfo.h -- facts about the target system read from files under the root
 * (never from the running machine when the root is not "/"): accounts,
 * password state, distribution, service names.
 */
#ifndef HW_SYSINFO_H
#define HW_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct account {
	char	*name;
	uid_t	 uid;
	gid_t	 gid;
	char	*home;
	char	*shell;
};

struct accounts {
	struct account	*v;
	size_t		 n;
};

int	 accounts_load(const char *root, struct accounts *, char **cause);
/*
 * The name of user or group ID in ROOT's FILE (/etc/passwd, /etc/group):
 * under --root the root's own names, never this machine's. 0, or -1 when
 * there is none.
 */
int	 id_name(const char *root, const char *file, unsigned id, char *out,
	    size_t len);
void	 accounts_release(struct accounts *);
const struct account *accounts_find(const struct accounts *, const char *);
/* A shell one can log in with (not nologin, false, sync ...). */
bool	 account_has_login_shell(const struct account *);
/* 1: a usable password hash in /etc/shadow; 0: locked or none; -1: unknown. */
int	 account_password_usable(const char *root, const char *name);

enum os_family { OS_UNKNOWN, OS_DEBIAN, OS_RHEL };

struct osinfo {
	enum os_family	 family;
	char		*id;		/* "debian", "ubuntu", "rocky" */
	char		*version_id;
	char		*pretty;
};

/* From ROOT/etc/os-release, else ROOT/usr/lib/os-release (never merged). */
void	 osinfo_load(const char *root, struct osinfo *);
void	 osinfo_release(struct osinfo *);

/* A unit file UNIT ("ssh.service") is installed under ROOT. */
bool	 systemd_unit_exists(const char *root, const char *unit);
/* SELinux is enforcing or permissive per ROOT/etc/selinux/config. */
bool	 selinux_enabled(const char *root);
/*
 * Plan installing a package: DEB with apt-get on the Debian family, RPM
 * with dnf on the RHEL family (NULL: not packaged there, an error), undone
 * by removing it.
 */
struct plan;
int	 plan_package(struct plan *, const char *step, const struct osinfo *,
	    const char *deb, const char *rpm, const char *why, char **cause);

/* On a live root, the pid file PATH names a running process. */
bool	 pidfile_alive(const char *root, const char *path);

/* systemd is the running init of this (live) system. */
bool	 systemd_running(const char *root);

#endif
