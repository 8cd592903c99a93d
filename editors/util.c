/*
 * util.c -- allocation, error causes, buffers and string vectors used all
 * over hardenwiz. Nothing here prints or exits except on out-of-memory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

static void
oom(void)
{
	fputs("hardenwiz: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > ((size_t)-1) / size)
		oom();
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return -1;
	free(*cause);
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = b->len + n + 1;
		b->data = xrealloc(b->data, b->cap);
		b->data[b->len] = '\0';
	}
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_adds(b, s);
	free(s);
}

char *
buf_str(struct buf *b)
{
	if (b->data == NULL)
		buf_add(b, "", 0);
	return b->data;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		buf_add(b, "", 0);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	buf_init(b);
	return p;
}

void
strv_init(struct strv *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->cap = 0;
}

void
strv_release(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	strv_init(sv);
}

void
strv_add(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof *sv->v);
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void
strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strv_add(sv, s);
	free(s);
}

bool
strv_contains(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return true;
	}
	return false;
}

size_t
str_hash(const char *s, size_t len)
{
	size_t h = (size_t)1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211ULL;
	return h;
}

void
strset_init(struct strset *set)
{
	memset(set, 0, sizeof *set);
}

void
strset_release(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	strset_init(set);
}

/* Where S is in SLOTS (CAP a power of two), or the empty slot for it. */
static char **
strset_slot(char **slots, size_t cap, const char *s)
{
	size_t i = str_hash(s, strlen(s)) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

bool
strset_has(const struct strset *set, const char *s)
{
	return set->cap > 0 && *strset_slot(set->slots, set->cap, s) != NULL;
}

bool
strset_add(struct strset *set, const char *s)
{
	char **slot;

	/* At most half full, so that a probe ends soon. */
	if (2 * (set->n + 1) > set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 16;
		char **slots = xcalloc(cap, sizeof *slots);

		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i] != NULL)
				*strset_slot(slots, cap, set->slots[i]) =
				    set->slots[i];
		free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	slot = strset_slot(set->slots, set->cap, s);
	if (*slot != NULL)
		return false;
	*slot = xstrdup(s);
	set->n++;
	return true;
}

char *
strv_join(const struct strv *sv, const char *sep)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < sv->n; i++)
		buf_addf(&b, "%s%s", i > 0 ? sep : "", sv->v[i]);
	return buf_detach(&b, NULL);
}

size_t
argv_len(char *const *argv)
{
	size_t n = 0;

	while (argv != NULL && argv[n] != NULL)
		n++;
	return n;
}

char **
argv_dup(char *const *argv)
{
	size_t n = argv_len(argv);
	char **copy;

	if (argv == NULL)
		return NULL;
	copy = xcalloc(n + 1, sizeof *copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(argv[i]);
	return copy;
}

void
argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

void
argv_free_items(char **argv)
{
	for (size_t i = 0; argv[i] != NULL; i++) {
		free(argv[i]);
		argv[i] = NULL;
	}
}

static bool
needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("@%+=:,./_-", *s) == NULL)
			return true;
	}
	return false;
}

char *
argv_quote(char *const *argv)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++) {
		const char *s = argv[i];

		if (i > 0)
			buf_add(&b, " ", 1);
		if (!needs_quotes(s)) {
			buf_adds(&b, s);
			continue;
		}
		buf_add(&b, "'", 1);
		for (; *s != '\0'; s++) {
			if (*s == '\'')
				buf_adds(&b, "'\\''");
			else
				buf_add(&b, s, 1);
		}
		buf_add(&b, "'", 1);
	}
	return buf_detach(&b, NULL);
}

size_t
split_list(const char *s, struct strv *out)
{
	size_t count = 0;

	while (*s != '\0') {
		size_t n;

		s += strspn(s, ", \t\r\n");
		n = strcspn(s, ", \t\r\n");
		if (n == 0)
			break;
		{
			char *item = xstrndup(s, n);

			strv_add(out, item);
			free(item);
		}
		count++;
		s += n;
	}
	return count;
}

char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (*end != '\0')	/* nothing written when nothing is cut */
		*end = '\0';
	return s;
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

char *
str_replace(const char *s, const char *from, const char *to)
{
	struct buf b;
	const char *hit;

	buf_init(&b);
	while ((hit = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(hit - s));
		buf_adds(&b, to);
		s = hit + strlen(from);
	}
	buf_adds(&b, s);
	return buf_detach(&b, NULL);
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		abort();
	for (unsigned int i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

void
secrets_protect(void)
{
	static bool done;
	struct rlimit none = { 0, 0 };

	if (done)
		return;
	done = true;
	/* No core file, no ptrace or /proc/PID/mem by others. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &none);
}

/* Length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *
utf8_escape(const char *s, size_t len, bool json)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(p + i, len - i);

		if (k > 0 && p[i] != 0) {
			buf_add(&b, s + i, k);
			i += k;
		} else {
			buf_addf(&b, json ? "\\\\x%02x" : "\\x%02x", p[i]);
			i++;
		}
	}
	return buf_detach(&b, NULL);
}

char *
ctl_visible(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			buf_addf(&b, "^%c", *p == 0x7f ? '?' : *p + 0x40);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* U+0080..U+009F: C1 controls (CSI is U+009B). */
			buf_addf(&b, "<U+%04X>", p[1]);
			p++;
		} else
			buf_add(&b, p, 1);
	}
	return buf_detach(&b, NULL);
}
