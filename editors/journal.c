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
		set_cause(cause, "cannot open the lock '%s': %s", host,
		    strerror(errno));
		free(host);
		return -1;
	}
	while (flock(lfd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			set_cause(cause, "another hardenwiz is running (lock "
			    "'%s' is held); wait for it to finish", host);
		else
			set_cause(cause, "cannot lock '%s': %s", host,
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
		return set_cause(cause, "cannot encode the journal");
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
		set_cause(cause, "no journal at '%s%s'", strcmp(root, "/") ?
		    root : "", path);
		goto out;
	}
	m = json_loadb(f.data, f.len, 0, &err);
	if (m == NULL)
		set_cause(cause, "cannot read the journal '%s': line %d: %s",
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

static json_t *
change_json(const struct change *c, size_t i)
{
	json_t *o = json_object();
	char sha[65];

	json_object_set_new(o, "step", json_string(c->step));
	json_object_set_new(o, "done", json_false());
	switch (c->kind) {
	case CHANGE_FILE:
		json_object_set_new(o, "kind", json_string("file"));
		json_object_set_new(o, "path", json_string(c->path));
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
	j->id = new_id(root, &j->dir);
	if (fs_mkdir(root, j->dir, 0700, 0, 0, cause) != 0)
		goto fail;
	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];
		bool seen = false;

		json_array_append_new(changes, change_json(c, i));
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
		return set_cause(cause, "internal error: no change %zu", i);
	json_object_set_new(c, "done", json_true());
	if (skipped)
		json_object_set_new(c, "skipped", json_true());
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

/* The file is still what the transaction wrote. */
static int
check_unchanged(const char *root, json_t *c, char **cause)
{
	const char *path = jstr(c, "path");
	struct fs_file f;
	char sha[65];
	int r = 0;

	if (fs_read(root, path, &f, cause) != 0)
		return -1;
	if (json_is_false(json_object_get(c, "new_exists"))) {
		if (f.exists)
			r = set_cause(cause, "'%s' was created after the "
			    "transaction; use --force to remove it anyway",
			    path);
	} else if (!f.exists)
		r = set_cause(cause, "'%s' was removed after the transaction; "
		    "use --force to restore it anyway", path);
	else {
		sha256_hex(f.data, f.len, sha);
		if (strcmp(sha, jstr(c, "new_sha256")) != 0)
			r = set_cause(cause, "'%s' was changed after the "
			    "transaction; review it, then use --force to "
			    "restore the old version anyway", path);
		else if ((long)f.mode != jint(c, "new_mode") ||
		    (long)f.uid != jint(c, "new_uid") ||
		    (long)f.gid != jint(c, "new_gid"))
			r = set_cause(cause, "the mode or owner of '%s' was "
			    "changed after the transaction; use --force to "
			    "restore the old ones anyway", path);
	}
	fs_file_release(&f);
	return r;
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
		return set_cause(cause, "the journal has lost the original "
		    "of '%s'", path);
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
 * The shared undo: files first (newest first), then inverse commands, then
 * the files the commands rewrote, then the commands that reload them.
 */
static int
undo_manifest(const char *root, const char *dir, json_t *m, bool force,
    struct strv *warnings, char **cause)
{
	json_t *changes = json_object_get(m, "changes");
	json_t *touched = json_object_get(m, "touched");
	json_t *resync = json_object_get(m, "resync");
	size_t n = json_array_size(changes);
	bool ran = false;

	if (!force) {
		for (size_t i = 0; i < n; i++) {
			json_t *c = json_array_get(changes, i);

			if (json_is_true(json_object_get(c, "done")) &&
			    strcmp(jstr(c, "kind"), "file") == 0 &&
			    check_unchanged(root, c, cause) != 0)
				return -1;
		}
		for (size_t i = 0; i < json_array_size(touched); i++) {
			json_t *t = json_array_get(touched, i);

			if (json_object_get(t, "new_exists") != NULL &&
			    check_unchanged(root, t, cause) != 0)
				return -1;
		}
	}
	for (size_t i = n; i-- > 0;) {
		json_t *c = json_array_get(changes, i);
		char *err = NULL;

		if (!json_is_true(json_object_get(c, "done")))
			continue;
		if (strcmp(jstr(c, "kind"), "file") == 0) {
			if (restore_file(root, dir, c, &err) != 0) {
				set_cause(cause, "%s", err);
				free(err);
				return -1;
			}
		} else if (strcmp(jstr(c, "kind"), "mkdir") == 0) {
			if (fs_rmdir(root, jstr(c, "path"), &err) != 0) {
				strv_addf(warnings, "%s (left in place)", err);
				free(err);
			}
		}
	}
	for (size_t i = n; i-- > 0;) {
		json_t *c = json_array_get(changes, i);

		if (json_is_true(json_object_get(c, "done")) &&
		    strcmp(jstr(c, "kind"), "command") == 0) {
			run_recorded(root, c, json_object_get(c, "undo"),
			    warnings);
			ran |= !json_is_true(json_object_get(c, "skipped"));
		}
	}
	for (size_t i = 0; i < json_array_size(touched); i++) {
		char *err = NULL;

		if (restore_file(root, dir, json_array_get(touched, i),
		    &err) != 0) {
			set_cause(cause, "%s", err);
			free(err);
			return -1;
		}
	}
	for (size_t i = 0; ran && i < json_array_size(resync); i++)
		run_recorded(root, NULL, json_array_get(resync, i), warnings);
	return 0;
}

int
journal_undo(struct journal *j, bool force, struct strv *warnings,
    char **cause)
{
	if (undo_manifest(j->root, j->dir, j->manifest, force, warnings,
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

int
journal_rollback(const char *root, const char *id, bool force,
    bool if_pending, char **rolled, struct strv *warnings, char **cause)
{
	struct strv ids;
	json_t *m = NULL;
	char *dir = NULL;
	const char *state;
	int r = -1;

	strv_init(&ids);
	if (id == NULL) {
		if (list_ids(root, &ids, cause) != 0)
			goto out;
		for (size_t i = ids.n; i-- > 0 && m == NULL;) {
			dir = xasprintf("%s/%s", JOURNAL_DIR, ids.v[i]);
			m = manifest_read(root, dir, NULL);
			state = m ? jstr(m, "state") : "";
			if (strcmp(state, "applied") != 0 &&
			    strcmp(state, "pending") != 0) {
				json_decref(m);
				m = NULL;
				free(dir);
				dir = NULL;
			}
		}
		if (m == NULL) {
			set_cause(cause, "nothing to roll back: no applied "
			    "transaction in the journal");
			goto out;
		}
	} else {
		dir = xasprintf("%s/%s", JOURNAL_DIR, id);
		if (strchr(id, '/') != NULL || id[0] == '.') {
			set_cause(cause, "'%s' is not a transaction id; see "
			    "--history", id);
			goto out;
		}
		m = manifest_read(root, dir, cause);
		if (m == NULL)
			goto out;
	}
	state = jstr(m, "state");
	if (if_pending && strcmp(state, "pending") != 0) {
		r = 0;		/* confirmed in time: nothing to do */
		goto out;
	}
	if (strcmp(state, "applied") != 0 && strcmp(state, "pending") != 0) {
		set_cause(cause, "transaction %s is %s; only an applied one "
		    "can be rolled back", jstr(m, "id"), state);
		goto out;
	}
	if (undo_manifest(root, dir, m, force, warnings, cause) != 0)
		goto out;
	json_object_set_new(m, "state", json_string("rolled-back"));
	json_object_del(m, "confirm_deadline");
	if (manifest_write(root, dir, m, cause) != 0)
		goto out;
	if (rolled != NULL)
		*rolled = xstrdup(jstr(m, "id"));
	r = 0;
out:
	json_decref(m);
	free(dir);
	strv_release(&ids);
	return r;
}

int
journal_confirm(const char *root, int *count, char **cause)
{
	struct strv ids;
	int r = 0;

	*count = 0;
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
			r = manifest_write(root, dir, m, cause);
			(*count)++;
		}
		json_decref(m);
		free(dir);
	}
	strv_release(&ids);
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
		json_object_set_new(e, "files", files);
		json_object_set_new(e, "commands", cmds);
		json_array_append_new(list, e);
		json_decref(m);
	}
	strv_release(&ids);
	*out = list;
	return 0;
}
