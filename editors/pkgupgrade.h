/*
 * pkgupgrade.h -- what upgrading every package did, as the package manager
 * that did it tells (apt/upgrade.c, dnf/upgrade.c): the step that asked
 * for it reports the same facts whichever it was.
 */
#ifndef HW_PKGUPGRADE_H
#define HW_PKGUPGRADE_H

#include <stdbool.h>
#include <time.h>

#include "progress.h"
#include "util.h"

struct upgrade {
	struct strv	packages;	/* "NAME OLD -> NEW", "NAME (new) NEW" */
	int		reboot;		/* needed: 1, not: 0, cannot tell: -1 */
	struct strv	reboot_by;	/* the packages that need it */
	/* The admin's configuration file kept, the package's beside it. */
	struct strv	kept;		/* "/etc/x.rpmnew" */
};

static inline void
upgrade_init(struct upgrade *u)
{
	strv_init(&u->packages);
	u->reboot = 0;
	strv_init(&u->reboot_by);
	strv_init(&u->kept);
}

static inline void
upgrade_release(struct upgrade *u)
{
	strv_release(&u->packages);
	strv_release(&u->reboot_by);
	strv_release(&u->kept);
}

/*
 * What one run of a package manager says, as it says it: its line hook
 * moves the gauge between FROM and FROM + SPAN percent, collects its
 * error lines and what U should know (a kept configuration file).
 */
struct upgrade_watch {
	const struct progress	*progress;
	int			 from, span;
	struct strv		 errors;
	time_t			 said_wait;	/* a lock wait last said */
	struct upgrade		*u;
};

/* A package manager, as a table: apt/upgrade.c, dnf/upgrade.c. */
struct upgrader {
	char *const	*refresh;	/* apt-get update, dnf makecache */
	const char	*refreshing;	/* N_("refreshing the package lists") */
	char *const	*upgrade;	/* the upgrade of every package */
	const char *const *env;		/* added to both runs' environment */
	bool		 err_apart;	/* their standard error apart */
	/* Each line either prints, with the struct upgrade_watch. */
	void		(*on_line)(void *, int stream, const char *line);
	/* What the upgrade will do, "NAME OLD -> NEW" each. */
	int		(*preview)(struct strv *packages, char **cause);
	/* After it: whether a reboot is needed, and for what. */
	void		(*reboot)(struct upgrade *);
};

/*
 * Upgrade every package with M: wait for cloud-init (first boot), refresh
 * (the gauge's first tenth), list what will change into U, upgrade (the
 * rest), then ask about the reboot. A run that fails: -1 with *CAUSE
 * "'ARGV' failed (exit N): " and its error lines (else its output).
 */
int	 upgrade_all(const struct upgrader *m, const struct progress *,
	    struct upgrade *u, char **cause);

#endif
