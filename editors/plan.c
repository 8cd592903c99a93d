/*
 * plan.c -- building and rendering the changeset.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "diff.h"
#include "fsutil.h"
#include "plan.h"
#include "sysinfo.h"

void
plan_init(struct plan *p, const char *root)
{
	memset(p, 0, sizeof *p);
	p->root = xstrdup(root);
	p->offline = strcmp(root, "/") != 0;
	strv_init(&p->secrets);
	strv_init(&p->secret_files);
	strv_init(&p->private_files);
	strv_init(&p->notes);
	strv_init(&p->not_applicable);
}

void
plan_not_applicable(struct plan *p, const char *step)
{
	if (!strv_contains(&p->not_applicable, step))
		strv_add(&p->not_applicable, step);
}

static void
change_release(struct change *c)
{
	free(c->step);
	free(c->path);
	/* A file's text may be a private key or a password map. */
	if (c->old_text != NULL)
		explicit_bzero(c->old_text, c->old_len);
	if (c->new_text != NULL)
		explicit_bzero(c->new_text, c->new_len);
	if (c->new_text != c->old_text)
		free(c->new_text);
	free(c->old_text);
	argv_free(c->argv);
	argv_free(c->undo_argv);
	free(c->why);
	strv_release(&c->touches);
}

void
plan_refuse(struct plan *p, bool lockout, const char *fmt, ...)
{
	va_list ap;

	if (p->refusal != NULL)
		return;
	va_start(ap, fmt);
	p->refusal = xvasprintf(fmt, ap);
	va_end(ap);
	p->lockout = lockout;
}

void
plan_offer(struct plan *p, const char *label, const char *key,
    const char *value)
{
	if (p->offer_key != NULL)
		return;
	p->offer_label = xstrdup(label);
	p->offer_key = xstrdup(key);
	p->offer_value = xstrdup(value);
}

void
plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->nchanges; i++)
		change_release(&p->changes[i]);
	free(p->changes);
	for (size_t i = 0; i < p->nexpect; i++) {
		free(p->expect[i].step);
		free(p->expect[i].key);
		free(p->expect[i].label);
		free(p->expect[i].value);
		free(p->expect[i].alias);
		free(p->expect[i].current);
	}
	free(p->expect);
	strv_release(&p->secrets);
	strv_release(&p->secret_files);
	strv_release(&p->private_files);
	strv_release(&p->notes);
	strv_release(&p->not_applicable);
	free(p->refusal);
	free(p->offer_label);
	free(p->offer_key);
	free(p->offer_value);
	for (size_t i = 0; i < p->nresync; i++)
		argv_free(p->resync[i]);
	free(p->resync);
	free(p->root);
	memset(p, 0, sizeof *p);
}

static struct change *
plan_new(struct plan *p, enum change_kind kind, const char *step)
{
	struct change *c;

	if (p->nchanges == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->changes = xreallocarray(p->changes, p->cap,
		    sizeof *p->changes);
	}
	c = &p->changes[p->nchanges++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->step = xstrdup(step);
	return c;
}

struct change *
plan_find_file(struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		struct change *c = &p->changes[i];

		if (c->kind == CHANGE_FILE && strcmp(c->path, path) == 0)
			return c;
	}
	return NULL;
}

static bool
change_is_noop(const struct change *c)
{
	return c->existed && c->old_len == c->new_len &&
	    memcmp(c->old_text, c->new_text, c->old_len) == 0 &&
	    c->old_mode == c->new_mode && c->old_uid == c->new_uid &&
	    c->old_gid == c->new_gid;
}

static void
plan_drop(struct plan *p, struct change *c)
{
	size_t i = (size_t)(c - p->changes);

	change_release(c);
	memmove(&p->changes[i], &p->changes[i + 1],
	    (p->nchanges - i - 1) * sizeof *c);
	p->nchanges--;
}

