/*
 * sshd/config.c -- sshd's configuration as sshd reads it, and the edits
 * that keep it unambiguous. See config.h.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "i18n.h"
#include "sshd/config.h"

#define MAX_INCLUDE_DEPTH 8

const struct sshd_keyword sshd_kw_port = { "Port", "Port", "22" };
const struct sshd_keyword sshd_kw_password = { "PasswordAuthentication",
	"PasswordAuthentication", "yes" };
const struct sshd_keyword sshd_kw_kbd = { "KbdInteractiveAuthentication",
	"KbdInteractiveAuthentication|ChallengeResponseAuthentication", "yes" };
const struct sshd_keyword sshd_kw_rootlogin = { "PermitRootLogin",
	"PermitRootLogin", "prohibit-password" };
const struct sshd_keyword sshd_kw_akfile = { "AuthorizedKeysFile",
	"AuthorizedKeysFile", ".ssh/authorized_keys .ssh/authorized_keys2" };
const struct sshd_keyword sshd_kw_strict = { "StrictModes", "StrictModes",
	"yes" };
const struct sshd_keyword sshd_kw_pubkey = { "PubkeyAuthentication",
	"PubkeyAuthentication", "yes" };
const struct sshd_keyword sshd_kw_allowusers = { "AllowUsers", "AllowUsers",
	"" };
const struct sshd_keyword sshd_kw_denyusers = { "DenyUsers", "DenyUsers", "" };
const struct sshd_keyword sshd_kw_pidfile = { "PidFile", "PidFile",
	"/run/sshd.pid" };

void
sshd_occurrences_release(struct sshd_occurrences *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].file);
		free(o->v[i].node);
		free(o->v[i].label);
		free(o->v[i].value);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

static bool
spelled(const struct sshd_keyword *k, const char *label)
{
	const char *s = k->spellings;

	while (*s != '\0') {
		size_t n = strcspn(s, "|");

		if (strlen(label) == n && strncasecmp(label, s, n) == 0)
			return true;
		s += n + (s[n] == '|');
	}
	return false;
}

/* A node's value; list keys (AllowUsers/1 ...) are joined with spaces. */
static char *
node_value(augeas *aug, const char *node)
{
	const char *v = NULL;
	char **m = NULL, *pattern;
	struct buf b;
	int n;

	if (aug_get(aug, node, &v) == 1 && v != NULL)
		return xstrdup(v);
	buf_init(&b);
	buf_add(&b, "", 0);
	pattern = xasprintf("%s/*", node);
	n = aug_match(aug, pattern, &m);
	for (int i = 0; i < n; i++) {
		if (aug_get(aug, m[i], &v) == 1 && v != NULL)
			buf_addf(&b, "%s%s", b.len ? " " : "", v);
		free(m[i]);
	}
	free(m);
	free(pattern);
	return buf_detach(&b, NULL);
}

static int
path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_file(augeas *, const char *file, int depth,
    struct sshd_occurrences *, struct strv *notes);

/*
 * Files an Include pattern names, sorted as sshd's glob sorts them. Listed
 * from the Augeas tree, so files this plan creates are seen too.
 */
static void
walk_include(augeas *aug, const char *pattern, int depth,
    struct sshd_occurrences *out, struct strv *notes)
{
	char *abs = pattern[0] == '/' ? xstrdup(pattern) :
	    xasprintf("/etc/ssh/%s", pattern);
	char *dir = xstrdup(abs), *slash = strrchr(dir, '/'), *q;
	char **m = NULL;
	struct strv files;
	int n;

	strv_init(&files);
	*slash = '\0';
	q = xasprintf("/files%s/*", dir);
	n = aug_match(aug, q, &m);
	for (int i = 0; i < n; i++) {
		const char *path = m[i] + strlen("/files");

		if (fnmatch(abs, path, FNM_PATHNAME) == 0)
			strv_add(&files, path);
		free(m[i]);
	}
	free(m);
	if (files.n > 1)
		qsort(files.v, files.n, sizeof *files.v, path_cmp);
	if (n <= 0 && strcmp(dir, "/etc/ssh/sshd_config.d") != 0 &&
	    notes != NULL) {
		char *note = xasprintf(_("'Include %s' is not read by "
		    "hardenwiz; check that it sets none of the keywords this "
		    "step changes"), pattern);

		if (!strv_contains(notes, note))
			strv_add(notes, note);
		free(note);
	}
	for (size_t i = 0; i < files.n; i++)
		walk_file(aug, files.v[i], depth + 1, out, notes);
	strv_release(&files);
	free(q);
	free(dir);
	free(abs);
}

