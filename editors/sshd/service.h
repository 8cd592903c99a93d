/*
 * sshd/service.h -- making sshd read a new configuration: a reload that
 * keeps open sessions (systemctl, or SIGHUP through the pid file where no
 * systemd runs), ssh.socket's own port where socket activation owns it,
 * and the SELinux port label a new port needs.
 */
#ifndef HW_SSHD_SERVICE_H
#define HW_SSHD_SERVICE_H

#include <augeas.h>

#include "daemon.h"
#include "plan.h"
#include "sysinfo.h"

/*
 * Plan, as STEP's, what makes sshd read the configuration in AUG;
 * PORT_CHANGED is the new port when the plan moves sshd, else NULL.
 */
int	 sshd_plan_reload(struct plan *, const char *step, augeas *aug,
	    const struct osinfo *, const char *port_changed, char **cause);

#endif
