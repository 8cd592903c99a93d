/*
 * journal.c -- transaction records, rollback and the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "diff.h"
#include "fsutil.h"
#include "journal.h"
#include "run.h"

struct journal {
	char	*root;
	char	*id;
	char	*dir;		/* path inside the root */
	json_t	*manifest;
};

int
lock_acquire(const char *root, bool wait, int *fd, char **cause)
{
	char *host = NULL;
	int lfd;

	if (fs_mkdir_p(root, "/var/lib/hardenwiz", 0700, cause) != 0 ||
	    fs_resolve(root, LOCK_PATH, &host, cause) != 0)
		return -1;
	lfd = open(host, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lfd < 0) {
		set_cause(cause, _("cannot open the lock '%s': %s"), host,
		    strerror(errno));
		free(host);
		return -1;
	}
	while (flock(lfd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			set_cause(cause, _("another hardenwiz is running (lock "
			    "'%s' is held); wait for it to finish"), host);
		else
			set_cause(cause, _("cannot lock '%s': %s"), host,
			    strerror(errno));
		close(lfd);
		free(host);
		return -1;
	}
	free(host);
	*fd = lfd;
	return 0;
}

void
lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

static char *
manifest_path(const char *dir)
{
	return xasprintf("%s/manifest.json", dir);
}

static int
manifest_write(const char *root, const char *dir, json_t *m, char **cause)
{
	char *text = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
	char *path = manifest_path(dir);
	int r;

	if (text == NULL) {
		free(path);
		return set_cause(cause, _("cannot encode the journal"));
	}
	r = fs_write_atomic(root, path, text, strlen(text), 0600, 0, 0, cause);
	free(text);
	free(path);
	return r;
}

static json_t *
manifest_read(const char *root, const char *dir, char **cause)
{
	char *path = manifest_path(dir);
	struct fs_file f;
	json_error_t err;
	json_t *m = NULL;

	if (fs_read(root, path, &f, cause) != 0)
		goto out;
	if (!f.exists) {
		set_cause(cause, _("no journal at '%s%s'"), strcmp(root, "/") ?
		    root : "", path);
		goto out;
	}
	m = json_loadb(f.data, f.len, 0, &err);
	if (m == NULL)
		set_cause(cause, _("cannot read the journal '%s': line %d: %s"),
		    path, err.line, err.text);
out:
	fs_file_release(&f);
	free(path);
	return m;
}

static char *
new_id(const char *root, char **dir)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (int n = 1;; n++) {
		char *id = xasprintf("%s-%d", stamp, n);
		char *d = xasprintf("%s/%s", JOURNAL_DIR, id);

		if (!fs_exists(root, d)) {
			*dir = d;
			return id;
		}
		free(id);
		free(d);
	}
}