static void
walk_file(augeas *aug, const char *file, int depth, struct sshd_occurrences *out,
    struct strv *notes)
{
	char *q, **m = NULL;
	int n;

	if (depth > MAX_INCLUDE_DEPTH)
		return;
	/*
	 * Comments are left out by the query: Augeas names each match by its
	 * position among same-named siblings, and resolving that name again
	 * scans them, so 10,000 comment lines cost 10,000 squared steps.
	 */
	q = xasprintf("/files%s/*[label() != '#comment']", file);
	n = aug_match(aug, q, &m);
	for (int i = 0; i < n; i++) {
		const char *label = NULL;

		if (aug_label(aug, m[i], &label) != 1 || label == NULL ||
		    label[0] == '#' || strcasecmp(label, "Match") == 0) {
			free(m[i]);
			continue;	/* Match blocks are not global */
		}
		if (strcasecmp(label, "Include") == 0) {
			char *v = node_value(aug, m[i]);
			struct strv pats;

			strv_init(&pats);
			split_list(v, &pats);
			for (size_t k = 0; k < pats.n; k++)
				walk_include(aug, pats.v[k], depth, out, notes);
			strv_release(&pats);
			free(v);
		} else {
			struct sshd_occurrence *o;

			out->v = xreallocarray(out->v, out->n + 1,
			    sizeof *out->v);
			o = &out->v[out->n++];
			o->file = xstrdup(file);
			o->node = xstrdup(m[i]);
			o->label = xstrdup(label);
			o->value = node_value(aug, m[i]);
		}
		free(m[i]);
	}
	free(m);
	free(q);
}

/* Global settings in the order sshd reads them. */
void
sshd_walk(augeas *aug, struct sshd_occurrences *out, struct strv *notes)
{
	walk_file(aug, SSHD_MAIN, 0, out, notes);
}

/* The value sshd uses for K in a walk: the first one read, else default. */
char *
sshd_first_value(const struct sshd_occurrences *o, const struct sshd_keyword *k)
{
	for (size_t i = 0; i < o->n; i++) {
		if (spelled(k, o->v[i].label))
			return xstrdup(o->v[i].value);
	}
	return xstrdup(k->dflt);
}

/* The same on the tree as it is now (walks it: use first_value in loops). */
char *
sshd_effective(augeas *aug, const struct sshd_keyword *k)
{
	struct sshd_occurrences o = { 0 };
	char *v;

	sshd_walk(aug, &o, NULL);
	v = sshd_first_value(&o, k);
	sshd_occurrences_release(&o);
	return v;
}

void
sshd_listen_ports(augeas *aug, struct strv *ports)
{
	struct sshd_occurrences o = { 0 };

	sshd_walk(aug, &o, NULL);
	for (size_t i = 0; i < o.n; i++) {
		if (spelled(&sshd_kw_port, o.v[i].label) &&
		    !strv_contains(ports, o.v[i].value))
			strv_add(ports, o.v[i].value);
	}
	sshd_occurrences_release(&o);
	if (ports->n == 0)
		strv_add(ports, sshd_kw_port.dflt);
}

