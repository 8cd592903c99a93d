/*
 * sshd/lockout.h -- the lockout guard. A plan that makes logging in
 * stricter (password login off, root login restricted) is refused (exit 4)
 * unless an account that may log in is left with a way in we can prove: a
 * usable key in a file sshd reads (AuthorizedKeysFile, StrictModes,
 * AllowUsers and DenyUsers as sshd applies them), or a usable password
 * where passwords stay on.
 */
#ifndef HW_SSHD_LOCKOUT_H
#define HW_SSHD_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>

#include <augeas.h>

#include "daemon.h"
#include "plan.h"
#include "sshd/check.h"
#include "sysinfo.h"

/* How sshd lets people in. */
struct sshd_policy {
	bool	 password;	/* password or keyboard-interactive login */
	bool	 pubkey;
	char	*rootlogin;
	char	*akfile;
	char	*allow;
	char	*deny;
	bool	 strict;
};
/* Per the configuration in the Augeas tree. */
void	 sshd_policy_load(augeas *, struct sshd_policy *);
/* Per sshd -T's global values. */
void	 sshd_policy_view(const struct sshd_view *, struct sshd_policy *);
void	 sshd_policy_release(struct sshd_policy *);

/* AuthorizedKeysFile entries (AKFILE) for AC, as paths inside the root. */
void	 sshd_key_files(const char *akfile, const struct account *ac,
	    struct strv *out);
/*
 * Accounts that could still log in under LP after P (its planned key
 * files count), one line each into FOUND ("alice (1 key)"); their number.
 */
size_t	 sshd_ways_in(struct plan *p, const struct accounts *,
	    const struct sshd_policy *lp, struct strv *found);
/*
 * Compare BEFORE with the policy the tree now holds; when login got
 * stricter and nobody would be left with a way in, set P's refusal.
 */
void	 sshd_lockout_guard(augeas *, struct plan *p,
	    const struct sshd_policy *before);

#endif