static json_t *
json_argv(char *const *argv)
{
	json_t *a = json_array();

	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

/*
 * How History may show a file's change later: its diff, its keys only
 * (a secret: sasl_passwd), or nothing (a private key). The secrets' values
 * are gone by then, so a secret file shows no content at all.
 */
static const char *
file_show(const struct plan *p, const char *path)
{
	if (strv_contains(&p->private_files, path))
		return "private";
	if (strv_contains(&p->secret_files, path))
		return "secret";
	return "diff";
}

static json_t *
change_json(const struct plan *p, const struct change *c, size_t i)
{
	json_t *o = json_object();
	char sha[65];

	json_object_set_new(o, "step", json_string(c->step));
	json_object_set_new(o, "done", json_false());
	switch (c->kind) {
	case CHANGE_FILE:
		json_object_set_new(o, "kind", json_string("file"));
		json_object_set_new(o, "path", json_string(c->path));
		json_object_set_new(o, "show", json_string(file_show(p,
		    c->path)));
		json_object_set_new(o, "existed", json_boolean(c->existed));
		if (c->existed) {
			char *orig = xasprintf("orig-%zu", i);

			json_object_set_new(o, "orig", json_string(orig));
			free(orig);
			json_object_set_new(o, "old_mode",
			    json_integer(c->old_mode));
			json_object_set_new(o, "old_uid",
			    json_integer(c->old_uid));
			json_object_set_new(o, "old_gid",
			    json_integer(c->old_gid));
		}
		sha256_hex(c->new_text, c->new_len, sha);
		json_object_set_new(o, "new_sha256", json_string(sha));
		json_object_set_new(o, "new_mode", json_integer(c->new_mode));
		json_object_set_new(o, "new_uid", json_integer(c->new_uid));
		json_object_set_new(o, "new_gid", json_integer(c->new_gid));
		break;
	case CHANGE_MKDIR:
		json_object_set_new(o, "kind", json_string("mkdir"));
		json_object_set_new(o, "path", json_string(c->path));
		break;
	case CHANGE_COMMAND:
		json_object_set_new(o, "kind", json_string("command"));
		json_object_set_new(o, "argv", json_argv(c->argv));
		if (c->undo_argv != NULL)
			json_object_set_new(o, "undo",
			    json_argv(c->undo_argv));
		break;
	}
	return o;
}

/*
 * Keep the original of every file a command rewrites (once, before the
 * first command runs): the firewall tools rewrite their rule stores in their
 * own order, and only the original bytes make a rollback exact.
 */
static int
save_touched(const char *root, const char *dir, const struct plan *p,
    json_t **out, char **cause)
{
	json_t *list = json_array();
	struct strv seen;
	int r = 0;

	strv_init(&seen);
	for (size_t i = 0; i < p->nchanges && r == 0; i++) {
		const struct strv *t = &p->changes[i].touches;

		for (size_t k = 0; k < t->n && r == 0; k++) {
			struct fs_file f;
			json_t *o;
			char *orig;

			if (strv_contains(&seen, t->v[k]))
				continue;
			strv_add(&seen, t->v[k]);
			if (fs_read(root, t->v[k], &f, cause) != 0) {
				r = -1;
				break;
			}
			o = json_object();
			json_object_set_new(o, "path", json_string(t->v[k]));
			json_object_set_new(o, "existed",
			    json_boolean(f.exists));
			if (f.exists) {
				orig = xasprintf("touched-%zu", seen.n);
				json_object_set_new(o, "orig",
				    json_string(orig));
				json_object_set_new(o, "old_mode",
				    json_integer(f.mode));
				json_object_set_new(o, "old_uid",
				    json_integer(f.uid));
				json_object_set_new(o, "old_gid",
				    json_integer(f.gid));
				free(orig);
				orig = xasprintf("%s/touched-%zu", dir,
				    seen.n);
				r = fs_write_atomic(root, orig, f.data, f.len,
				    0600, 0, 0, cause);
				free(orig);
			}
			json_array_append_new(list, o);
			fs_file_release(&f);
		}
	}
	strv_release(&seen);
	if (r != 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

/*
 * A journal directory without a manifest is a journal_begin that was killed
 * before its first record: nothing was changed, and the originals it had
 * copied (maybe a password map) must not stay. Called under the lock.
 */
static void
remove_unbegun(const char *root)
{
	struct strv ids;

	strv_init(&ids);
	if (fs_list(root, JOURNAL_DIR, &ids, NULL) == 0) {
		for (size_t i = 0; i < ids.n; i++) {
			char *m = xasprintf("%s/%s/manifest.json", JOURNAL_DIR,
			    ids.v[i]);
			char *d = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
			char *host = NULL;

			if (!fs_exists(root, m) && fs_resolve(root, d, &host,
			    NULL) == 0)
				fs_remove_tree(host);
			free(host);
			free(d);
			free(m);
		}
	}
	strv_release(&ids);
}

int
journal_begin(const char *root, const struct plan *p, struct journal **out,
    char **cause)
{
	struct journal *j = xcalloc(1, sizeof *j);
	json_t *changes = json_array(), *steps = json_array();
	json_t *touched = NULL, *resync = json_array();
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	j->root = xstrdup(root);
	if (fs_mkdir_p(root, JOURNAL_DIR, 0700, cause) != 0)
		goto fail;
	remove_unbegun(root);
	j->id = new_id(root, &j->dir);
	if (fs_mkdir(root, j->dir, 0700, 0, 0, cause) != 0)
		goto fail;
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];
		bool seen = false;

		json_array_append_new(changes, change_json(p, c, i));
		for (size_t k = 0; k < json_array_size(steps); k++)
			seen |= strcmp(json_string_value(json_array_get(steps,
			    k)), c->step) == 0;
		if (!seen)
			json_array_append_new(steps, json_string(c->step));
		if (c->kind == CHANGE_FILE && c->existed) {
			char *orig = xasprintf("%s/orig-%zu", j->dir, i);
			int r = fs_write_atomic(root, orig, c->old_text,
			    c->old_len, 0600, 0, 0, cause);

			free(orig);
			if (r != 0)
				goto fail;
		}
	}
	if (p->offline)
		touched = json_array();	/* commands are not run: no files */
	else if (save_touched(root, j->dir, p, &touched, cause) != 0)
		goto fail;
	for (size_t i = 0; i < p->nresync; i++)
		json_array_append_new(resync, json_argv(p->resync[i]));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	j->manifest = json_object();
	json_object_set_new(j->manifest, "version", json_integer(1));
	json_object_set_new(j->manifest, "id", json_string(j->id));
	json_object_set_new(j->manifest, "time", json_string(stamp));
	json_object_set_new(j->manifest, "root", json_string(root));
	json_object_set_new(j->manifest, "state", json_string("applying"));
	json_object_set_new(j->manifest, "steps", steps);
	json_object_set_new(j->manifest, "changes", changes);
	json_object_set_new(j->manifest, "touched", touched);
	json_object_set_new(j->manifest, "resync", resync);
	steps = changes = touched = resync = NULL;
	if (manifest_write(root, j->dir, j->manifest, cause) != 0)
		goto fail;
	*out = j;
	return 0;
fail:
	json_decref(changes);
	json_decref(steps);
	json_decref(touched);
	json_decref(resync);
	journal_free(j);
	return -1;
}

const char *
journal_id(const struct journal *j)
{
	return j->id;
}

int
journal_done(struct journal *j, size_t i, bool skipped, char **cause)
{
	json_t *c = json_array_get(json_object_get(j->manifest, "changes"), i);

	if (c == NULL)
		return set_cause(cause, _("internal error: no change %zu"), i);
	json_object_set_new(c, "done", json_true());
	if (skipped)
		json_object_set_new(c, "skipped", json_true());
	return manifest_write(j->root, j->dir, j->manifest, cause);
}

int
journal_started(struct journal *j, size_t i, char **cause)
{
	json_t *c = json_array_get(json_object_get(j->manifest, "changes"), i);

	if (c == NULL)
		return set_cause(cause, _("internal error: no change %zu"), i);
	json_object_set_new(c, "started", json_true());
	return manifest_write(j->root, j->dir, j->manifest, cause);
}

int
journal_seal(struct journal *j, char **cause)
{
	json_t *touched = json_object_get(j->manifest, "touched");

	for (size_t i = 0; i < json_array_size(touched); i++) {
		json_t *o = json_array_get(touched, i);
		struct fs_file f;
		char sha[65];

		if (fs_read(j->root, json_string_value(json_object_get(o,
		    "path")), &f, cause) != 0)
			return -1;
		json_object_set_new(o, "new_exists", json_boolean(f.exists));
		if (f.exists) {
			sha256_hex(f.data, f.len, sha);
			json_object_set_new(o, "new_sha256", json_string(sha));
			json_object_set_new(o, "new_mode",
			    json_integer(f.mode));
			json_object_set_new(o, "new_uid", json_integer(f.uid));
			json_object_set_new(o, "new_gid", json_integer(f.gid));
		}
		fs_file_release(&f);
	}
	return manifest_write(j->root, j->dir, j->manifest, cause);
}

int
journal_state(struct journal *j, const char *state, long deadline,
    char **cause)
{
	json_object_set_new(j->manifest, "state", json_string(state));
	if (deadline > 0)
		json_object_set_new(j->manifest, "confirm_deadline",
		    json_integer(deadline));
	else
		json_object_del(j->manifest, "confirm_deadline");
	return manifest_write(j->root, j->dir, j->manifest, cause);
}

void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	json_decref(j->manifest);
	free(j->root);
	free(j->id);
	free(j->dir);
	free(j);
}

