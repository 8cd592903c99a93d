/*
 * opendkim/dkimkey.h -- the public half of the key OpenDKIM signs a domain
 * with (dkimkey.c), for the DKIM record to publish and to compare.
 */
#ifndef HW_DNS_DKIMKEY_H
#define HW_DNS_DKIMKEY_H

#include "daemon.h"
#include <stdbool.h>
#include <stddef.h>

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

/*
 * A KeyTable value "DOMAIN:SELECTOR:KEY" into its parts (an out may be
 * NULL; caller frees): KEY is a key file when it starts with "/", else
 * the key itself. False when VALUE is not of that shape.
 */
bool	 dkim_key_spec(const char *value, char **domain, char **selector,
	    char **key);
/*
 * A SigningTable row keyed KEY applies to mail from DOMAIN. REFILE: the
 * table is a refile: (patterns such as "*@example.com"), else a plain
 * one (addresses or domains). OpenDKIM takes the first row that applies.
 */
bool	 dkim_row_matches(const char *key, bool refile, const char *domain);
/* KEY's value in ROOT's opendkim.conf (caller frees), or NULL. */
char	*dkim_conf_value(const char *root, const char *key);
/* p= of the private key PEM (NULL when it is none); *TYPE "rsa"/"ed25519". */
char	*dkim_public_half(const char *pem, size_t len, const char **type);
/*
 * A new RSA key of BITS bits: *PEM (LEN bytes) the private key as PKCS#8
 * PEM, to be freed with dkim_secret_free; *PUBKEY its p= value. From here
 * on the process dumps no core.
 */
int	 dkim_key_generate(unsigned int bits, char **pem, size_t *len,
	    char **pubkey, char **cause);
/* Wipe and free a private key's text. */
void	 dkim_secret_free(char *pem, size_t len);

#endif
