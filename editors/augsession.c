/*
 * augsession.c -- the Augeas wrapper. Load with AUG_NO_MODL_AUTOLOAD and
 * AUG_NO_LOAD, then aug_transform only what is needed: 30-80 ms and ~20 MB
 * instead of ~1 s and 45 MB for a full load (notes, 1.3).
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "augsession.h"
#include "fsutil.h"
#include "i18n.h"
#include "util.h"

/* In the scratch root, where the lenses we ship are written for Augeas. */
#define LENS_DIR	"/.hardenwiz-lenses"

struct augs {
	augeas			*aug;
	char			*root;
	char			*scratch;	/* private copy Augeas works on */
	const struct aug_file	*files;
	size_t			 nfiles;
	bool			*deferred;	/* no such file yet: see below */
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

bool
augs_holds(const struct augs *s, const char *glob)
{
	for (size_t i = 0; s != NULL && i < s->nfiles; i++) {
		if (strcmp(s->files[i].glob, glob) == 0)
			return true;
	}
	return false;
}

int
augs_set(struct augs *s, const char *file, const char *key,
    const char *value, char **cause)
{
	char *path = xasprintf("/files%s/%s", file, key);
	int r = 0;

	if (aug_set(s->aug, path, value) != 0)
		r = set_cause(cause, _("cannot set %s in %s: %s"), key, file,
		    augs_error(s));
	free(path);
	return r;
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
	if (s->scratch != NULL)
		fs_remove_tree(s->scratch);
	free(s->scratch);
	free(s->root);
	free(s->deferred);
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

/*
 * Copy the files GLOB names from ROOT into SCRATCH (and create the
 * directory a new file would go in), so that Augeas saves there and never
 * next to a live file.
 */
/*
 * A NUL byte in a configuration file: Augeas (and the C strings behind
 * it) would read the file as ending there, and writing it back would drop
 * the rest without a word. Such a file is refused before anything is
 * planned.
 */
static int
refuse_nul(const char *path, size_t offset, char **cause)
{
	set_cause(cause, _("'%s' has a NUL byte at offset %zu; hardenwiz edits "
	    "text files only and would lose what follows it. Remove the byte "
	    "(for example: tr -d '\\000'), check the file, and run again"),
	    path, offset);
	return AUGS_REFUSED;
}

/*
 * Windows line endings: the lenses stop at the first CR, and an edit
 * could not keep them on the lines it writes. Refused, with the way out.
 */
static int
refuse_crlf(const char *path, const char *text, const char *at, char **cause)
{
	size_t line = 1;

	for (const char *c = text; c < at; c++)
		line += *c == '\n';
	set_cause(cause, _("'%s' has Windows line endings (CR LF, first on "
	    "line %zu); hardenwiz cannot edit it without changing every line. "
	    "Convert it (sed -i 's/\\r$//' %s), check it, and run again"),
	    path, line, path);
	return AUGS_REFUSED;
}

static int
copy_to_scratch(const char *root, const char *scratch, const char *pattern,
    size_t *copied, char **cause)
{
	char *full = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root,
	    pattern);
	size_t skip = strcmp(root, "/") == 0 ? 0 : strlen(root);
	char *dir = xstrdup(pattern), *slash = strrchr(dir, '/');
	glob_t g;
	int r;

	*slash = '\0';
	r = fs_mkdir_p(scratch, dir[0] != '\0' ? dir : "/", 0700, cause);
	memset(&g, 0, sizeof g);
	if (r == 0 && glob(full, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
			const char *path = g.gl_pathv[i] + skip;
			struct fs_file f;

			const char *nul;

			if (fs_read(root, path, &f, cause) != 0)
				r = -1;
			else if (f.exists && (nul = memchr(f.data, '\0',
			    f.len)) != NULL)
				r = refuse_nul(path, (size_t)(nul - f.data),
				    cause);
			else if (f.exists && (nul = strstr(f.data, "\r\n"))
			    != NULL)
				r = refuse_crlf(path, f.data, nul, cause);
			else if (f.exists) {
				char *to = xasprintf("%s%s", scratch, path);

				/* No fsync: Augeas only saves into it. */
				r = fs_write_scratch(to, f.data, f.len, cause);
				*copied += r == 0;
				free(to);
			}
			fs_file_release(&f);
		}
	}
	globfree(&g);
	free(dir);
	free(full);
	return r;
}

/*
 * The modules FILES ship, into SCRATCH's LENS_DIR: *LOADPATH gets the
 * directory (first in Augeas's search), or NULL when none ships one.
 */
static int
write_modules(const char *scratch, const struct aug_file *files, size_t n,
    char **loadpath, char **cause)
{
	*loadpath = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct aug_module *m = files[i].module;
		char *path;
		int r;

		if (m == NULL)
			continue;
		if (*loadpath == NULL) {
			if (fs_mkdir_p(scratch, LENS_DIR, 0700, cause) != 0)
				return -1;
			*loadpath = xasprintf("%s%s", scratch, LENS_DIR);
		}
		path = xasprintf("%s/%s", *loadpath, m->file);
		r = fs_write_scratch(path, m->text, strlen(m->text), cause);
		free(path);
		if (r != 0)
			return -1;
	}
	return 0;
}

