/*
 * sshkey.h -- OpenSSH public keys as they appear in authorized_keys:
 * "[options] type base64 [comment]". The blob is decoded and checked against
 * its type, so a truncated paste is caught before it is installed.
 */
#ifndef HW_SSHKEY_H
#define HW_SSHKEY_H

#include <stdbool.h>

#include "daemon.h"

struct sshkey {
	char	*type;		/* "ssh-ed25519" */
	char	*blob;		/* base64 as written */
	char	*comment;	/* may be "" */
	char	*options;	/* may be "" */
	char	 fingerprint[80]; /* "SHA256:..." */
	int	 bits;
	bool	 forced_command; /* command="..." */
};

/* Parse one line. On failure *why says what is wrong (static string). */
int	sshkey_parse(const char *line, struct sshkey *, const char **why);
void	sshkey_release(struct sshkey *);
/* Whether TEXT (an authorized_keys file) already holds the same key. */
bool	sshkey_in_text(const struct sshkey *, const char *text);
/* Keys in TEXT usable for an interactive login (valid, no forced command). */
int	sshkey_count_usable(const char *text);

#endif
