/*
 * apt/upgrade.h -- every package upgraded now, as an admin would by hand
 * but with nothing that can stop at a question: apt-get under
 * DEBIAN_FRONTEND=noninteractive, the admin's version of a changed
 * configuration file kept (--force-confdef --force-confold and
 * UCF_FORCE_CONFFOLD: an edited sshd_config stays, gotcha S10), the dpkg
 * lock waited for with a message (first boot: apt-daily, cloud-init; O3).
 * Live only. Not part of a transaction: no rollback undoes an upgrade.
 */
#ifndef HW_APT_UPGRADE_H
#define HW_APT_UPGRADE_H

#include <stdbool.h>

#include "progress.h"
#include "pkgupgrade.h"
#include "util.h"

/* How long the dpkg lock is waited for, in seconds. */
#define APT_LOCK_WAIT	600

/*
 * What "apt-get upgrade --with-new-pkgs" would do with the package lists
 * as they are now (apt-get -s), into PACKAGES. Changes nothing.
 */
int	apt_upgrade_preview(struct strv *packages, char **cause);
/*
 * Refresh the package lists and upgrade every package, saying how far it
 * is through PROGRESS (may be NULL); what was upgraded and whether a
 * reboot is needed (/run/reboot-required and its .pkgs) into U. -1 with *CAUSE (apt's own words) on failure.
 */
int	apt_upgrade_run(const struct progress *, struct upgrade *u,
	    char **cause);

#endif