/* The planned FILE change for PATH, created from the current file if new. */
static struct change *
file_change(struct plan *p, const char *step, const char *path, mode_t mode,
    uid_t uid, gid_t gid, char **cause)
{
	struct change *c = plan_find_file(p, path);
	struct fs_file f;

	if (c != NULL)
		return c;
	if (fs_read(p->root, path, &f, cause) != 0)
		return NULL;
	c = plan_new(p, CHANGE_FILE, step);
	c->path = xstrdup(path);
	c->existed = f.exists;
	if (f.exists) {
		/* One buffer until the text changes (see plan.h). */
		c->old_text = c->new_text = f.data;
		c->old_len = c->new_len = f.len;
		c->old_mode = c->new_mode = f.mode;
		c->old_uid = c->new_uid = f.uid;
		c->old_gid = c->new_gid = f.gid;
	} else {
		c->new_text = xstrdup("");
		c->new_mode = mode;
		c->new_uid = uid;
		c->new_gid = gid;
	}
	return c;
}

int
plan_file(struct plan *p, const char *step, const char *path,
    const char *new, size_t len, mode_t mode, uid_t uid, gid_t gid,
    const struct checker *checker, char **cause)
{
	struct change *c = file_change(p, step, path, mode, uid, gid, cause);

	if (c == NULL)
		return -1;
	if (c->new_text != c->old_text)
		free(c->new_text);
	c->new_text = xstrndup(new, len);
	c->new_len = len;
	if (checker != NULL)
		c->checker = checker;
	if (strcmp(c->step, step) != 0 && !change_is_noop(c)) {
		/* Later steps own the combined edit of a shared file. */
		free(c->step);
		c->step = xstrdup(step);
	}
	if (change_is_noop(c))
		plan_drop(p, c);
	return 0;
}

int
plan_append(struct plan *p, const char *step, const char *path,
    const char *tail, size_t len, mode_t mode, const struct checker *checker,
    char **cause)
{
	struct change *c = file_change(p, step, path, mode, 0, 0, cause);
	size_t at;
	bool shared;

	if (c == NULL)
		return -1;
	if (len == 0) {
		if (change_is_noop(c))
			plan_drop(p, c);
		return 0;
	}
	at = c->new_len;
	shared = c->new_text == c->old_text;
	c->new_text = xrealloc(c->new_text, at + len + 1);
	/*
	 * A shared text grows in its one buffer: the old text stays its
	 * first OLD_LEN bytes, so a million-line map is held once.
	 */
	if (shared)
		c->old_text = c->new_text;
	memcpy(c->new_text + at, tail, len);
	c->new_text[at + len] = '\0';
	c->new_len = at + len;
	if (checker != NULL)
		c->checker = checker;
	if (strcmp(c->step, step) != 0) {
		free(c->step);
		c->step = xstrdup(step);
	}
	return 0;
}

int
plan_file_mode(struct plan *p, const char *step, const char *path,
    mode_t mode, uid_t uid, gid_t gid, char **cause)
{
	struct change *c = file_change(p, step, path, mode, uid, gid, cause);

	if (c == NULL)
		return -1;
	if (c->existed) {
		/* Tighten only: keep no permission the step did not allow. */
		c->new_mode = c->old_mode & mode;
	}
	c->new_uid = uid;
	c->new_gid = gid;
	if (change_is_noop(c))
		plan_drop(p, c);
	return 0;
}

void
plan_mkdir(struct plan *p, const char *step, const char *path, mode_t mode,
    uid_t uid, gid_t gid)
{
	struct change *c;

	for (size_t i = 0; i < p->nchanges; i++) {
		if (p->changes[i].kind == CHANGE_MKDIR &&
		    strcmp(p->changes[i].path, path) == 0)
			return;
	}
	c = plan_new(p, CHANGE_MKDIR, step);
	c->path = xstrdup(path);
	c->new_mode = mode;
	c->new_uid = uid;
	c->new_gid = gid;
}

