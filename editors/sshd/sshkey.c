/*
 * sshkey.c -- public key parsing with OpenSSL for base64 and SHA-256.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "i18n.h"
#include "sshd/sshkey.h"
#include "util.h"

static const char *const key_types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com", NULL
};

static bool
known_type(const char *s, size_t n)
{
	for (size_t i = 0; key_types[i] != NULL; i++) {
		if (strlen(key_types[i]) == n && strncmp(key_types[i], s, n)
		    == 0)
			return true;
	}
	return false;
}

/* Read an SSH wire-format string at *p; false when it does not fit. */
static bool
wire_string(const unsigned char **p, const unsigned char *end,
    const unsigned char **s, uint32_t *len)
{
	if (end - *p < 4)
		return false;
	*len = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	    (uint32_t)(*p)[2] << 8 | (*p)[3];
	*p += 4;
	if ((uint32_t)(end - *p) < *len)
		return false;
	*s = *p;
	*p += *len;
	return true;
}

static int
mpint_bits(const unsigned char *s, uint32_t len)
{
	while (len > 0 && *s == 0) {
		s++;
		len--;
	}
	if (len == 0)
		return 0;
	{
		int bits = (int)(len - 1) * 8;
		unsigned char top = *s;

		while (top != 0) {
			bits++;
			top >>= 1;
		}
		return bits;
	}
}

static const char *
check_blob(struct sshkey *k, const unsigned char *blob, size_t len)
{
	const unsigned char *p = blob, *end = blob + len, *s;
	uint32_t n;

	if (!wire_string(&p, end, &s, &n) || n != strlen(k->type) ||
	    memcmp(s, k->type, n) != 0)
		return _("the key data does not match its type (truncated or "
		    "mixed-up paste?)");
	if (strcmp(k->type, "ssh-ed25519") == 0) {
		if (!wire_string(&p, end, &s, &n) || n != 32 || p != end)
			return _("the ed25519 key data is damaged");
		k->bits = 256;
	} else if (strcmp(k->type, "ssh-rsa") == 0) {
		const unsigned char *e, *mod;
		uint32_t elen, mlen;

		if (!wire_string(&p, end, &e, &elen) ||
		    !wire_string(&p, end, &mod, &mlen) || p != end)
			return _("the RSA key data is damaged");
		k->bits = mpint_bits(mod, mlen);
		if (k->bits < 2048)
			return _("RSA keys shorter than 2048 bits are refused; "
			    "make an ed25519 key (ssh-keygen -t ed25519)");
	} else if (str_has_prefix(k->type, "ecdsa-sha2-")) {
		if (!wire_string(&p, end, &s, &n) || n != strlen(k->type) - 11
		    || memcmp(s, k->type + 11, n) != 0 ||
		    !wire_string(&p, end, &s, &n) || p != end)
			return _("the ECDSA key data is damaged");
		k->bits = atoi(k->type + strlen("ecdsa-sha2-nistp"));
	}
	return NULL;
}

static void
fingerprint(struct sshkey *k, const unsigned char *blob, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[64];
	unsigned int mdlen = 0;
	int n;

	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	n = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	snprintf(k->fingerprint, sizeof k->fingerprint, "SHA256:%s", b64);
}

/* Skip an options field: quoted strings may contain spaces. */
static const char *
skip_options(const char *s)
{
	bool quoted = false;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (*s == ' ' || *s == '\t'))
			break;
	}
	return s;
}

int
sshkey_parse(const char *line, struct sshkey *k, const char **why)
{
	const char *s = line, *type, *b64;
	size_t tlen, blen;
	unsigned char *blob;
	int dlen;

	memset(k, 0, sizeof *k);
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == '#') {
		*why = _("no key on this line");
		return -1;
	}
	tlen = strcspn(s, " \t");
	if (!known_type(s, tlen)) {
		const char *opt_end = skip_options(s);

		if (str_has_prefix(s, "ssh-dss")) {
			*why = _("DSA keys are disabled in current OpenSSH; "
			    "make an ed25519 key (ssh-keygen -t ed25519)");
			return -1;
		}
		k->options = xstrndup(s, (size_t)(opt_end - s));
		s = opt_end;
		while (*s == ' ' || *s == '\t')
			s++;
		tlen = strcspn(s, " \t");
		if (!known_type(s, tlen)) {
			free(k->options);
			k->options = NULL;
			*why = _("not an OpenSSH public key (expected "
			    "'ssh-ed25519 AAAA... comment')");
			return -1;
		}
	}
	if (k->options == NULL)
		k->options = xstrdup("");
	type = s;
	k->type = xstrndup(type, tlen);
	s += tlen;
	while (*s == ' ' || *s == '\t')
		s++;
	b64 = s;
	blen = strcspn(b64, " \t\r\n");
	if (blen == 0 || blen % 4 != 0) {
		sshkey_release(k);
		*why = _("the key data is missing or truncated");
		return -1;
	}
	blob = xmalloc(blen);
	dlen = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)blen);
	if (dlen < 0) {
		free(blob);
		sshkey_release(k);
		*why = _("the key data is not valid base64");
		return -1;
	}
	/* EVP_DecodeBlock counts padding bytes as data. */
	if (blen >= 1 && b64[blen - 1] == '=')
		dlen--;
	if (blen >= 2 && b64[blen - 2] == '=')
		dlen--;
	if ((*why = check_blob(k, blob, (size_t)dlen)) != NULL) {
		free(blob);
		sshkey_release(k);
		return -1;
	}
	fingerprint(k, blob, (size_t)dlen);
	free(blob);
	k->blob = xstrndup(b64, blen);
	s = b64 + blen;
	{
		char *raw = xstrdup(s);

		k->comment = xstrdup(trim(raw));
		free(raw);
	}
	k->forced_command = strstr(k->options, "command=") != NULL;
	return 0;
}

void
sshkey_release(struct sshkey *k)
{
	free(k->type);
	free(k->blob);
	free(k->comment);
	free(k->options);
	memset(k, 0, sizeof *k);
}

/* Calls FN for each key line of TEXT; stops when FN returns true. */
static bool
each_key(const char *text, bool (*fn)(const struct sshkey *, void *),
    void *arg)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		size_t len = strcspn(line, "\n");
		char *copy = xstrndup(line, len);
		struct sshkey k;
		const char *why;
		bool stop = false;

		if (sshkey_parse(copy, &k, &why) == 0) {
			stop = fn(&k, arg);
			sshkey_release(&k);
		}
		free(copy);
		if (stop)
			return true;
		line += len + (line[len] == '\n');
	}
	return false;
}

static bool
same_key(const struct sshkey *k, void *arg)
{
	const struct sshkey *want = arg;

	return strcmp(k->type, want->type) == 0 &&
	    strcmp(k->blob, want->blob) == 0;
}

bool
sshkey_in_text(const struct sshkey *k, const char *text)
{
	return each_key(text, same_key, (void *)(uintptr_t)k);
}

static bool
count_usable(const struct sshkey *k, void *arg)
{
	int *n = arg;

	if (!k->forced_command)
		(*n)++;
	return false;
}

int
sshkey_count_usable(const char *text)
{
	int n = 0;

	each_key(text, count_usable, &n);
	return n;
}