static char **
argv_from_json(json_t *a)
{
	size_t n = json_array_size(a);
	char **argv;

	if (n == 0)
		return NULL;
	argv = xcalloc(n + 1, sizeof *argv);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));

		argv[i] = xstrdup(s != NULL ? s : "");
	}
	return argv;
}

static long
jint(json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* What a file of a transaction is now. */
enum file_now {
	NOW_NEW,	/* what the transaction wrote */
	NOW_ORIG,	/* what it was before: nothing to undo */
	NOW_OTHER,	/* changed by someone else since */
};

/* Content, mode and owner of F equal the recorded NEW or OLD ones. */
static bool
same_file(const struct fs_file *f, json_t *c, const char *prefix,
    const char *sha_want)
{
	char sha[65], *mode = xasprintf("%s_mode", prefix);
	char *uid = xasprintf("%s_uid", prefix);
	char *gid = xasprintf("%s_gid", prefix);
	bool same;

	sha256_hex(f->data, f->len, sha);
	same = strcmp(sha, sha_want) == 0 && (long)f->mode == jint(c, mode) &&
	    (long)f->uid == jint(c, uid) && (long)f->gid == jint(c, gid);
	free(mode);
	free(uid);
	free(gid);
	return same;
}

/*
 * Where file change C stands. The original's hash is taken from the
 * journal's copy, so an interrupted transaction, whose "done" marks may lag
 * one rename behind, is judged by the bytes, not by the marks.
 */
static int
file_now(const char *root, const char *dir, json_t *c, enum file_now *now,
    char **cause)
{
	const char *path = jstr(c, "path");
	bool new_exists = !json_is_false(json_object_get(c, "new_exists"));
	bool existed = json_is_true(json_object_get(c, "existed"));
	struct fs_file f, o;
	char osha[65];
	int r = 0;

	if (fs_read(root, path, &f, cause) != 0)
		return -1;
	*now = NOW_OTHER;
	if (!f.exists)
		*now = !new_exists ? NOW_NEW : !existed ? NOW_ORIG : NOW_OTHER;
	else if (new_exists && same_file(&f, c, "new", jstr(c, "new_sha256")))
		*now = NOW_NEW;
	else if (existed) {
		char *orig = xasprintf("%s/%s", dir, jstr(c, "orig"));

		r = fs_read(root, orig, &o, cause);
		free(orig);
		if (r == 0 && o.exists) {
			sha256_hex(o.data, o.len, osha);
			if (same_file(&f, c, "old", osha))
				*now = NOW_ORIG;
		}
		if (r == 0)
			fs_file_release(&o);
	}
	fs_file_release(&f);
	return r;
}

/* Refuse, naming the file, what someone else changed since. */
static int
changed_since(const char *path, bool created, char **cause)
{
	if (created)
		return set_cause(cause, _("'%s' was changed after the "
		    "transaction; review it, then use --force to remove it "
		    "anyway"), path);
	return set_cause(cause, _("'%s' was changed after the transaction; "
	    "review it, then use --force to restore the old version anyway"),
	    path);
}

static int
restore_file(const char *root, const char *dir, json_t *c, char **cause)
{
	const char *path = jstr(c, "path");
	char *orig, *data = NULL;
	struct fs_file f;
	int r;

	if (!json_is_true(json_object_get(c, "existed")))
		return fs_unlink(root, path, cause);
	orig = xasprintf("%s/%s", dir, jstr(c, "orig"));
	r = fs_read(root, orig, &f, cause);
	free(orig);
	if (r != 0)
		return -1;
	if (!f.exists) {
		fs_file_release(&f);
		return set_cause(cause, _("the journal has lost the original "
		    "of '%s'"), path);
	}
	data = f.data;
	r = fs_write_atomic(root, path, data, f.len,
	    (mode_t)jint(c, "old_mode"), (uid_t)jint(c, "old_uid"),
	    (gid_t)jint(c, "old_gid"), cause);
	fs_file_release(&f);
	return r;
}

static void
run_recorded(const char *root, json_t *c, json_t *argv_json,
    struct strv *warnings)
{
	char **argv = argv_from_json(argv_json);
	char *cause = NULL;

	if (argv == NULL || strcmp(root, "/") != 0 || (c != NULL &&
	    json_is_true(json_object_get(c, "skipped")))) {
		argv_free(argv);
		return;
	}
	if (run_checked(argv, NULL, NULL, &cause) != 0)
		strv_addf(warnings, "rollback: %s", cause);
	free(cause);
	argv_free(argv);
}

/*
 * A write killed between its temporary file and the rename leaves the
 * temporary file (the new text, maybe a secret) next to the target, or in
 * the journal: removed with the interrupted transaction.
 */
static void
remove_temps(const char *root, const char *dir, json_t *changes,
    json_t *touched)
{
	json_t *lists[] = { changes, touched };

	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; i < json_array_size(lists[l]); i++) {
			char *d = xstrdup(jstr(json_array_get(lists[l], i),
			    "path")), *slash = strrchr(d, '/');

			if (slash != NULL && slash != d) {
				*slash = '\0';
				(void)fs_remove_temps(root, d);
			}
			free(d);
		}
	}
	(void)fs_remove_temps(root, dir);
}

