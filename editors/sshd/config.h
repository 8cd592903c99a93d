/*
 * sshd/config.h -- sshd's configuration the way sshd reads it, and the
 * edits that keep it unambiguous.
 *
 * sshd keeps the FIRST value it reads for a keyword, and Debian, Ubuntu and
 * RHEL include sshd_config.d/[*].conf at the top of sshd_config, so a
 * drop-in (cloud-init's 50-cloud-init.conf, Anaconda's
 * 01-permitrootlogin.conf) beats the main file. The walk follows Include
 * lines in sshd's order over the Augeas tree, so files a plan creates are
 * seen too; Match blocks are not global and are left out.
 */
#ifndef HW_SSHD_CONFIG_H
#define HW_SSHD_CONFIG_H

#include <stdbool.h>

#include "augsession.h"
#include "daemon.h"
#include "sshd/check.h"
#include "util.h"

#define SSHD_MAIN	"/etc/ssh/sshd_config"
#define SSHD_DROPIN_DIR	"/etc/ssh/sshd_config.d"
#define SSHD_DROPIN	SSHD_DROPIN_DIR "/00-hardenwiz.conf"

/*
 * The files a step editing sshd's configuration, or reading it in a plan,
 * loads. Audits read it through sshd_now (now.h) instead.
 */
#define SSHD_AUG_FILES \
	{ "Sshd.lns", SSHD_MAIN, 0644, &sshd_checker, NULL, true }, \
	{ "Sshd.lns", SSHD_DROPIN_DIR "/*.conf", 0644, &sshd_checker, \
	  NULL, true }

/* An sshd keyword: canonical name, spellings that mean it, default. */
struct sshd_keyword {
	const char	*name;
	const char	*spellings;	/* '|'-separated, case-insensitive */
	const char	*dflt;		/* OpenSSH 9 default */
};

extern const struct sshd_keyword sshd_kw_port, sshd_kw_password,
    sshd_kw_kbd, sshd_kw_rootlogin, sshd_kw_akfile, sshd_kw_strict,
    sshd_kw_pubkey, sshd_kw_allowusers, sshd_kw_denyusers, sshd_kw_pidfile;

/* One global line of the configuration. */
struct sshd_occurrence {
	char	*file;		/* path inside the root */
	char	*node;		/* Augeas path */
	char	*label;		/* as written */
	char	*value;		/* list keys (AllowUsers/1 ...) joined by ' ' */
};

struct sshd_occurrences {
	struct sshd_occurrence	*v;
	size_t			 n;
};

/*
 * Global settings in the order sshd reads them. An Include of files not
 * loaded is noted in NOTES (when not NULL).
 */
void	 sshd_walk(augeas *, struct sshd_occurrences *, struct strv *notes);
void	 sshd_occurrences_release(struct sshd_occurrences *);
/* The value sshd uses for K in a walk: the first one read, else default. */
char	*sshd_first_value(const struct sshd_occurrences *,
	    const struct sshd_keyword *);
/* The same on the tree as it is now (walks it: use the above in loops). */
char	*sshd_effective(augeas *, const struct sshd_keyword *);
/* Lowercase; "without-password" is the old "prohibit-password". */
char	*sshd_canonical(const struct sshd_keyword *, const char *);
/* The ports sshd listens on per its configuration ("22" when none). */
void	 sshd_listen_ports(augeas *, struct strv *);
/* sshd_config includes the directory of our drop-in. */
bool	 sshd_dropin_is_read(augeas *);

/*
 * Set K to VALUE in PRIMARY_FILE (the file sshd reads first: the first
 * line there updated, duplicates removed, a new line after its commented
 * default or above the first Match block), then every other global line of
 * K in WALKED (the walk before this edit) that disagrees to the same value
 * in place, so no file says otherwise. Port lines elsewhere are commented
 * out instead: every Port line adds a listener.
 */
int	 sshd_set_everywhere(struct augs *, const char *primary_file,
	    const struct sshd_occurrences *walked, const struct sshd_keyword *,
	    const char *value, char **cause);

/* Match blocks that turn password login back on, one note each. */
void	 sshd_match_overrides(const char *root, struct strv *out);

/* The value sshd -T reports for K in VIEW, else K's default; freed. */
char	*sshd_view_value(const struct sshd_view *, const struct sshd_keyword *);

#endif