void
plan_parents(struct plan *p, const char *step, const char *path)
{
	char *dir = xstrdup(path);

	/* Top down: /etc/cron.d before anything inside it. */
	for (char *slash = strchr(dir + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (!fs_exists(p->root, dir))
			plan_mkdir(p, step, dir, 0755, 0, 0);
		*slash = '/';
	}
	free(dir);
}

struct change *
plan_command(struct plan *p, const char *step, char *const *argv,
    char *const *undo_argv, const char *why)
{
	struct change *c = plan_new(p, CHANGE_COMMAND, step);

	c->argv = argv_dup(argv);
	c->undo_argv = argv_dup(undo_argv);
	c->why = xstrdup(why != NULL ? why : "");
	strv_init(&c->touches);
	return c;
}

void
plan_order_file(struct plan *p, const char *path, int order)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		if (p->changes[i].kind == CHANGE_FILE &&
		    strcmp(p->changes[i].path, path) == 0)
			p->changes[i].order = order;
	}
}

void
plan_sort(struct plan *p)
{
	/* Insertion sort: stable, and plans are a few dozen changes. */
	for (size_t i = 1; i < p->nchanges; i++) {
		struct change c = p->changes[i];
		size_t k = i;

		for (; k > 0 && p->changes[k - 1].order > c.order; k--)
			p->changes[k] = p->changes[k - 1];
		p->changes[k] = c;
	}
}

void
plan_touches(struct change *c, const char *path)
{
	if (!strv_contains(&c->touches, path))
		strv_add(&c->touches, path);
}

static bool
argv_equal(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a[i] != NULL && b[i] != NULL; i++) {
		if (strcmp(a[i], b[i]) != 0)
			return false;
	}
	return a[i] == NULL && b[i] == NULL;
}

bool
plan_has_command(const struct plan *p, char *const *argv)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		if (p->changes[i].kind == CHANGE_COMMAND &&
		    argv_equal(p->changes[i].argv, argv))
			return true;
	}
	return false;
}

void
plan_resync(struct plan *p, char *const *argv)
{
	for (size_t i = 0; i < p->nresync; i++) {
		if (argv_equal(p->resync[i], argv))
			return;
	}
	p->resync = xreallocarray(p->resync, p->nresync + 1,
	    sizeof *p->resync);
	p->resync[p->nresync++] = argv_dup(argv);
}

void
plan_expect(struct plan *p, const char *step,
    const struct expect_kind *kind, const char *key, const char *label,
    const char *value, const char *alias, const char *current)
{
	struct expectation *e;

	for (size_t i = 0; i < p->nexpect; i++) {
		e = &p->expect[i];
		/* A map is asked for many keys: one expectation each. */
		if (e->kind == kind && strcmp(e->key, key) == 0 &&
		    (!kind->per_label || strcmp(e->label, label) == 0)) {
			free(e->value);
			free(e->alias);
			e->value = xstrdup(value);
			e->alias = alias != NULL ? xstrdup(alias) : NULL;
			return;	/* the first current value stays */
		}
	}
	p->expect = xreallocarray(p->expect, p->nexpect + 1, sizeof *p->expect);
	e = &p->expect[p->nexpect++];
	e->step = xstrdup(step);
	e->kind = kind;
	e->key = xstrdup(key);
	e->label = xstrdup(label);
	e->value = xstrdup(value);
	e->alias = alias != NULL ? xstrdup(alias) : NULL;
	e->current = xstrdup(current != NULL ? current : "");
}

void
plan_private_file(struct plan *p, const char *path)
{
	secrets_protect();
	if (!strv_contains(&p->private_files, path))
		strv_add(&p->private_files, path);
}

void
plan_secret_file(struct plan *p, const char *path)
{
	secrets_protect();
	if (!strv_contains(&p->secret_files, path))
		strv_add(&p->secret_files, path);
}

/*
 * TEXT with the value of each line masked: its first word stays, and of
 * the rest only what comes before a ':' ("user:" of a password map's
 * "user:password"). A file that holds secrets shows which entries change,
 * never their values, on either side of the diff nor in context.
 */
