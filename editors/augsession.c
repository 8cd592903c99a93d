/*
 * augsession.c -- the Augeas wrapper. Load with AUG_NO_MODL_AUTOLOAD and
 * AUG_NO_LOAD, then aug_transform only what is needed: 30-80 ms and ~20 MB
 * instead of ~1 s and 45 MB for a full load (notes, 1.3).
 */
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "augsession.h"
#include "fsutil.h"
#include "util.h"

#ifndef HW_LENSDIR
#define HW_LENSDIR NULL
#endif

struct augs {
	augeas			*aug;
	char			*root;
	const struct aug_file	*files;
	size_t			 nfiles;
};

augeas *
augs_handle(struct augs *s)
{
	return s->aug;
}

const char *
augs_root(struct augs *s)
{
	return s->root;
}

const char *
augs_error(struct augs *s)
{
	const char *m = aug_error_message(s->aug);
	const char *minor = aug_error_minor_message(s->aug);

	if (minor != NULL && *minor != '\0')
		return minor;
	return m != NULL ? m : "unknown Augeas error";
}

char *
augs_quote(const char *s)
{
	struct buf b;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			buf_add(&b, "\\", 1);
		buf_add(&b, s, 1);
	}
	return buf_detach(&b, NULL);
}

void
augs_free(struct augs *s)
{
	if (s == NULL)
		return;
	if (s->aug != NULL)
		aug_close(s->aug);
	free(s->root);
	free(s);
}

/* Refuse to load a file reached through a link that leaves the root. */
static int
check_links(const char *root, const char *pattern, char **cause)
{
	char *full = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root,
	    pattern);
	size_t skip = strcmp(root, "/") == 0 ? 0 : strlen(root);
	glob_t g;
	int r = 0;

	memset(&g, 0, sizeof g);
	if (glob(full, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
			char *host = NULL;

			r = fs_resolve(root, g.gl_pathv[i] + skip, &host,
			    cause);
			free(host);
		}
	}
	globfree(&g);
	free(full);
	return r;
}

static const char *
tree_value(augeas *aug, const char *path)
{
	const char *v = NULL;

	if (aug_get(aug, path, &v) != 1)
		return NULL;
	return v;
}

/* "/augeas/files/etc/x/error" -> message naming file, line and reason. */
static void
describe_error(struct augs *s, const char *node, struct buf *out)
{
	char *p;
	const char *kind = tree_value(s->aug, node), *line, *chr, *msg;
	size_t len = strlen(node) - strlen("/error");
	char *file = NULL;

	if (str_has_prefix(node, "/augeas/files/"))
		file = xstrndup(node + strlen("/augeas/files"),
		    len - strlen("/augeas/files"));
	p = xasprintf("%s/line", node);
	line = tree_value(s->aug, p);
	free(p);
	p = xasprintf("%s/char", node);
	chr = tree_value(s->aug, p);
	free(p);
	p = xasprintf("%s/message", node);
	msg = tree_value(s->aug, p);
	free(p);
	if (out->len > 0)
		buf_adds(out, "; ");
	if (file != NULL)
		buf_addf(out, "%s%s", strcmp(s->root, "/") == 0 ? "" : s->root,
		    file);
	else
		buf_addf(out, "%.*s", (int)len, node);
	if (line != NULL)
		buf_addf(out, ":%s", line);
	if (line != NULL && chr != NULL)
		buf_addf(out, ":%s", chr);
	if (kind != NULL && strcmp(kind, "parse_failed") == 0)
		buf_adds(out, ": cannot parse");
	else if (kind != NULL && strcmp(kind, "put_failed") == 0)
		buf_adds(out, ": cannot write the edited tree back");
	else if (kind != NULL)
		buf_addf(out, ": %s", kind);
	if (msg != NULL) {
		/* put_failed messages run to kilobytes: first line only. */
		buf_addf(out, " (%.*s)", (int)strcspn(msg, "\n"), msg);
	}
	free(file);
}

static int
collect_errors(struct augs *s, const char *what, char **cause)
{
	char **m = NULL;
	int n = aug_match(s->aug, "/augeas//error", &m);
	struct buf b;

	if (n <= 0) {
		free(m);
		return 0;
	}
	buf_init(&b);
	for (int i = 0; i < n; i++) {
		describe_error(s, m[i], &b);
		free(m[i]);
	}
	free(m);
	set_cause(cause, "%s: %s", what, b.data);
	buf_release(&b);
	return -1;
}

