/*
 * rspamd/rspamd.h -- Rspamd, the spam filter Postfix asks as a milter: its
 * proxy worker, in milter mode on localhost:11332 in the rspamd.conf the
 * package ships. Settings go in local.d files, which Rspamd merges over
 * its own. The checker is Rspamd's: "rspamadm configtest" on a staged
 * copy of /etc/rspamd (CONFDIR and LOCAL_CONFDIR pointed at it); after
 * apply, the proxy must answer as a milter again.
 */
#ifndef HW_RSPAMD_H
#define HW_RSPAMD_H

#include <stdbool.h>

#include "checker.h"
#include "plan.h"

#define RSPAMD_DIR	"/etc/rspamd"
#define RSPAMD_LOCAL	"/etc/rspamd/local.d"
/* The proxy worker as Postfix names a milter (Postfix's chroot too). */
#define RSPAMD_MILTER	"inet:127.0.0.1:11332"

/* Rspamd is installed under ROOT. */
bool	 rspamd_present(const char *root);
/*
 * Plan Rspamd to read its files again, last, for STEP (and again after a
 * rollback has restored them), with the probe that it then answers
 * Postfix as a milter.
 */
void	 rspamd_plan_reload(struct plan *, const char *step);

extern const struct checker rspamd_checker;
/* Probe: the milter at KEY accepts a connection. */
extern const struct expect_kind rspamd_listening;

#endif