/* A change the undo must consider: done, or maybe done when INTERRUPTED. */
static bool
maybe_done(json_t *c, bool interrupted)
{
	return json_is_true(json_object_get(c, "done")) || (interrupted &&
	    strcmp(jstr(c, "kind"), "command") != 0) || (interrupted &&
	    json_is_true(json_object_get(c, "started")));
}

/*
 * Before anything is undone: every file the undo would restore is either
 * what the transaction wrote or already the original. *SKIP[i] is set for
 * the originals (nothing to do there).
 */
static int
check_files(const char *root, const char *dir, json_t *list, bool force,
    bool interrupted, bool *skip, char **cause)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);
		enum file_now now;

		skip[i] = false;
		if (json_object_get(c, "kind") != NULL &&
		    (strcmp(jstr(c, "kind"), "file") != 0 ||
		    !maybe_done(c, interrupted)))
			continue;
		/* A command's file not sealed: the commands' own undo. */
		if (json_object_get(c, "kind") == NULL &&
		    json_object_get(c, "new_exists") == NULL)
			continue;
		if (file_now(root, dir, c, &now, cause) != 0)
			return -1;
		skip[i] = now == NOW_ORIG;
		/*
		 * Not marked done: ours only when it holds our bytes; any
		 * other content was never written by us and is left alone,
		 * even with FORCE.
		 */
		if (json_object_get(c, "kind") != NULL &&
		    !json_is_true(json_object_get(c, "done"))) {
			skip[i] = now != NOW_NEW;
			continue;
		}
		if (now == NOW_OTHER && !force)
			return changed_since(jstr(c, "path"),
			    !json_is_true(json_object_get(c, "existed")),
			    cause);
	}
	return 0;
}

