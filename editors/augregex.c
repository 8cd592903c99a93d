/*
 * augregex.c -- compiled regular expressions kept for Augeas. See
 * augregex.h for why and what makes sharing an automaton safe.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augregex.h"
#include "util.h"

#ifdef __GLIBC__

typedef const char *compile_fn(const char *, size_t,
    struct re_pattern_buffer *);
typedef void free_fn(regex_t *);

/* One compiled pattern: the buffer as glibc's compiler left it. */
struct entry {
	char			*pattern;
	size_t			 len;
	reg_syntax_t		 syntax;
	struct re_pattern_buffer compiled;
};

/*
 * Entries, and two open-addressed indexes into them (slot value = entry
 * index + 1, 0 = empty): by pattern for compiling, by automaton address
 * for regfree. A lens has a few hundred patterns; the wizard's session
 * keeps every lens it used, which stays well under a few thousand.
 */
static struct {
	pthread_mutex_t	 lock;
	struct entry	*v;
	size_t		 n;
	size_t		*by_text, *by_dfa;
	size_t		 slots;		/* of each index, a power of two */
	size_t		 compiled, reused;
	compile_fn	*real_compile;
	free_fn		*real_free;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t
hash_text(const char *p, size_t len, reg_syntax_t syntax)
{
	return (uint64_t)str_hash(p, len) ^ ((uint64_t)syntax *
	    11400714819323198485ULL);
}

static uint64_t
hash_ptr(const void *p)
{
	return ((uint64_t)(uintptr_t)p >> 4) * 11400714819323198485ULL;
}

static void
index_put(size_t *slots, uint64_t h, size_t value)
{
	size_t mask = cache.slots - 1, i = h & mask;

	while (slots[i] != 0)
		i = (i + 1) & mask;
	slots[i] = value;
}

/* Keep each index at most half full. */
static void
grow(void)
{
	size_t want = cache.slots ? cache.slots * 2 : 512;

	if (2 * (cache.n + 1) <= cache.slots)
		return;
	free(cache.by_text);
	free(cache.by_dfa);
	cache.slots = want;
	cache.by_text = xcalloc(want, sizeof *cache.by_text);
	cache.by_dfa = xcalloc(want, sizeof *cache.by_dfa);
	for (size_t k = 0; k < cache.n; k++) {
		const struct entry *e = &cache.v[k];

		index_put(cache.by_text, hash_text(e->pattern, e->len,
		    e->syntax), k + 1);
		index_put(cache.by_dfa, hash_ptr(e->compiled.buffer), k + 1);
	}
}

static struct entry *
find_text(const char *p, size_t len, reg_syntax_t syntax)
{
	size_t mask = cache.slots - 1;

	if (cache.slots == 0)
		return NULL;
	for (size_t i = hash_text(p, len, syntax) & mask;
	    cache.by_text[i] != 0; i = (i + 1) & mask) {
		struct entry *e = &cache.v[cache.by_text[i] - 1];

		if (e->len == len && e->syntax == syntax &&
		    memcmp(e->pattern, p, len) == 0)
			return e;
	}
	return NULL;
}

static bool
is_cached(const void *dfa)
{
	size_t mask = cache.slots - 1;

	if (cache.slots == 0 || dfa == NULL)
		return false;
	for (size_t i = hash_ptr(dfa) & mask; cache.by_dfa[i] != 0;
	    i = (i + 1) & mask) {
		if (cache.v[cache.by_dfa[i] - 1].compiled.buffer == dfa)
			return true;
	}
	return false;
}

static void
add(const char *p, size_t len, const struct re_pattern_buffer *b)
{
	struct entry *e;

	grow();
	cache.v = xreallocarray(cache.v, cache.n + 1, sizeof *cache.v);
	e = &cache.v[cache.n++];
	e->pattern = xmalloc(len + 1);
	memcpy(e->pattern, p, len);
	e->pattern[len] = '\0';
	e->len = len;
	e->syntax = re_syntax_options;
	e->compiled = *b;
	index_put(cache.by_text, hash_text(p, len, e->syntax), cache.n);
	index_put(cache.by_dfa, hash_ptr(b->buffer), cache.n);
}

/* glibc's own functions, next after these in the lookup order. */
static void
find_real(void)
{
	void *c, *f;

	if (cache.real_compile != NULL)
		return;
	c = dlsym(RTLD_NEXT, "re_compile_pattern");
	f = dlsym(RTLD_NEXT, "regfree");
	if (c == NULL || f == NULL) {
		fputs("hardenwiz: cannot find glibc's regular expression "
		    "functions\n", stderr);
		abort();
	}
	/* POSIX's way from dlsym's object pointer to a function's. */
	memcpy(&cache.real_compile, &c, sizeof c);
	memcpy(&cache.real_free, &f, sizeof f);
}

/*
 * A shared automaton leaves B before anything else touches B: glibc's
 * compiler reuses the automaton it finds in the buffer, and regfree frees
 * it, either of which would destroy the cache's.
 */
static void
detach(struct re_pattern_buffer *b)
{
	if (is_cached(b->buffer)) {
		b->buffer = NULL;
		b->allocated = 0;
	}
}

const char *
re_compile_pattern(const char *pattern, size_t len,
    struct re_pattern_buffer *b)
{
	const struct entry *e;
	const char *err;

	pthread_mutex_lock(&cache.lock);
	find_real();
	detach(b);
	if (b->fastmap == NULL && b->translate == NULL &&
	    (e = find_text(pattern, len, re_syntax_options)) != NULL) {
		if (b->buffer != NULL)
			cache.real_free(b);	/* its own, compiled earlier */
		*b = e->compiled;
		cache.reused++;
		pthread_mutex_unlock(&cache.lock);
		return NULL;
	}
	err = cache.real_compile(pattern, len, b);
	cache.compiled++;
	if (err == NULL && b->fastmap == NULL && b->translate == NULL &&
	    b->buffer != NULL)
		add(pattern, len, b);
	pthread_mutex_unlock(&cache.lock);
	return err;
}

void
regfree(regex_t *b)
{
	pthread_mutex_lock(&cache.lock);
	find_real();
	detach(b);
	cache.real_free(b);	/* the caller's fastmap and translate table */
	pthread_mutex_unlock(&cache.lock);
}

bool
augregex_active(void)
{
	void *seen = dlsym(RTLD_DEFAULT, "re_compile_pattern");
	compile_fn *mine = re_compile_pattern;

	return sizeof seen == sizeof mine &&
	    memcmp(&seen, &mine, sizeof seen) == 0;
}

void
augregex_stats(size_t *compiled, size_t *reused)
{
	pthread_mutex_lock(&cache.lock);
	*compiled = cache.compiled;
	*reused = cache.reused;
	pthread_mutex_unlock(&cache.lock);
}

#else /* !__GLIBC__ */

bool
augregex_active(void)
{
	return false;
}

void
augregex_stats(size_t *compiled, size_t *reused)
{
	*compiled = *reused = 0;
}

#endif
