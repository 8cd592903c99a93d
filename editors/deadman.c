/*
 * deadman.c -- arming the dead-man timer. See deadman.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "i18n.h"
#include "deadman.h"
#include "fsutil.h"
#include "run.h"
#include "sysinfo.h"

#define EXPIRED_UNIT	"/etc/systemd/system/hardenwiz-expired.service"
#define EXPIRED_WANTS	\
	"/etc/systemd/system/multi-user.target.wants/hardenwiz-expired.service"

void
deadman_log(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	openlog("hardenwiz", LOG_PID, LOG_AUTHPRIV);
	syslog(LOG_WARNING, "%s", msg);
	closelog();
	fprintf(stderr, "hardenwiz: %s\n", msg);
	free(msg);
}

static char *
unit_name(const char *id)
{
	return xasprintf("hardenwiz-confirm-%s", id);
}

/*
 * The boot check: a pending transaction whose deadline passed while the
 * machine was down is rolled back before anyone logs in. Installed once,
 * outside any transaction (it is hardenwiz's own, like the journal), and
 * harmless when nothing is pending.
 */
static int
install_boot_check(const char *self, char **cause)
{
	char *text;
	int r;

	if (fs_exists("/", EXPIRED_UNIT) && fs_lexists("/", EXPIRED_WANTS))
		return 0;
	text = xasprintf("# Written by hardenwiz: roll back a pending change "
	    "whose confirmation\n# deadline passed while the machine was "
	    "down.\n[Unit]\nDescription=hardenwiz: roll back unconfirmed "
	    "changes past their deadline\nAfter=local-fs.target\n"
	    "Before=ssh.service sshd.service\n\n[Service]\nType=oneshot\n"
	    "ExecStart=%s --rollback-expired\n\n[Install]\n"
	    "WantedBy=multi-user.target\n", self);
	r = fs_write_atomic("/", EXPIRED_UNIT, text, strlen(text), 0644, 0, 0,
	    cause);
	free(text);
	if (r == 0 && !fs_lexists("/", EXPIRED_WANTS) &&
	    (fs_mkdir_p("/", "/etc/systemd/system/multi-user.target.wants",
	    0755, cause) != 0 || symlink(EXPIRED_UNIT, EXPIRED_WANTS) != 0))
		r = set_cause(cause, _("cannot enable %s: %s"), EXPIRED_UNIT,
		    strerror(errno));
	return r;
}

static int
arm_systemd(const char *self, const char *id, unsigned int secs,
    char **cause)
{
	char *unit = unit_name(id), *unitopt = xasprintf("--unit=%s", unit);
	char *active = xasprintf("--on-active=%u", secs);
	char *argv[] = { "systemd-run", "--quiet", unitopt, active,
	    "--timer-property=AccuracySec=1s", "--description=hardenwiz: "
	    "roll back unless confirmed", (char *)self, "--root", "/",
	    "--rollback-unconfirmed", (char *)id, NULL };
	int r = install_boot_check(self, cause);

	if (r == 0)
		r = run_checked(argv, NULL, NULL, cause);
	free(active);
	free(unitopt);
	free(unit);
	return r;
}

/*
 * A detached process (own session, SIGHUP ignored) that sleeps and rolls
 * back. Its exec is verified through a close-on-exec pipe: a failed fork
 * or exec (no memory, RLIMIT_NPROC) is an error here, not a timer that
 * never fires.
 */
static int
arm_process(const char *root, const char *self, const char *id,
    unsigned int secs, char **cause)
{
	char after[32];
	int pfd[2], err = 0, status;
	pid_t pid;
	ssize_t n;

	snprintf(after, sizeof after, "%u", secs);
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return set_cause(cause,
		    _("cannot start the rollback timer: %s"),
		    strerror(errno));
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		return set_cause(cause,
		    _("cannot start the rollback timer: %s"),
		    strerror(err));
	}
	if (pid == 0) {
		char *argv[] = { (char *)self, "--root", (char *)root,
		    "--rollback-unconfirmed", (char *)id, "--after", after,
		    NULL };
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		pid_t gc;
		sigset_t none;

		close(pfd[0]);
		/* The apply holds SIGTERM and friends: not the timer. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		signal(SIGHUP, SIG_IGN);
		if ((gc = fork()) != 0) {
			if (gc < 0) {
				err = errno;
				(void)!write(pfd[1], &err, sizeof err);
			}
			_exit(0);
		}
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(self, argv);
		err = errno;
		(void)!write(pfd[1], &err, sizeof err);
		_exit(127);
	}
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while ((n = read(pfd[0], &err, sizeof err)) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (n == (ssize_t)sizeof err)
		return set_cause(cause, _("cannot start the rollback timer "
		    "(%s): %s"), self, strerror(err));
	return 0;
}

int
deadman_arm(const char *root, const char *self, const char *id,
    unsigned int secs, char **how, char **cause)
{
	char *sd = run_which("systemd-run");
	int r;

	free(sd);
	if (sd != NULL && systemd_running(root)) {
		r = arm_systemd(self, id, secs, cause);
		*how = xasprintf("rollback timer: hardenwiz-confirm-%s.timer "
		    "(systemctl list-timers)", id);
	} else {
		r = arm_process(root, self, id, secs, cause);
		*how = xasprintf("rollback timer: a background hardenwiz "
		    "process");
	}
	if (r != 0) {
		free(*how);
		*how = NULL;
	}
	return r;
}

/*
 * Is CMDLINE (NUL-separated, LEN bytes) the watcher arm_process starts for
 * ID under ROOT: SELF --root ROOT --rollback-unconfirmed ID --after N?
 */
static bool
is_watcher(const char *cmdline, size_t len, const char *root, const char *id)
{
	const char *want[] = { NULL, "--root", root, "--rollback-unconfirmed",
	    id, "--after" };
	size_t off = 0;

	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		if (off >= len)
			return false;
		if (want[i] != NULL && strcmp(cmdline + off, want[i]) != 0)
			return false;
		off += strlen(cmdline + off) + 1;
	}
	return true;
}

/*
 * The background watchers of ID (arm_process) end now: a transaction
 * confirmed or rolled back needs no timer, and one left asleep would look
 * armed to the admin. Found by their argv in /proc; never this process,
 * which may be the watcher rolling back.
 */
static void
stop_watchers(const char *root, const char *id)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *path, *data = NULL;
		size_t len = 0;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid == (long)getpid())
			continue;
		path = xasprintf("/proc/%s/cmdline", de->d_name);
		/* The kernel ends the last argument with a NUL. */
		if (fs_slurp(path, &data, &len, NULL) == 0 &&
		    is_watcher(data, len, root, id))
			(void)kill((pid_t)pid, SIGTERM);
		free(data);
		free(path);
	}
	closedir(d);
}

void
deadman_disarm(const char *root, const char *id)
{
	char *unit = unit_name(id), *timer = xasprintf("%s.timer", unit);
	char *argv[] = { "systemctl", "stop", timer, NULL };
	char *sd = run_which("systemctl");
	int status;

	if (sd != NULL && systemd_running(root))
		(void)run_argv(argv, NULL, NULL, &status, NULL);
	stop_watchers(root, id);
	free(sd);
	free(timer);
	free(unit);
}
