/*
 * util.h -- small helpers shared by every part of hardenwiz: allocation that
 * never returns NULL, error causes in the style of tmux (char **cause, freed
 * by the caller), growable buffers and string vectors.
 */
#ifndef HW_UTIL_H
#define HW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "banned.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation: abort on out-of-memory; there is no sane recovery mid-plan. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Returns a new string the caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/*
 * Store a formatted message in *cause (if cause is not NULL), replacing any
 * earlier one. Always returns -1 so that "return set_cause(...)" reads well.
 */
int	 set_cause(char **cause, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* A growable byte buffer; data is always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
/* Room for N more bytes (and the NUL) at once, without doubling. */
void	 buf_reserve(struct buf *, size_t n);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * The buffer's text, writable and never NULL (an empty buffer gets its own
 * ""): what trim() and other in-place edits are given, never a literal.
 */
char	*buf_str(struct buf *);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char	*buf_detach(struct buf *, size_t *);

/* A NULL-terminated vector of owned strings, usable as an argv. */
struct strv {
	char	**v;
	size_t	  n;
	size_t	  cap;
};
void	 strv_init(struct strv *);
void	 strv_release(struct strv *);
void	 strv_add(struct strv *, const char *);
void	 strv_addf(struct strv *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
bool	 strv_contains(const struct strv *, const char *);
/*
 * A set of strings, hashed: "seen it?" in constant time where a strv's
 * scan makes a loop quadratic (10,000 ufw rules). Holds copies.
 */
struct strset {
	char	**slots;
	size_t	  cap;
	size_t	  n;
};
void	 strset_init(struct strset *);
void	 strset_release(struct strset *);
/* Add a copy of S; false when S was in the set already. */
bool	 strset_add(struct strset *, const char *);
bool	 strset_has(const struct strset *, const char *);
/* FNV-1a of LEN bytes of S. */
size_t	 str_hash(const char *s, size_t len);
/* SV's strings joined by SEP ("" when empty); caller frees. */
char	*strv_join(const struct strv *, const char *sep);
/* Returns a new NULL-terminated copy of argv; free with argv_free. */
char	**argv_dup(char *const *);
void	 argv_free(char **);
/* Free the strings of a NULL-terminated array that is not itself heap. */
void	 argv_free_items(char **);
size_t	 argv_len(char *const *);
/* Shell-quoted rendering of argv for display ("# run: ..."); caller frees. */
char	*argv_quote(char *const *);
/* Split on commas and/or white space into out; returns the count. */
size_t	 split_list(const char *, struct strv *);

/*
 * Trim white space at both ends in place; returns s. S must be writable:
 * pass buf_str(&b) for a command's output, never a string literal.
 */
char	*trim(char *);
/*
 * The process holds a secret from now on: no core dump (RLIMIT_CORE 0,
 * not dumpable, which also keeps other users' ptrace out). Idempotent.
 */
void	 secrets_protect(void);
/*
 * S (LEN bytes) as valid UTF-8 without NUL: each byte that is not part of
 * a valid sequence becomes the four characters \xNN (JSON: the escaped
 * backslash, for a JSON text to be parsed). Caller frees.
 */
char	*utf8_escape(const char *s, size_t len, bool json);
/*
 * S with control characters made visible ("^[" for ESC, "<U+009B>" for a
 * C1 control), newlines and tabs kept: a configuration file's bytes must
 * never reach the terminal as commands. Caller frees.
 */
char	*ctl_visible(const char *s);
bool	 str_has_prefix(const char *, const char *);
bool	 str_has_suffix(const char *, const char *);
/* S with every FROM replaced by TO (a scratch path by the root's); freed. */
char	*str_replace(const char *s, const char *from, const char *to);

/* Lowercase hex SHA-256 of data, into out[65]. */
void	 sha256_hex(const void *, size_t, char out[65]);

#endif