/*
 * The shared undo: files first (newest first), then inverse commands, then
 * the files the commands rewrote, then the commands that reload them.
 * INTERRUPTED: the transaction stopped half way (killed, power lost): a file
 * change counts by its bytes, and a command that was started but not marked
 * done may have run, so its inverse runs too (an inverse of something that
 * did not happen fails harmlessly and is reported).
 */
static int
undo_manifest(const char *root, const char *dir, json_t *m, bool force,
    bool interrupted, struct strv *warnings, char **cause)
{
	json_t *changes = json_object_get(m, "changes");
	json_t *touched = json_object_get(m, "touched");
	json_t *resync = json_object_get(m, "resync");
	size_t n = json_array_size(changes);
	bool *skip = xcalloc(n + 1, sizeof *skip);
	bool *tskip = xcalloc(json_array_size(touched) + 1, sizeof *tskip);
	bool ran = false;
	int r = -1;

	if (check_files(root, dir, changes, force, interrupted, skip,
	    cause) != 0 || check_files(root, dir, touched, force, interrupted,
	    tskip, cause) != 0)
		goto out;
	if (interrupted)
		remove_temps(root, dir, changes, touched);
	for (size_t i = n; i-- > 0;) {
		json_t *c = json_array_get(changes, i);
		char *err = NULL;

		if (!maybe_done(c, interrupted) || skip[i])
			continue;
		if (strcmp(jstr(c, "kind"), "file") == 0) {
			if (restore_file(root, dir, c, &err) != 0) {
				set_cause(cause, "%s", err);
				free(err);
				goto out;
			}
		} else if (strcmp(jstr(c, "kind"), "mkdir") == 0 &&
		    fs_exists(root, jstr(c, "path"))) {
			if (fs_rmdir(root, jstr(c, "path"), &err) != 0) {
				strv_addf(warnings, _("%s (left in place)"),
				    err);
				free(err);
			}
		}
	}
	for (size_t i = n; i-- > 0;) {
		json_t *c = json_array_get(changes, i);

		if (maybe_done(c, interrupted) &&
		    strcmp(jstr(c, "kind"), "command") == 0) {
			run_recorded(root, c, json_object_get(c, "undo"),
			    warnings);
			ran |= !json_is_true(json_object_get(c, "skipped"));
		}
	}
	for (size_t i = 0; i < json_array_size(touched); i++) {
		char *err = NULL;

		if (tskip[i])
			continue;
		if (restore_file(root, dir, json_array_get(touched, i),
		    &err) != 0) {
			set_cause(cause, "%s", err);
			free(err);
			goto out;
		}
	}
	for (size_t i = 0; ran && i < json_array_size(resync); i++)
		run_recorded(root, NULL, json_array_get(resync, i), warnings);
	r = 0;
out:
	free(skip);
	free(tskip);
	return r;
}

int
journal_undo(struct journal *j, bool force, struct strv *warnings,
    char **cause)
{
	if (undo_manifest(j->root, j->dir, j->manifest, force, true, warnings,
	    cause) != 0)
		return -1;
	return journal_state(j, "rolled-back", 0, cause);
}