static char *
mask_lines(const char *text)
{
	struct buf b;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (*text != '\0') {
		size_t len = strcspn(text, "\n"), word = strcspn(text, " \t\n");

		buf_add(&b, text, word < len ? word : len);
		if (word < len) {
			const char *rest = text + word;
			size_t sp = strspn(rest, " \t"), colon;

			colon = strcspn(rest + sp, ": \t\n");
			buf_adds(&b, " ");
			if (rest[sp + colon] == ':')
				buf_add(&b, rest + sp, colon + 1);
			buf_adds(&b, "********");
		}
		if (text[len] == '\n')
			buf_adds(&b, "\n");
		text += len + (text[len] == '\n');
	}
	return buf_detach(&b, NULL);
}

void
plan_secret(struct plan *p, const char *secret)
{
	secrets_protect();
	if (secret[0] != '\0' && !strv_contains(&p->secrets, secret))
		strv_add(&p->secrets, secret);
}

void
plan_note(struct plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (!strv_contains(&p->notes, s))
		strv_add(&p->notes, s);
	free(s);
}

int
plan_text_after(struct plan *p, const char *path, char **text, size_t *len,
    bool *exists, char **cause)
{
	struct change *c = plan_find_file(p, path);
	struct fs_file f;

	if (c != NULL) {
		*text = xstrndup(c->new_text, c->new_len);
		*len = c->new_len;
		*exists = true;
		return 0;
	}
	if (fs_read(p->root, path, &f, cause) != 0)
		return -1;
	*exists = f.exists;
	*text = f.exists ? f.data : xstrdup("");
	*len = f.len;
	return 0;
}

bool
plan_is_empty(const struct plan *p)
{
	return p->nchanges == 0;
}

size_t
plan_count(const struct plan *p, enum change_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nchanges; i++)
		n += p->changes[i].kind == kind;
	return n;
}

bool
plan_step_changes(const struct plan *p, const char *step)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		if (strcmp(p->changes[i].step, step) == 0)
			return true;
	}
	return false;
}

/* A character that continues a word: a secret is masked between others. */
static bool
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

char *
plan_mask(const struct plan *p, const char *s)
{
	char *out = xstrdup(s);

	for (size_t i = 0; i < p->secrets.n; i++) {
		const char *secret = p->secrets.v[i];
		size_t slen = strlen(secret);
		struct buf b;
		const char *at, *from = out, *scan = out;

		if (strstr(out, secret) == NULL)
			continue;
		buf_init(&b);
		while ((at = strstr(scan, secret)) != NULL) {
			/*
			 * A whole secret only: a one-letter password must
			 * not mask that letter everywhere.
			 */
			if ((at > out && word_char(at[-1])) ||
			    word_char(at[slen])) {
				scan = at + 1;
				continue;
			}
			buf_add(&b, from, (size_t)(at - from));
			buf_adds(&b, "********");
			from = scan = at + slen;
		}
		buf_adds(&b, from);
		free(out);
		out = buf_detach(&b, NULL);
	}
	return out;
}

/*
 * "user:group" of a file on the system being changed: on this machine
 * through NSS (LDAP users too), under --root from the root's own passwd
 * and group files (the host's uid 110 is someone else there). A number
 * stands for a name that is not found.
 */
static void
owner_names(const char *root, uid_t uid, gid_t gid, char *out, size_t len)
{
	char user[64], group[64];

	snprintf(user, sizeof user, "%u", (unsigned)uid);
	snprintf(group, sizeof group, "%u", (unsigned)gid);
	if (strcmp(root, "/") == 0) {
		struct passwd *pw = getpwuid(uid);
		struct group *gr = getgrgid(gid);

		if (pw != NULL)
			snprintf(user, sizeof user, "%s", pw->pw_name);
		if (gr != NULL)
			snprintf(group, sizeof group, "%s", gr->gr_name);
	} else {
		(void)id_name(root, "/etc/passwd", (unsigned)uid, user,
		    sizeof user);
		(void)id_name(root, "/etc/group", (unsigned)gid, group,
		    sizeof group);
	}
	snprintf(out, len, "%s:%s", user, group);
}

