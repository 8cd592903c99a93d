/*
 * recipe.c -- the recipe.conf parser (after OpenSSH's keyword table: an
 * unknown section or key is an error, not a silent no-op).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "fsutil.h"
#include "recipe.h"

void
recipe_init(struct recipe *r)
{
	memset(r, 0, sizeof *r);
}

void
recipe_release(struct recipe *r)
{
	for (size_t i = 0; i < r->nsections; i++)
		settings_release(&r->sections[i].settings);
	free(r->sections);
	free(r->file);
	memset(r, 0, sizeof *r);
}

const struct recipe_section *
recipe_section(const struct recipe *r, const char *id)
{
	for (size_t i = 0; i < r->nsections; i++) {
		if (strcmp(r->sections[i].step->id, id) == 0)
			return &r->sections[i];
	}
	return NULL;
}

struct parser {
	const char		*file;
	int			 line;
	struct recipe		*r;
	struct recipe_section	*cur;	/* NULL outside a usable section */
	char			*section; /* name of the current section */
	bool			 in_section;
	struct buf		 errors;
	struct strv		 seen_keys;
};

static void
perror_at(struct parser *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perror_at(struct parser *p, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	buf_addf(&p->errors, "%s%s:%d: ", p->errors.len ? "\n" : "", p->file,
	    p->line);
	if (p->section != NULL)
		buf_addf(&p->errors, "[%s] ", p->section);
	if (key != NULL)
		buf_addf(&p->errors, "%s: ", key);
	buf_adds(&p->errors, msg);
	free(msg);
}

/* Every step's id, space-separated. */
static char *
section_names(void)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < step_count; i++)
		buf_addf(&b, "%s%s", i > 0 ? " " : "", step_table[i]->id);
	return buf_detach(&b, NULL);
}

static void
parse_section(struct parser *p, char *line)
{
	char *end = strchr(line, ']'), *name;

	free(p->section);
	p->section = NULL;
	p->cur = NULL;
	p->in_section = true;
	strv_release(&p->seen_keys);
	if (end == NULL || *trim(end + 1) != '\0') {
		perror_at(p, NULL, "%s", _("a section header is '[name]' "
		    "alone on its line"));
		return;
	}
	*end = '\0';
	name = trim(line + 1);
	p->section = xstrdup(name);
	if (step_find(name) == NULL) {
		char *names = section_names();

		perror_at(p, NULL, _("unknown section; the steps are: %s"),
		    names);
		free(names);
		return;
	}
	for (size_t i = 0; i < p->r->nsections; i++) {
		if (strcmp(p->r->sections[i].step->id, name) == 0) {
			perror_at(p, NULL, _("section repeated (first at line "
			    "%d)"), p->r->sections[i].line);
			return;
		}
	}
	p->r->sections = xreallocarray(p->r->sections, p->r->nsections + 1,
	    sizeof *p->r->sections);
	p->cur = &p->r->sections[p->r->nsections++];
	p->cur->step = step_find(name);
	p->cur->line = p->line;
	settings_init(&p->cur->settings);
}

/* Cut an inline comment: '#' or ';' after white space. */
static void
strip_comment(char *s)
{
	for (char *c = s; *c != '\0'; c++) {
		if ((*c == '#' || *c == ';') && c > s &&
		    (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
	}
}

static bool
valid_key(const char *k)
{
	if (*k == '\0')
		return false;
	for (; *k != '\0'; k++) {
		if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k)
		    && *k != '_')
			return false;
	}
	return true;
}

static void
parse_assignment(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *key, *value, *canon = NULL;
	char *why = NULL;
	const struct question *q;

	if (eq == NULL) {
		perror_at(p, NULL, "%s", _("expected 'key = value'"));
		return;
	}
	*eq = '\0';
	key = trim(line);
	value = eq + 1;
	strip_comment(value);
	value = trim(value);
	if (!p->in_section) {
		perror_at(p, key, "%s", _("a key outside any section; put it "
		    "under [step]"));
		return;
	}
	if (p->cur == NULL)
		return;		/* the section was already reported */
	if (!valid_key(key)) {
		perror_at(p, key, "%s", _("keys are lower_snake_case"));
		return;
	}
	q = step_question(p->cur->step, key);
	if (q == NULL) {
		struct buf known;

		buf_init(&known);
		for (size_t i = 0; i < p->cur->step->nquestions; i++)
			buf_addf(&known, "%s%s", i ? ", " : "",
			    p->cur->step->questions[i].key);
		perror_at(p, key, _("unknown key; [%s] takes: %s"),
		    p->cur->step->id, known.data ? known.data : "");
		buf_release(&known);
		return;
	}
	if (q->flags & Q_WIZARD_ONLY) {
		perror_at(p, key, "%s", _("never written in a recipe: the "
		    "wizard asks for it (a recipe names a file or an "
		    "environment variable instead)"));
		return;
	}
	if (strv_contains(&p->seen_keys, key)) {
		perror_at(p, key, "%s", _("key repeated in this section"));
		return;
	}
	strv_add(&p->seen_keys, key);
	if (value_parse(q, value, &canon, &why) != 0) {
		perror_at(p, key, "%s", why);
		free(why);
		return;
	}
	settings_set(&p->cur->settings, key, canon);
	free(canon);
}

int
recipe_parse(const char *file, const char *text, size_t len,
    struct recipe *r, char **cause)
{
	struct parser p;
	const char *s = text, *end = text + len;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.r = r;
	buf_init(&p.errors);
	strv_init(&p.seen_keys);
	free(r->file);
	r->file = xstrdup(file);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *raw = xstrndup(s, n), *line;

		p.line++;
		if (memchr(s, '\0', n) != NULL) {
			perror_at(&p, NULL, "%s", _("a NUL byte; this is not "
			    "a text file"));
			free(raw);
			break;
		}
		line = trim(raw);
		if (*line == '\0' || *line == '#' || *line == ';')
			;
		else if (*line == '[')
			parse_section(&p, line);
		else
			parse_assignment(&p, line);
		free(raw);
		s += n + 1;
	}
	free(p.section);
	strv_release(&p.seen_keys);
	if (p.errors.len > 0) {
		set_cause(cause, "%s", p.errors.data);
		buf_release(&p.errors);
		return -1;
	}
	buf_release(&p.errors);
	return 0;
}

int
recipe_load(const char *path, bool strict_owner, struct recipe *r,
    char **cause)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, rc;

	/*
	 * One open file: its owner and mode are checked and the same file
	 * is read, so it cannot be swapped between the two (a rename by
	 * whoever can write the directory).
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return set_cause(cause, _("cannot open recipe '%s': %s"), path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_cause(cause, _("recipe '%s' is not a regular "
		    "file"), path);
	}
	if (strict_owner && (st.st_mode & 022) != 0) {
		close(fd);
		return set_cause(cause, _("recipe '%s' is writable by group "
		    "or others (mode %04o); anyone who can edit it controls "
		    "this server: chmod go-w '%s'"), path,
		    (unsigned)(st.st_mode & 07777), path);
	}
	if (strict_owner && st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		return set_cause(cause, _("recipe '%s' belongs to uid %u, not "
		    "to root; chown root '%s'"), path, (unsigned)st.st_uid,
		    path);
	}
	rc = fs_slurp_fd(fd, path, &data, &len, cause);
	close(fd);
	if (rc != 0)
		return -1;
	rc = recipe_parse(path, data, len, r, cause);
	free(data);
	return rc;
}