/* Transaction ids under the journal, oldest first (ids sort by time). */
static int
list_ids(const char *root, struct strv *ids, char **cause)
{
	return fs_list(root, JOURNAL_DIR, ids, cause);
}

/* A transaction that stopped half way: applying, or being rolled back. */
static bool
state_interrupted(const char *state)
{
	return strcmp(state, "applying") == 0 ||
	    strcmp(state, "rolling-back") == 0;
}

static bool
state_undoable(const char *state)
{
	return strcmp(state, "applied") == 0 || strcmp(state, "pending") == 0 ||
	    state_interrupted(state);
}

/* A line with the time in the manifest's "events": what happened to it. */
static void
add_event(json_t *m, const char *text)
{
	json_t *events = json_object_get(m, "events");
	char stamp[32], *line;
	time_t now = time(NULL);
	struct tm tm;

	if (events == NULL) {
		events = json_array();
		json_object_set_new(m, "events", events);
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	line = xasprintf("%s %s", stamp, text);
	json_array_append_new(events, json_string(line));
	free(line);
}

/*
 * The newest transaction after ID that still stands (applied, pending or
 * interrupted), or NULL; caller frees.
 */
static char *
later_live(const char *root, const char *id)
{
	struct strv ids;
	char *found = NULL;

	strv_init(&ids);
	if (list_ids(root, &ids, NULL) == 0) {
		for (size_t i = ids.n; i-- > 0 && found == NULL;) {
			char *dir = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
			json_t *m;

			if (strcmp(ids.v[i], id) <= 0) {
				free(dir);
				break;
			}
			m = manifest_read(root, dir, NULL);
			if (m != NULL && state_undoable(jstr(m, "state")))
				found = xstrdup(ids.v[i]);
			json_decref(m);
			free(dir);
		}
	}
	strv_release(&ids);
	return found;
}

/* A test on one manifest, for the ids of the transactions that pass it. */
typedef bool (*manifest_test)(json_t *m, long arg);

/* The ids of ROOT's transactions whose manifest passes TEST, oldest first. */
static int
ids_where(const char *root, manifest_test test, long arg, struct strv *out,
    char **cause)
{
	struct strv all;

	strv_init(&all);
	if (list_ids(root, &all, cause) != 0) {
		strv_release(&all);
		return -1;
	}
	for (size_t i = 0; i < all.n; i++) {
		char *dir = xasprintf("%s/%s", JOURNAL_DIR, all.v[i]);
		json_t *m = manifest_read(root, dir, NULL);

		if (m != NULL && test(m, arg))
			strv_add(out, jstr(m, "id"));
		json_decref(m);
		free(dir);
	}
	strv_release(&all);
	return 0;
}

static bool
is_interrupted(json_t *m, long unused)
{
	(void)unused;
	return state_interrupted(jstr(m, "state"));
}

int
journal_interrupted(const char *root, struct strv *ids, char **cause)
{
	return ids_where(root, is_interrupted, 0, ids, cause);
}

/* The newest transaction that can be undone; its journal dir in *DIR. */
static json_t *
newest_undoable(const char *root, char **dir, char **cause)
{
	struct strv ids;
	json_t *m = NULL;

	strv_init(&ids);
	if (list_ids(root, &ids, cause) != 0) {
		strv_release(&ids);
		return NULL;
	}
	for (size_t i = ids.n; i-- > 0 && m == NULL;) {
		*dir = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
		m = manifest_read(root, *dir, NULL);
		if (m != NULL && !state_undoable(jstr(m, "state"))) {
			json_decref(m);
			m = NULL;
		}
		if (m == NULL) {
			free(*dir);
			*dir = NULL;
		}
	}
	strv_release(&ids);
	if (m == NULL)
		set_cause(cause, _("nothing to roll back: no applied "
		    "transaction in the journal"));
	return m;
}

/* Another transaction than ID stopped half way: it comes first. */
static int
interrupted_other(const char *root, const char *id, char **cause)
{
	struct strv ids;
	int r = 0;

	strv_init(&ids);
	if (journal_interrupted(root, &ids, cause) != 0)
		r = -1;
	for (size_t i = 0; r == 0 && i < ids.n; i++) {
		if (strcmp(ids.v[i], id) != 0)
			r = set_cause(cause, _("transaction %s was interrupted "
			    "half way; roll it back first: hardenwiz "
			    "--rollback %s"), ids.v[i], ids.v[i]);
	}
	strv_release(&ids);
	return r;
}


/*
 * The manifest of transaction ID, read from *DIR (set even on failure;
 * caller frees). An id that could leave the journal is refused.
 */
static json_t *
manifest_of(const char *root, const char *id, char **dir, char **cause)
{
	*dir = NULL;
	if (strchr(id, '/') != NULL || id[0] == '.') {
		set_cause(cause, _("'%s' is not a transaction id; see "
		    "--history"), id);
		return NULL;
	}
	*dir = xasprintf("%s/%s", JOURNAL_DIR, id);
	return manifest_read(root, *dir, cause);
}
int
journal_rollback(const char *root, const char *id, bool force,
    bool if_pending, char **rolled, struct strv *warnings,
    char **cause)
{
	json_t *m = NULL;
	char *dir = NULL;
	const char *state;
	char *later;
	bool interrupted;
	int r = -1;

	if (id == NULL) {
		if ((m = newest_undoable(root, &dir, cause)) == NULL)
			goto out;
	} else {
		m = manifest_of(root, id, &dir, cause);
		if (m == NULL)
			goto out;
	}
	state = jstr(m, "state");
	if (if_pending && strcmp(state, "pending") != 0) {
		r = 0;		/* confirmed in time: nothing to do */
		goto out;
	}
	/*
	 * The timer never undoes a later transaction's work: rolling this
	 * one back over a newer change would silently revert it (and the
	 * newer one would still be listed as applied). It stops, says why
	 * in both journals, and leaves both for the admin.
	 */
	if (if_pending && (later = later_live(root, jstr(m, "id"))) != NULL) {
		char *why = xasprintf(_("the confirmation deadline passed, "
		    "but transaction %s was applied after it; not rolled back. "
		    "Roll back %s first, then this one, or confirm with "
		    "hardenwiz --confirm"), later, later);

		add_event(m, why);
		(void)manifest_write(root, dir, m, NULL);
		set_cause(cause, "%s", why);
		free(why);
		free(later);
		r = 1;
		goto out;
	}
	if (!state_undoable(state)) {
		set_cause(cause, _("transaction %s is %s; only an applied, "
		    "pending or interrupted one can be rolled back"),
		    jstr(m, "id"), state);
		goto out;
	}
	if (interrupted_other(root, jstr(m, "id"), cause) != 0)
		goto out;
	/*
	 * Marked first: a rollback killed half way is itself interrupted,
	 * and the next one judges each file by its bytes.
	 */
	interrupted = state_interrupted(state);
	json_object_set_new(m, "state", json_string("rolling-back"));
	if (manifest_write(root, dir, m, cause) != 0 ||
	    undo_manifest(root, dir, m, force, interrupted, warnings,
	    cause) != 0)
		goto out;
	json_object_set_new(m, "state", json_string("rolled-back"));
	json_object_del(m, "confirm_deadline");
	if (if_pending)
		add_event(m, "rolled back by the dead-man timer: not "
		    "confirmed in time");
	if (manifest_write(root, dir, m, cause) != 0)
		goto out;
	if (rolled != NULL)
		*rolled = xstrdup(jstr(m, "id"));
	r = 0;
out:
	json_decref(m);
	free(dir);
	return r;
}

/* Pending, and its deadline (NOW) has come. */
static bool
is_expired(json_t *m, long now)
{
	return strcmp(jstr(m, "state"), "pending") == 0 &&
	    jint(m, "confirm_deadline") <= now;
}

int
journal_expired(const char *root, long now, struct strv *out, char **cause)
{
	return ids_where(root, is_expired, now, out, cause);
}

int
journal_confirm(const char *root, struct strv *kept, char **cause)
{
	struct strv ids;
	int r = 0;

	strv_init(&ids);
	if (list_ids(root, &ids, cause) != 0) {
		strv_release(&ids);
		return -1;
	}
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		char *dir = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
		json_t *m = manifest_read(root, dir, NULL);

		if (m != NULL && strcmp(jstr(m, "state"), "pending") == 0) {
			json_object_set_new(m, "state", json_string("applied"));
			json_object_del(m, "confirm_deadline");
			add_event(m, "confirmed");
			r = manifest_write(root, dir, m, cause);
			strv_add(kept, jstr(m, "id"));
		}
		json_decref(m);
		free(dir);
	}
	strv_release(&ids);
	return r;
}

