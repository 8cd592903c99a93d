/*
 * master.c -- the command of a master.cf service (what follows its seven
 * fields: the program, its arguments and "-o" overrides, over continuation
 * lines), read and written as master(5) says: a line that starts with
 * whitespace continues; blank and "#" lines between continuations are
 * ignored by Postfix and kept here; "-o { name = value with spaces }"
 * (Postfix 3.0) is one override.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "postfix.h"
#include "util.h"

void
master_cmd_init(struct master_cmd *m)
{
	strv_init(&m->words);
	strv_init(&m->keys);
	strv_init(&m->values);
	strv_init(&m->before);
}

void
master_cmd_release(struct master_cmd *m)
{
	strv_release(&m->words);
	strv_release(&m->keys);
	strv_release(&m->values);
	strv_release(&m->before);
}

/* The next token of *P: a word, or a whole "{ ... }"; NULL at the end. */
static char *
next_token(const char **p, char **cause)
{
	const char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	if (*s == '{') {
		if ((e = strchr(s, '}')) == NULL) {
			set_cause(cause, "master.cf: \"{\" without \"}\" in "
			    "\"%s\"", s);
			*p = s + strlen(s);
			return NULL;
		}
		e++;
	} else
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
	*p = e;
	return xstrndup(s, (size_t)(e - s));
}

/* "name=value" or "{ name = value }" into KEY and VALUE. */
static void
split_override(const char *tok, char **key, char **value)
{
	char *t = xstrdup(tok), *s = t, *eq;

	if (*s == '{') {
		s[strlen(s) - 1] = '\0';
		s++;
	}
	if ((eq = strchr(s, '=')) != NULL)
		*eq = '\0';
	*key = xstrdup(trim(s));
	*value = xstrdup(eq != NULL ? trim(eq + 1) : "");
	free(t);
}

int
master_cmd_parse(const char *command, struct master_cmd *m, char **cause)
{
	char *copy = xstrdup(command), *line, *next;
	struct buf pending;
	bool want_value = false;
	int r = 0;

	buf_init(&pending);
	/* Line by line, blank lines too (strtok would skip them). */
	for (line = copy; line != NULL && r == 0; line = next) {
		const char *p = line, *q = line;
		char *tok;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '\0' || *q == '#') {
			buf_addf(&pending, "%s\n", line);
			continue;
		}
		while (r == 0 && (tok = next_token(&p, cause)) != NULL) {
			if (want_value) {
				char *k, *v;

				split_override(tok, &k, &v);
				strv_add(&m->keys, k);
				strv_add(&m->values, v);
				strv_add(&m->before, pending.len ? pending.data :
				    "");
				buf_release(&pending);
				buf_init(&pending);
				free(k);
				free(v);
				want_value = false;
			} else if (strcmp(tok, "-o") == 0)
				want_value = true;
			else
				strv_add(&m->words, tok);
			free(tok);
		}
		if (p[0] != '\0')
			r = -1;		/* an unclosed "{": *cause is set */
	}
	if (r == 0 && want_value)
		r = set_cause(cause, _("master.cf: \"-o\" without a value in "
		    "\"%s\""), command);
	buf_release(&pending);
	free(copy);
	return r;
}

void
master_cmd_set(struct master_cmd *m, const char *key, const char *value)
{
	for (size_t i = 0; i < m->keys.n; i++) {
		if (strcmp(m->keys.v[i], key) == 0) {
			free(m->values.v[i]);
			m->values.v[i] = xstrdup(value);
			return;
		}
	}
	strv_add(&m->keys, key);
	strv_add(&m->values, value);
	strv_add(&m->before, "");
}

char *
master_cmd_format(const struct master_cmd *m)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < m->words.n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", m->words.v[i]);
	for (size_t i = 0; i < m->keys.n; i++) {
		const char *v = m->values.v[i];
		bool spaced = v[strcspn(v, " \t")] != '\0';

		/* Comment lines before it, each with its newline. */
		buf_addf(&b, "\n%s", m->before.v[i]);
		buf_addf(&b, spaced ? "  -o { %s = %s }" : "  -o %s=%s",
		    m->keys.v[i], v);
	}
	return buf_detach(&b, NULL);
}