static void
render_file(const struct plan *p, const struct change *c, struct buf *out)
{
	struct buf d;
	char *masked;

	buf_init(&d);
	if (strv_contains(&p->private_files, c->path)) {
		/* Not a line of it, not even masked: only that it is there. */
		if (!c->existed || c->old_len != c->new_len ||
		    memcmp(c->old_text, c->new_text, c->new_len) != 0)
			buf_addf(&d, "# private %s: a private key, %zu bytes "
			    "(never shown)\n", c->path, c->new_len);
	} else if (strv_contains(&p->secret_files, c->path)) {
		char *o = c->existed ? xstrndup(c->old_text, c->old_len) : NULL;
		char *old = o != NULL ? mask_lines(o) : NULL;
		char *new = mask_lines(c->new_text);

		free(o);

		if (diff_unified(&d, c->path, old, old ? strlen(old) : 0, new,
		    strlen(new), 3) == 0 && (!c->existed || c->old_len !=
		    c->new_len || memcmp(c->old_text, c->new_text,
		    c->new_len) != 0))
			buf_addf(&d, _("# secret %s: its secret values change "
			    "(not shown)\n"), c->path);
		free(old);
		free(new);
	} else if (p->secrets.n == 0) {
		/* Nothing to mask: the texts as they are, not copies. */
		diff_unified(&d, c->path, c->existed ? c->old_text : NULL,
		    c->old_len, c->new_text, c->new_len, 3);
	} else {
		char *o = c->existed ? xstrndup(c->old_text, c->old_len) : NULL;
		char *old = o != NULL ? plan_mask(p, o) : NULL;
		char *new = plan_mask(p, c->new_text);

		diff_unified(&d, c->path, old, old ? strlen(old) : 0, new,
		    strlen(new), 3);
		free(o);
		free(old);
		free(new);
	}
	masked = buf_detach(&d, NULL);
	buf_adds(out, masked);
	free(masked);
	if (!c->existed) {
		char own[128];

		owner_names(p->root, c->new_uid, c->new_gid, own, sizeof own);
		buf_addf(out, "# mode %s %04o %s (new file)\n", c->path,
		    (unsigned)c->new_mode, own);
		return;
	}
	if (c->old_mode != c->new_mode)
		buf_addf(out, "# mode %s %04o -> %04o\n", c->path,
		    (unsigned)c->old_mode, (unsigned)c->new_mode);
	if (c->old_uid != c->new_uid || c->old_gid != c->new_gid) {
		char a[128], b[128];

		owner_names(p->root, c->old_uid, c->old_gid, a, sizeof a);
		owner_names(p->root, c->new_uid, c->new_gid, b, sizeof b);
		buf_addf(out, "# owner %s %s -> %s\n", c->path, a, b);
	}
}

void
plan_render(const struct plan *p, const char *step, struct buf *out)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];

		if (step != NULL && strcmp(c->step, step) != 0)
			continue;
		if (c->kind == CHANGE_MKDIR) {
			char own[128];

			owner_names(p->root, c->new_uid, c->new_gid, own,
			    sizeof own);
			buf_addf(out, "# mkdir %s %04o %s\n", c->path,
			    (unsigned)c->new_mode, own);
		} else if (c->kind == CHANGE_FILE)
			render_file(p, c, out);
	}
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];
		char *q, *m;

		if (c->kind != CHANGE_COMMAND)
			continue;
		if (step != NULL && strcmp(c->step, step) != 0)
			continue;
		q = argv_quote(c->argv);
		m = plan_mask(p, q);
		buf_addf(out, "# run: %s%s\n", m,
		    p->offline ? "  (skipped: offline root)" : "");
		free(q);
		free(m);
	}
}

void
plan_step_files(const struct plan *p, const char *step, struct strv *out)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];

		if (strcmp(c->step, step) != 0)
			continue;
		if (c->kind != CHANGE_COMMAND && !strv_contains(out, c->path))
			strv_add(out, c->path);
		for (size_t k = 0; k < c->touches.n; k++) {
			if (!strv_contains(out, c->touches.v[k]))
				strv_add(out, c->touches.v[k]);
		}
	}
}