static int
transform(struct augs *s, size_t i, char **cause)
{
	const struct aug_file *f = &s->files[i];

	if (aug_transform(s->aug, f->lens, f->glob, 0) == 0)
		return 0;
	return set_cause(cause, _("cannot use lens %s for %s: %s"), f->lens,
	    f->glob, augs_error(s));
}

/*
 * A lens whose files do not exist yet (no fail2ban jail of ours, no
 * dnf-automatic on Debian) is taken on only when a step creates one:
 * loading a lens builds its regular expressions, and Shellvars alone cost
 * a third of an audit that never needed it.
 */
static int
transform_deferred(struct augs *s, char **cause)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		if (!s->deferred[i])
			continue;
		if (transform(s, i, cause) != 0)
			return -1;
		s->deferred[i] = false;
	}
	return 0;
}

int
augs_open(struct augs **out, const char *root, const struct aug_file *files,
    size_t n, char **cause)
{
	char *loadpath = NULL;
	struct augs *s = xcalloc(1, sizeof *s);
	int r = -1;

	s->root = xstrdup(root);
	s->files = files;
	s->nfiles = n;
	for (size_t i = 0; i < n; i++) {
		if (check_links(root, files[i].glob, cause) != 0)
			goto fail;
	}
	/* tmpfs where there is one: Augeas fsyncs what it saves. */
	if ((s->scratch = fs_scratch_dir("aug", cause)) == NULL)
		goto fail;
	s->deferred = xcalloc(n, sizeof *s->deferred);
	for (size_t i = 0; i < n; i++) {
		size_t copied = 0;

		if ((r = copy_to_scratch(root, s->scratch, files[i].glob,
		    &copied, cause)) != 0)
			goto fail;
		s->deferred[i] = copied == 0;
	}
	if (write_modules(s->scratch, files, n, &loadpath, cause) != 0)
		goto fail;
	s->aug = aug_init(s->scratch, loadpath, AUG_NO_MODL_AUTOLOAD |
	    AUG_NO_LOAD | AUG_NO_ERR_CLOSE);
	free(loadpath);
	loadpath = NULL;
	if (s->aug == NULL) {
		set_cause(cause, _("cannot start Augeas: out of memory"));
		goto fail;
	}
	if (aug_error(s->aug) != AUG_NOERROR) {
		set_cause(cause, _("cannot start Augeas on '%s': %s"), root,
		    augs_error(s));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (!s->deferred[i] && transform(s, i, cause) != 0)
			goto fail;
	}
	if (aug_load(s->aug) != 0) {
		set_cause(cause, _("cannot load configuration under '%s': %s"),
		    root, augs_error(s));
		goto fail;
	}
	if (collect_errors(s, "cannot read configuration", cause) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	free(loadpath);
	augs_free(s);
	return r == AUGS_REFUSED ? AUGS_REFUSED : -1;
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

int
augs_collect(struct augs *s, struct plan *p, const char *step, char **cause)
{
	char **m = NULL;
	int n, r = 0;

	/*
	 * A real save, but into the scratch copy: one put pass renders every
	 * changed file. The plan takes the texts from there; the live files
	 * are written only by apply.
	 */
	if (transform_deferred(s, cause) != 0)
		return -1;
	if (aug_save(s->aug) != 0) {
		if (collect_errors(s, "cannot apply the edit", cause) == 0)
			set_cause(cause, _("cannot apply the edit: %s"),
			    augs_error(s));
		return -1;
	}
	n = aug_match(s->aug, "/augeas/events/saved", &m);
	for (int i = 0; i < n; i++) {
		const char *v = tree_value(s->aug, m[i]);
		const char *path = v != NULL && str_has_prefix(v, "/files/") ?
		    v + strlen("/files") : NULL;
		const struct aug_file *af = path ? file_for(s, path) : NULL;
		struct fs_file f;

		memset(&f, 0, sizeof f);
		if (r == 0 && af == NULL) {
			r = set_cause(cause, _("internal error: Augeas would "
			    "write '%s', which no step declared"), v ? v : "?");
		} else if (r == 0 && (fs_read(s->scratch, path, &f, cause) !=
		    0 || !f.exists)) {
			r = set_cause(cause, _("cannot render the new text of "
			    "'%s'"), path);
		} else if (r == 0) {
			r = plan_file(p, step, path, f.data, f.len,
			    af->new_mode, 0, 0, af->checker, cause);
		}
		fs_file_release(&f);
		free(m[i]);
	}
	free(m);
	return r;
}