/* One file change of a past transaction, for journal_diff. */
static int
diff_file(const char *root, const char *dir, json_t *c, struct buf *out,
    bool *since, char **cause)
{
	const char *path = jstr(c, "path"), *show = jstr(c, "show");
	struct fs_file now, old = { 0 };
	enum file_now state;
	char *orig;
	int r;

	if (strcmp(show, "diff") != 0) {
		/* A secret's values are not in the journal to mask them with;
		 * a journal of an older hardenwiz does not say: not shown. */
		buf_addf(out, strcmp(show, "private") == 0 ? _("# private %s: "
		    "not shown\n") : _("# secret %s: not shown\n"), path);
		return 0;
	}
	if (file_now(root, dir, c, &state, cause) != 0 ||
	    fs_read(root, path, &now, cause) != 0)
		return -1;
	r = 0;
	if (json_is_true(json_object_get(c, "existed"))) {
		orig = xasprintf("%s/%s", dir, jstr(c, "orig"));
		r = fs_read(root, orig, &old, cause);
		free(orig);
	}
	if (r == 0) {
		if (state == NOW_OTHER) {
			buf_addf(out, _("# %s was changed after this "
			    "transaction: shown as it is now\n"), path);
			*since = true;
		}
		diff_unified(out, path, old.exists ? old.data : NULL,
		    old.exists ? old.len : 0, now.exists ? now.data : NULL,
		    now.exists ? now.len : 0, 3);
		if (old.exists)
			fs_file_release(&old);
	}
	fs_file_release(&now);
	return r;
}

