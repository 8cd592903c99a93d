/*
 * apt/apt.h -- APT's configuration as APT reads it: "apt-config dump" run
 * on a copy of ROOT/etc/apt (the candidates written in), so the daemon's
 * own parser judges a change and answers what is in effect, including
 * every apt.conf.d file an admin or a package added. The checker also
 * runs "unattended-upgrade --dry-run" on a live system after apply.
 */
#ifndef HW_APT_H
#define HW_APT_H

#include <stdbool.h>

#include "checker.h"
#include "plan.h"
#include "util.h"

#define APT_DIR		"/etc/apt"
/* The file hardenwiz owns: read after 20auto-upgrades and 50unattended-. */
#define APT_UPDATES_FILE	"/etc/apt/apt.conf.d/52hardenwiz-updates"

/*
 * "apt-config dump" of ROOT's APT configuration, with PLAN's candidate
 * files when PLAN is not NULL, into OUT. -1 with *CAUSE when APT rejects
 * it (*REJECTED set) or cannot be run. Without a PLAN, the run
 * apt_dump_early started in E is taken when there is one (E may be NULL).
 */
struct early;
int	 apt_dump(const char *root, const struct plan *, struct early *,
	    struct buf *out, bool *rejected, char **cause);
/* Start an audit's apt_dump (no PLAN) in E, to be taken by apt_dump. */
void	 apt_dump_early(const char *root, struct early *);
/* The value of scalar KEY in DUMP (caller frees), or NULL. */
char	*apt_dump_value(const char *dump, const char *key);
/* The values of list KEY ("KEY:: "v";" lines) in DUMP into VALUES. */
void	 apt_dump_list(const char *dump, const char *key, struct strv *values);
/* unattended-upgrades is installed under ROOT. */
bool	 apt_unattended_present(const char *root);

extern const struct checker apt_checker;

#endif