int
augs_open(struct augs **out, const char *root, const struct aug_file *files,
    size_t n, char **cause)
{
	struct augs *s = xcalloc(1, sizeof *s);

	s->root = xstrdup(root);
	s->files = files;
	s->nfiles = n;
	for (size_t i = 0; i < n; i++) {
		if (check_links(root, files[i].glob, cause) != 0)
			goto fail;
	}
	s->aug = aug_init(root, HW_LENSDIR, AUG_NO_MODL_AUTOLOAD |
	    AUG_NO_LOAD | AUG_NO_ERR_CLOSE);
	if (s->aug == NULL) {
		set_cause(cause, "cannot start Augeas: out of memory");
		goto fail;
	}
	if (aug_error(s->aug) != AUG_NOERROR) {
		set_cause(cause, "cannot start Augeas on '%s': %s", root,
		    augs_error(s));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (aug_transform(s->aug, files[i].lens, files[i].glob, 0)
		    != 0) {
			set_cause(cause, "cannot use lens %s for %s: %s",
			    files[i].lens, files[i].glob, augs_error(s));
			goto fail;
		}
	}
	if (aug_load(s->aug) != 0) {
		set_cause(cause, "cannot load configuration under '%s': %s",
		    root, augs_error(s));
		goto fail;
	}
	if (collect_errors(s, "cannot read configuration", cause) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	augs_free(s);
	return -1;
}

static const struct aug_file *
file_for(struct augs *s, const char *path)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		if (fnmatch(s->files[i].glob, path, FNM_PATHNAME) == 0)
			return &s->files[i];
	}
	return NULL;
}

/*
 * Would-be content of PATH: what aug_preview does internally, but it also
 * works for files that do not exist yet (notes, 1.6).
 */
static int
preview(struct augs *s, const struct aug_file *af, const char *path,
    char **text, char **cause)
{
	struct fs_file f;
	char *in, *tree = xasprintf("/files%s", path);
	const char *o = NULL;
	int r = -1;

	if (fs_read(s->root, path, &f, cause) != 0) {
		free(tree);
		return -1;
	}
	if (f.exists && f.len > 0 && f.data[f.len - 1] != '\n')
		in = xasprintf("%s\n", f.data);	/* aug_save adds it too */
	else
		in = xstrdup(f.exists ? f.data : "");
	fs_file_release(&f);
	if (aug_set(s->aug, "/text/in", in) != 0 ||
	    aug_text_retrieve(s->aug, af->lens, "/text/in", tree, "/text/out")
	    != 0 || aug_get(s->aug, "/text/out", &o) != 1 || o == NULL) {
		set_cause(cause, "cannot render the new text of '%s': %s",
		    path, augs_error(s));
		(void)collect_errors(s, "cannot render the new text", cause);
		goto out;
	}
	*text = xstrdup(o);
	r = 0;
out:
	aug_rm(s->aug, "/text");
	free(in);
	free(tree);
	return r;
}

int
augs_collect(struct augs *s, struct plan *p, const char *step, char **cause)
{
	char **m = NULL;
	int n, r = 0, saved;

	aug_set(s->aug, "/augeas/save", "noop");
	saved = aug_save(s->aug);
	aug_set(s->aug, "/augeas/save", "overwrite");
	if (saved != 0) {
		if (collect_errors(s, "cannot apply the edit", cause) == 0)
			set_cause(cause, "cannot apply the edit: %s",
			    augs_error(s));
		return -1;
	}
	n = aug_match(s->aug, "/augeas/events/saved", &m);
	for (int i = 0; i < n; i++) {
		const char *v = tree_value(s->aug, m[i]);
		const char *path = v != NULL && str_has_prefix(v, "/files/") ?
		    v + strlen("/files") : NULL;
		const struct aug_file *af = path ? file_for(s, path) : NULL;
		char *text = NULL;

		if (r == 0 && af == NULL) {
			r = set_cause(cause, "internal error: Augeas would "
			    "write '%s', which no step declared", v ? v : "?");
		} else if (r == 0 && preview(s, af, path, &text, cause) != 0) {
			r = -1;
		} else if (r == 0) {
			r = plan_file(p, step, path, text, strlen(text),
			    af->new_mode, 0, 0, af->validator, cause);
		}
		free(text);
		free(m[i]);
	}
	free(m);
	return r;
}
