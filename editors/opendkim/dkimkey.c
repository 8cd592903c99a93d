/*
 * opendkim/dkimkey.c -- the key OpenDKIM signs a domain's mail with, as the
 * public half a DKIM record must publish. Read from ROOT/etc/opendkim.conf:
 * a KeyTable ("NAME DOMAIN:SELECTOR:KEYFILE" lines) or the single
 * Domain/Selector/KeyFile settings. The private key is read, turned into
 * its public half and wiped; it is never printed, copied or logged, and
 * the process dumps no core from then on.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fsutil.h"
#include "i18n.h"
#include "opendkim/dkimkey.h"
#include "opendkim/opendkim.h"

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

char *
dkim_conf_value(const char *root, const char *key)
{
	struct fs_file f;
	char *v = NULL;

	if (fs_read(root, OPENDKIM_CONF, &f, NULL) == 0 && f.exists)
		v = conf_value(f.data, key);
	fs_file_release(&f);
	return v;
}

bool
dkim_key_spec(const char *value, char **domain, char **selector,
    char **key)
{
	const char *sel = strchr(value, ':'), *k;

	if (sel == NULL || (k = strchr(sel + 1, ':')) == NULL)
		return false;
	if (domain != NULL)
		*domain = xstrndup(value, (size_t)(sel - value));
	if (selector != NULL)
		*selector = xstrndup(sel + 1, (size_t)(k - sel - 1));
	if (key != NULL)
		*key = xstrndup(k + 1, strcspn(k + 1, " \t#"));
	return true;
}

/*
 * From KeyTable TEXT: DOMAIN's selector and key file, from the row NAME
 * when not NULL (what the SigningTable chose), else the first of DOMAIN.
 */
static bool
key_table_entry(char *text, const char *domain, const char *name,
    char **selector, char **keyfile)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		char *v, *dom, *sel, *file;
		size_t klen;

		l = trim(l);
		if (*l == '#' || *l == '\0')
			continue;
		klen = strcspn(l, " \t");
		v = l + klen;
		v += strspn(v, " \t");
		if (name != NULL && (klen != strlen(name) ||
		    strncasecmp(l, name, klen) != 0))
			continue;
		if (!dkim_key_spec(v, &dom, &sel, &file))
			continue;
		if (strcasecmp(dom, domain) == 0) {
			free(dom);
			*selector = sel;
			*keyfile = file;
			return true;
		}
		free(dom);
		free(sel);
		free(file);
	}
	return false;
}

bool
dkim_row_matches(const char *key, bool refile, const char *domain)
{
	char *mailbox = xasprintf("postmaster@%s", domain);
	bool yes = refile ? fnmatch(key, mailbox, FNM_CASEFOLD) == 0 :
	    strcasecmp(key, domain) == 0 || strcasecmp(key, mailbox) == 0 ||
	    (key[0] == '@' && strcasecmp(key + 1, domain) == 0);

	free(mailbox);
	return yes;
}

/*
 * The KeyTable row (its key) that the SigningTable TEXT picks for mail
 * from DOMAIN (caller frees), or NULL: the first row that matches.
 */
static char *
signing_row(const char *text, bool refile, const char *domain)
{
	char *copy = xstrdup(text), *save = NULL, *out = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l != NULL && out == NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		char *key, *v;
		size_t klen;

		l += strspn(l, " \t");
		if (*l == '#' || *l == '\0')
			continue;
		klen = strcspn(l, " \t");
		key = xstrndup(l, klen);
		v = l + klen + strspn(l + klen, " \t");
		if (dkim_row_matches(key, refile, domain))
			out = xstrndup(v, strcspn(v, " \t#"));
		free(key);
	}
	free(copy);
	return out;
}

/* From opendkim.conf CONF: the row of the SigningTable for DOMAIN. */
static char *
signing_name(const char *root, const char *conf, const char *domain)
{
	char *spec = conf_value(conf, "SigningTable"), *name = NULL;
	struct fs_file f;

	const char *path = spec != NULL ? opendkim_file_table(spec) : NULL;

	if (path != NULL) {
		if (fs_read(root, path, &f, NULL) == 0 && f.exists)
			name = signing_row(f.data, str_has_prefix(spec,
			    "refile:"), domain);
		fs_file_release(&f);
	}
	free(spec);
	return name;
}

/*
 * The public half of PEM (a private key) as p= holds it, NULL when bad:
 * RSA as base64 DER SubjectPublicKeyInfo, Ed25519 as the base64 of the
 * raw 32 bytes (RFC 8463); *TYPE "rsa" or "ed25519".
 */
static char *
key_public_half(EVP_PKEY *key, const char **type)
{
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
	return out;
}

char *
dkim_public_half(const char *pem, size_t len, const char **type)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    NULL) : NULL;
	char *out = key_public_half(key, type);

	EVP_PKEY_free(key);
	BIO_free(bio);
	return out;
}

int
dkim_key_generate(unsigned int bits, char **pem, size_t *len,
    char **pubkey, char **cause)
{
	EVP_PKEY *key;
	/* Secure memory: the PEM's buffer is wiped when it is freed. */
	BIO *bio = BIO_new(BIO_s_secmem());
	const char *type;
	char *data;
	long n;
	int r = -1;

	secrets_protect();
	*pem = *pubkey = NULL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (key != NULL && bio != NULL && PEM_write_bio_PrivateKey(bio, key,
	    NULL, NULL, 0, NULL, NULL) == 1 && (n = BIO_get_mem_data(bio,
	    &data)) > 0 && (*pubkey = key_public_half(key, &type)) != NULL) {
		*pem = xstrndup(data, (size_t)n);
		*len = (size_t)n;
		r = 0;
	} else
		set_cause(cause, _("cannot generate a %u-bit RSA key (OpenSSL "
		    "error %lu)"), bits, ERR_get_error());
	EVP_PKEY_free(key);
	BIO_free(bio);
	return r;
}

void
dkim_secret_free(char *pem, size_t len)
{
	if (pem != NULL)
		OPENSSL_cleanse(pem, len);
	free(pem);
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
		char *name = signing_name(root, conf.data, domain);
		/* A database (dsn:, ldap:): no key hardenwiz can read. */
		const char *path = opendkim_file_table(kt);

		if (path != NULL && fs_read(root, path, &table, cause) != 0)
			r = -1;
		else if (path != NULL) {
			if (table.exists)
				(void)key_table_entry(table.data, domain, name,
				    &sel, &file);
			fs_file_release(&table);
		}
		free(name);
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
			else if ((*pubkey = dkim_public_half(keytext.data,
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