/* A copy of S in ASCII lowercase (sshd's keywords and values; no locale). */
static char *
ascii_lower(const char *s)
{
	char *l = xstrdup(s);

	for (char *c = l; *c != '\0'; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	return l;
}

/* "without-password" is the old spelling of "prohibit-password". */
char *
sshd_canonical(const struct sshd_keyword *k, const char *v)
{
	char *s = ascii_lower(v);

	if (k == &sshd_kw_rootlogin && strcmp(s, "without-password") == 0) {
		free(s);
		s = xstrdup("prohibit-password");
	}
	return s;
}

static bool
same_value(const struct sshd_keyword *k, const char *a, const char *b)
{
	char *x = sshd_canonical(k, a), *y = sshd_canonical(k, b);
	bool eq = strcmp(x, y) == 0;

	free(x);
	free(y);
	return eq;
}

bool
sshd_dropin_is_read(augeas *aug)
{
	char **m = NULL;
	int n = aug_match(aug, "/files" SSHD_MAIN "/*[label() =~ "
	    "regexp('include', 'i')]", &m);
	bool found = false;

	for (int i = 0; i < n; i++) {
		char *v = node_value(aug, m[i]);
		struct strv pats;

		strv_init(&pats);
		split_list(v, &pats);
		for (size_t k = 0; k < pats.n; k++) {
			char *abs = pats.v[k][0] == '/' ? xstrdup(pats.v[k]) :
			    xasprintf("/etc/ssh/%s", pats.v[k]);

			found |= fnmatch(abs, SSHD_DROPIN, FNM_PATHNAME) == 0;
			free(abs);
		}
		strv_release(&pats);
		free(v);
		free(m[i]);
	}
	free(m);
	return found;
}

static int
aug_fail(struct augs *s, const char *what, const char *file, char **cause)
{
	return set_cause(cause, _("cannot %s in '%s': %s"), what, file,
	    augs_error(s));
}

/*
 * Set a global keyword in FILE (an Augeas file path): the first existing
 * line is updated and later duplicates removed; a new line goes after its
 * commented default, else above the first Match block (a line after Match
 * would belong to it), else at the end.
 */
static int
set_in_file(struct augs *s, const char *file, const struct sshd_keyword *k,
    const char *value, char **cause)
{
	augeas *aug = augs_handle(s);
	char *q, **m = NULL;
	int n, r = 0;
	struct buf re;

	buf_init(&re);
	buf_addf(&re, "%s/*[label() =~ regexp('%s', 'i')]", file,
	    k->spellings);
	n = aug_match(aug, re.data, &m);
	buf_release(&re);
	if (n > 0) {
		if (aug_set(aug, m[0], value) != 0)
			r = aug_fail(s, "set the value", file, cause);
		for (int i = n - 1; i >= 1; i--)
			aug_rm(aug, m[i]);
		for (int i = 0; i < n; i++)
			free(m[i]);
		free(m);
		return r;
	}
	free(m);
	q = xasprintf("%s/#comment[. =~ regexp('%s([ \t].*)?', 'i')][last()]",
	    file, k->name);
	if (aug_match(aug, q, NULL) == 1)
		r = aug_insert(aug, q, k->name, 0);
	else {
		free(q);
		q = xasprintf("%s/*[label() =~ regexp('match', 'i')][1]", file);
		if (aug_match(aug, q, NULL) == 1)
			r = aug_insert(aug, q, k->name, 1);
	}
	free(q);
	if (r != 0)
		return aug_fail(s, "insert a line", file, cause);
	q = xasprintf("%s/%s[last()]", file, k->name);
	if (aug_match(aug, q, NULL) == 0) {
		free(q);
		q = xasprintf("%s/%s", file, k->name);
	}
	if (aug_set(aug, q, value) != 0)
		r = aug_fail(s, "set the value", file, cause);
	free(q);
	return r;
}

/* Replace the line at NODE by a comment saying why. */
static int
comment_out(struct augs *s, const struct sshd_occurrence *o, const char *why,
    char **cause)
{
	augeas *aug = augs_handle(s);
	char *text = xasprintf("%s %s  (%s)", o->label, o->value, why);
	char *before = xasprintf("%s/preceding-sibling::*[1]", o->node);
	int r = 0;

	if (aug_insert(aug, o->node, "#comment", 1) != 0 ||
	    aug_set(aug, before, text) != 0 || aug_rm(aug, o->node) < 1)
		r = aug_fail(s, "comment out a line", o->file, cause);
	free(text);
	free(before);
	return r;
}

int
sshd_set_everywhere(struct augs *s, const char *primary_file,
    const struct sshd_occurrences *walked, const struct sshd_keyword *k,
    const char *value, char **cause)
{
	augeas *aug = augs_handle(s);
	char *primary = xasprintf("/files%s", primary_file);
	const struct sshd_occurrences o = *walked;
	int r = 0;

	if (set_in_file(s, primary, k, value, cause) != 0)
		r = -1;
	free(primary);
	for (size_t i = o.n; r == 0 && i-- > 0;) {
		const struct sshd_occurrence *oc = &o.v[i];
		char *why;

		if (!spelled(k, oc->label) || strcmp(oc->file,
		    primary_file) == 0)
			continue;
		if (k == &sshd_kw_port) {
			why = xasprintf(_("disabled by hardenwiz: the port is "
			    "set in %s"), primary_file);
			r = comment_out(s, oc, why, cause);
			free(why);
		} else if (!same_value(k, oc->value, value) &&
		    aug_set(aug, oc->node, value) != 0)
			r = aug_fail(s, "set the value", oc->file,
			    cause);
	}
	return r;
}

/*
 * Match blocks that turn password login back on for some connections. They
 * are often deliberate (an SFTP-only group), so they are reported, not
 * rewritten.
 */
/*
 * LINE's keyword and first argument as sshd splits them ("Key value",
 * "Key=value", "Key = value", a quoted argument unquoted), in place; false
 * for a blank line or a comment.
 */
static bool
line_words(char *line, char **key, char **value)
{
	static const char ws[] = " \t\r";
	char *s = line + strspn(line, ws), *v;

	if (*s == '\0' || *s == '#')
		return false;
	*key = s;
	s += strcspn(s, " \t\r=");
	v = s + strspn(s, ws);
	if (*v == '=')
		v += 1 + strspn(v + 1, ws);
	*s = '\0';
	if (*v == '"') {
		*value = ++v;
		v += strcspn(v, "\"");
	} else {
		*value = v;
		v += strcspn(v, ws);
	}
	*v = '\0';
	return true;
}

/* FILE's Match blocks (to the next Match or its end) that set password. */
static void
match_scan(const char *file, const char *text, struct strv *out)
{
	bool in_match = false;

	while (*text != '\0') {
		size_t len = strcspn(text, "\n");
		char *line = xstrndup(text, len), *key, *value;

		if (line_words(line, &key, &value)) {
			if (strcasecmp(key, "Match") == 0)
				in_match = true;
			else if (in_match && (spelled(&sshd_kw_password, key) ||
			    spelled(&sshd_kw_kbd, key)) &&
			    strcasecmp(value, "yes") == 0)
				strv_addf(out, _("%s: a Match block sets '%s "
				    "yes': password login stays on for the "
				    "connections it matches"), file, key);
		}
		free(line);
		text += len + (text[len] == '\n');
	}
}

/*
 * Read from the files' text, not a lens, so an audit needs none: the
 * files SSHD_AUG_FILES names, in the order Augeas loads them. A plan
 * never edits a Match block, so the text on disk is the plan's too.
 */
void
sshd_match_overrides(const char *root, struct strv *out)
{
	struct strv files, names;

	strv_init(&files);
	strv_init(&names);
	strv_add(&files, SSHD_MAIN);
	if (fs_list(root, SSHD_DROPIN_DIR, &names, NULL) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			if (str_has_suffix(names.v[i], ".conf"))
				strv_addf(&files, "%s/%s", SSHD_DROPIN_DIR,
				    names.v[i]);
		}
	}
	for (size_t i = 0; i < files.n; i++) {
		struct fs_file f;

		if (fs_read(root, files.v[i], &f, NULL) == 0 && f.exists)
			match_scan(files.v[i], f.data, out);
		fs_file_release(&f);
	}
	strv_release(&names);
	strv_release(&files);
}

char *
sshd_view_value(const struct sshd_view *view, const struct sshd_keyword *k)
{
	char *key = ascii_lower(k->name);
	const char *v;

	v = sshd_view_get(view, key);
	free(key);
	return xstrdup(v != NULL ? v : k->dflt);
}
