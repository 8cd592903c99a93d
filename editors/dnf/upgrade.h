/*
 * dnf/upgrade.h -- every package upgraded now on the RHEL family, as an
 * admin would with "dnf upgrade", with nothing that can stop at a
 * question: -y, and rpm never asks about a changed configuration file
 * (it keeps the admin's and writes the package's beside it as .rpmnew,
 * which is reported). A dnf that holds the lock is waited for (dnf does)
 * and named. Whether a reboot is needed is "dnf needs-restarting -r"'s
 * answer (dnf-plugins-core). Live only; no rollback undoes an upgrade.
 */
#ifndef HW_DNF_UPGRADE_H
#define HW_DNF_UPGRADE_H

#include "daemon.h"
#include "pkgupgrade.h"
#include "progress.h"
#include "util.h"

/*
 * What "dnf upgrade" would do with the metadata as cached now (dnf -C
 * repoquery --upgrades), "NAME OLD -> NEW" into PACKAGES. Changes nothing; with
 * no cache yet, *NO_CACHE is set and PACKAGES stays empty.
 */
int	dnf_upgrade_preview(struct strv *packages, bool *no_cache,
	    char **cause);
/*
 * Refresh the metadata and upgrade every package, saying how far it is
 * through PROGRESS (may be NULL); what was upgraded, the .rpmnew files
 * and whether a reboot is needed into U. -1 with *CAUSE on failure.
 */
int	dnf_upgrade_run(const struct progress *, struct upgrade *u,
	    char **cause);

/*
 * One "NAME.ARCH EVR REPO" line of repoquery into PACKAGES, the old
 * version from INSTALLED ("NAME.ARCH VERSION-RELEASE" each).
 */
void	dnf_upgradable_line(const char *line, const struct strv *installed,
	    struct strv *packages);

#endif
