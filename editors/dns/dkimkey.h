/*
 * dns/dkimkey.h -- the public half of the key OpenDKIM signs a domain
 * with (dkimkey.c), for the DKIM record to publish and to compare.
 */
#ifndef HW_DNS_DKIMKEY_H
#define HW_DNS_DKIMKEY_H

#include "daemon.h"
#include "util.h"

/*
 * DOMAIN's selector and public key (what p= holds; *TYPE "rsa" or
 * "ed25519", the k= tag) from ROOT's OpenDKIM configuration; both NULL
 * when OpenDKIM does not sign for DOMAIN (or is not configured). KEYFILE
 * (may be NULL) gets the private key's path. -1 with a cause when the key
 * cannot be read.
 */
int	 dkim_signing_key(const char *root, const char *domain,
	    char **selector, char **pubkey, const char **type, char **keyfile,
	    char **cause);

#endif
