/*
 * dns/dkimkey.c -- the key OpenDKIM signs a domain's mail with, as the
 * public half a DKIM record must publish. Read from ROOT/etc/opendkim.conf:
 * a KeyTable ("NAME DOMAIN:SELECTOR:KEYFILE" lines) or the single
 * Domain/Selector/KeyFile settings. The private key is read, turned into
 * its public half and wiped; it is never printed, copied or logged, and
 * the process dumps no core from then on.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dns/dkimkey.h"
#include "fsutil.h"
#include "i18n.h"

#define OPENDKIM_CONF	"/etc/opendkim.conf"

/* The value of KEY in opendkim.conf TEXT ("Key value", any case), or NULL. */
static char *
conf_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l != NULL && *l != '\0';
	    l = strchr(l, '\n') != NULL ? strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (strncasecmp(l, key, n) == 0 && (l[n] == ' ' ||
		    l[n] == '\t')) {
			const char *v = l + n;
			char *out;

			while (*v == ' ' || *v == '\t')
				v++;
			out = xstrndup(v, strcspn(v, "\n#"));
			/* No white space is left in front: trim keeps OUT. */
			(void)trim(out);
			return out;
		}
	}
	return NULL;
}

/* "file:/x" or "refile:/x" or "/x": the path of a table. */
static const char *
table_path(const char *spec)
{
	const char *colon = strchr(spec, ':');

	return colon != NULL && spec[0] != '/' ? colon + 1 : spec;
}

/* From KeyTable TEXT: DOMAIN's selector and key file. */
static bool
key_table_entry(char *text, const char *domain, char **selector,
    char **keyfile)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		char *v, *sel, *file;

		l = trim(l);
		if (*l == '#' || *l == '\0')
			continue;
		v = l + strcspn(l, " \t");
		v += strspn(v, " \t");
		/* DOMAIN:SELECTOR:KEYFILE */
		sel = strchr(v, ':');
		file = sel != NULL ? strchr(sel + 1, ':') : NULL;
		if (file == NULL || (size_t)(sel - v) != strlen(domain) ||
		    strncasecmp(v, domain, strlen(domain)) != 0)
			continue;
		*selector = xstrndup(sel + 1, (size_t)(file - sel - 1));
		*keyfile = xstrdup(trim(file + 1));
		return true;
	}
	return false;
}

/*
 * The public half of PEM (a private key) as p= holds it, NULL when bad:
 * RSA as base64 DER SubjectPublicKeyInfo, Ed25519 as the base64 of the
 * raw 32 bytes (RFC 8463); *TYPE "rsa" or "ed25519".
 */
static char *
public_half(const char *pem, size_t len, const char **type)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    NULL) : NULL;
	unsigned char *der = NULL, raw[32];
	size_t rawlen = sizeof raw;
	char *out = NULL;
	int n = 0;

	*type = "rsa";
	if (key != NULL && EVP_PKEY_id(key) == EVP_PKEY_ED25519) {
		*type = "ed25519";
		if (EVP_PKEY_get_raw_public_key(key, raw, &rawlen) == 1) {
			out = xmalloc(4 * ((rawlen + 2) / 3) + 1);
			EVP_EncodeBlock((unsigned char *)out, raw, (int)rawlen);
		}
	} else if (key != NULL && (n = i2d_PUBKEY(key, &der)) > 0) {
		out = xmalloc((size_t)(4 * ((n + 2) / 3) + 1));
		EVP_EncodeBlock((unsigned char *)out, der, n);
		OPENSSL_free(der);
	}
	EVP_PKEY_free(key);
	BIO_free(bio);
	return out;
}

int
dkim_signing_key(const char *root, const char *domain, char **selector,
    char **pubkey, const char **type, char **keyfile, char **cause)
{
	struct fs_file conf, table, keytext;
	char *kt, *file = NULL, *sel = NULL, *single;
	int r = 0;

	*selector = *pubkey = NULL;
	*type = "rsa";
	if (keyfile != NULL)
		*keyfile = NULL;
	if (fs_read(root, OPENDKIM_CONF, &conf, cause) != 0)
		return -1;
	if (!conf.exists) {
		fs_file_release(&conf);
		return 0;
	}
	if ((kt = conf_value(conf.data, "KeyTable")) != NULL) {
		if (fs_read(root, table_path(kt), &table, cause) != 0)
			r = -1;
		else {
			if (table.exists)
				(void)key_table_entry(table.data, domain, &sel,
				    &file);
			fs_file_release(&table);
		}
		free(kt);
	} else if ((single = conf_value(conf.data, "Domain")) != NULL) {
		if (strcasecmp(single, domain) == 0) {
			sel = conf_value(conf.data, "Selector");
			file = conf_value(conf.data, "KeyFile");
		}
		free(single);
	}
	fs_file_release(&conf);
	if (r == 0 && sel != NULL && file != NULL) {
		/* From here the process holds a private key. */
		secrets_protect();
		if (fs_read(root, file, &keytext, cause) != 0)
			r = -1;
		else {
			if (!keytext.exists)
				r = set_cause(cause, _("OpenDKIM's key for %s "
				    "(%s) does not exist: it signs nothing"),
				    domain, file);
			else if ((*pubkey = public_half(keytext.data,
			    keytext.len, type)) == NULL)
				r = set_cause(cause, _("OpenDKIM's key for %s "
				    "(%s) is not a private key hardenwiz can "
				    "read"), domain, file);
			if (keytext.data != NULL)
				OPENSSL_cleanse(keytext.data, keytext.len);
			fs_file_release(&keytext);
		}
	}
	if (r == 0 && *pubkey != NULL) {
		*selector = sel;
		sel = NULL;
		if (keyfile != NULL) {
			*keyfile = file;
			file = NULL;
		}
	}
	free(sel);
	free(file);
	return r;
}