int
journal_diff(const char *root, const char *id, struct buf *out,
    bool *since, char **cause)
{
	char *dir;
	json_t *m, *changes;
	int r = 0;

	*since = false;
	if ((m = manifest_of(root, id, &dir, cause)) == NULL) {
		free(dir);
		return -1;
	}
	changes = json_object_get(m, "changes");
	for (size_t i = 0; i < json_array_size(changes) && r == 0; i++) {
		json_t *c = json_array_get(changes, i);
		const char *kind = jstr(c, "kind");

		if (!json_is_true(json_object_get(c, "done")))
			continue;
		if (strcmp(kind, "file") == 0)
			r = diff_file(root, dir, c, out, since, cause);
		else if (strcmp(kind, "mkdir") == 0)
			buf_addf(out, "# mkdir %s\n", jstr(c, "path"));
		else {
			json_t *argv = json_object_get(c, "argv");

			buf_adds(out, "# run:");
			for (size_t k = 0; k < json_array_size(argv); k++)
				buf_addf(out, " %s", json_string_value(
				    json_array_get(argv, k)));
			buf_adds(out, "\n");
		}
	}
	json_decref(m);
	free(dir);
	return r;
}

int
journal_history(const char *root, json_t **out, char **cause)
{
	struct strv ids;
	json_t *list = json_array();

	strv_init(&ids);
	if (list_ids(root, &ids, cause) != 0) {
		strv_release(&ids);
		json_decref(list);
		return -1;
	}
	for (size_t i = 0; i < ids.n; i++) {
		char *dir = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
		json_t *m = manifest_read(root, dir, NULL), *e, *files, *cmds;
		json_t *changes, *touched;

		free(dir);
		if (m == NULL)
			continue;
		e = json_object();
		files = json_array();
		cmds = json_array();
		changes = json_object_get(m, "changes");
		for (size_t k = 0; k < json_array_size(changes); k++) {
			json_t *c = json_array_get(changes, k);

			if (strcmp(jstr(c, "kind"), "command") == 0)
				json_array_append(cmds, json_object_get(c,
				    "argv"));
			else
				json_array_append_new(files,
				    json_string(jstr(c, "path")));
		}
		touched = json_object_get(m, "touched");
		for (size_t k = 0; k < json_array_size(touched); k++)
			json_array_append_new(files, json_string(jstr(
			    json_array_get(touched, k), "path")));
		json_object_set_new(e, "id", json_string(jstr(m, "id")));
		json_object_set_new(e, "time", json_string(jstr(m, "time")));
		json_object_set_new(e, "state", json_string(jstr(m, "state")));
		json_object_set(e, "steps", json_object_get(m, "steps"));
		/* When a pending one is rolled back unless confirmed. */
		if (json_object_get(m, "confirm_deadline") != NULL)
			json_object_set(e, "confirm_deadline",
			    json_object_get(m, "confirm_deadline"));
		if (json_object_get(m, "events") != NULL)
			json_object_set(e, "events", json_object_get(m,
			    "events"));
		json_object_set_new(e, "files", files);
		json_object_set_new(e, "commands", cmds);
		json_array_append_new(list, e);
		json_decref(m);
	}
	strv_release(&ids);
	*out = list;
	return 0;
}
