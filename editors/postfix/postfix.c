/*
 * postfix.c -- Postfix's tools as the validator, the reload, and the SMTP
 * smoke test. See postfix.h for why the exit codes of postconf and
 * "postfix check" are not enough.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "augsession.h"
#include "checker.h"
#include "early.h"
#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "stage.h"
#include "run.h"
#include "sysinfo.h"

#define MASTER_PID	"/var/spool/postfix/pid/master.pid"

bool
postfix_present(const char *root)
{
	char *postconf = run_which("postconf");
	bool here = postconf != NULL && fs_exists(root, POSTFIX_MAIN);

	free(postconf);
	return here;
}

bool
postfix_skip_step(struct plan *p, const char *step)
{
	if (postfix_present(p->root))
		return false;
	plan_not_applicable(p, step);
	plan_note(p, _("[%s] skipped: Postfix is not installed (no %s)"),
	    step, POSTFIX_MAIN);
	return true;
}

bool
postfix_running(const char *root)
{
	return pidfile_alive(root, MASTER_PID);
}

/* See postfix.h: warnings never become part of a value. */
int
postfix_postconf(char *const *argv, struct buf *out, struct buf *err,
    char **cause)
{
	struct buf mine;
	struct run_opts o = { .err = err != NULL ? err : &mine };
	int r;

	buf_init(&mine);
	r = run_checked(argv, &o, out, cause);
	buf_release(&mine);
	return r;
}

/*
 * postconf's whole table, read once per main.cf: the audits ask for some
 * thirty parameters and each postconf is a process (5-10 ms). Kept while
 * main.cf is the same file with the same size and times, so a change since
 * (an apply, the admin in another terminal) is read afresh.
 */
struct postconf_table {
	char		*dir;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime, ctime;
	char		*text[2];	/* as written, $names expanded */
};

static struct postconf_table table;

static bool
table_current(const char *dir, const struct stat *st)
{
	return table.dir != NULL && strcmp(table.dir, dir) == 0 &&
	    table.dev == st->st_dev && table.ino == st->st_ino &&
	    table.size == st->st_size &&
	    table.mtime.tv_sec == st->st_mtim.tv_sec &&
	    table.mtime.tv_nsec == st->st_mtim.tv_nsec &&
	    table.ctime.tv_sec == st->st_ctim.tv_sec &&
	    table.ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void
table_reset(const char *dir, const struct stat *st)
{
	free(table.dir);
	free(table.text[0]);
	free(table.text[1]);
	memset(&table, 0, sizeof table);
	table.dir = xstrdup(dir);
	table.dev = st->st_dev;
	table.ino = st->st_ino;
	table.size = st->st_size;
	table.mtime = st->st_mtim;
	table.ctime = st->st_ctim;
}

/* KEY's value in postconf's "key = value" lines; "" as for an unknown. */
static char *
table_value(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; *l != '\0'; l += strcspn(l, "\n"),
	    l += *l == '\n') {
		const char *v = l + kl;
		size_t n;

		if (strncmp(l, key, kl) != 0 || strncmp(v, " =", 2) != 0)
			continue;
		v += 2;
		v += *v == ' ';
		for (n = strcspn(v, "\n"); n > 0 && (v[n - 1] == ' ' ||
		    v[n - 1] == '\t'); n--)
			;
		return xstrndup(v, n);
	}
	return xstrdup("");
}

/* main.cf's directory under ROOT and its stat; NULL when there is none. */
static char *
main_cf(const char *root, struct stat *st)
{
	char *dir = NULL, *path;
	int r;

	if (fs_resolve(root, POSTFIX_DIR, &dir, NULL) != 0)
		return NULL;
	path = xasprintf("%s/main.cf", dir);
	r = stat(path, st);
	free(path);
	if (r != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* postconf -c DIR [-x]: every parameter, defaults included. ST: main.cf. */
static const char *
table_text(const char *dir, const struct stat *st, bool expand)
{
	struct buf out;

	if (!table_current(dir, st))
		table_reset(dir, st);
	if (table.text[expand] == NULL) {
		char *argv[] = { "postconf", "-c", (char *)dir,
		    expand ? "-x" : NULL, NULL };

		buf_init(&out);
		if (postfix_postconf(argv, &out, NULL, NULL) == 0)
			table.text[expand] = buf_detach(&out, NULL);
		buf_release(&out);
	}
	return table.text[expand];
}

/*
 * The key of postconf -x's run in an early set: the directory and main.cf
 * as stat saw it when the run started, so that a main.cf changed since
 * (another terminal) misses and is read afresh.
 */
static char *
early_key(const char *dir, const struct stat *st)
{
	return xasprintf("postconf -x %s %ju:%ju:%jd:%jd.%ld:%jd.%ld", dir,
	    (uintmax_t)st->st_dev, (uintmax_t)st->st_ino,
	    (intmax_t)st->st_size, (intmax_t)st->st_mtim.tv_sec,
	    st->st_mtim.tv_nsec, (intmax_t)st->st_ctim.tv_sec,
	    st->st_ctim.tv_nsec);
}

void
postfix_table_early(const char *root, struct early *e)
{
	struct stat st;
	char *dir = main_cf(root, &st), *key;

	if (dir == NULL || e == NULL || (table_current(dir, &st) &&
	    table.text[1] != NULL)) {
		free(dir);
		return;
	}
	{
		char *argv[] = { "postconf", "-c", dir, "-x", NULL };

		key = early_key(dir, &st);
		early_start(e, key, argv, NULL, true, NULL, NULL);
	}
	free(key);
	free(dir);
}

void
postfix_table_take(const char *root, struct early *e)
{
	struct stat st;
	char *dir = main_cf(root, &st), *key;
	struct buf out;
	int status = 0;

	if (dir == NULL)
		return;
	key = early_key(dir, &st);
	buf_init(&out);
	/* A failure is met again, and told, by the postconf table_text runs. */
	if (early_take(e, key, &out, NULL, &status, NULL) == 0 &&
	    status == 0) {
		if (!table_current(dir, &st))
			table_reset(dir, &st);
		free(table.text[1]);
		table.text[1] = buf_detach(&out, NULL);
	}
	buf_release(&out);
	free(key);
	free(dir);
}

char *
postfix_param(const char *root, const char *key, bool expand)
{
	struct stat st;
	char *dir = main_cf(root, &st), *value = NULL;
	const char *text;

	if (dir == NULL)
		return NULL;
	if ((text = table_text(dir, &st, expand)) != NULL)
		value = table_value(text, key);
	free(dir);
	return value;
}

/*
 * Offline, Postfix's tools run here but the configuration names the
 * root's files: Debian's "myorigin = /etc/mailname" would be read from
 * this machine (and postmap dies when it is missing). The stage gets the
 * root's value instead; the live check never does this.
 */
static int
pin_myorigin(const char *root, const char *dir, char **cause)
{
	char *origin = postfix_param(root, "myorigin", false), *name = NULL;
	char *set[] = { "postconf", "-c", (char *)dir, "-e", NULL, NULL };
	struct fs_file f;
	int r = 0;

	if (origin != NULL && origin[0] == '/') {
		if (fs_read(root, origin, &f, NULL) == 0 && f.exists &&
		    trim(f.data)[0] != '\0')
			name = xstrdup(trim(f.data));
		fs_file_release(&f);
		set[4] = xasprintf("myorigin=%s", name ? name : "localhost");
		r = run_checked(set, NULL, NULL, cause);
		free(set[4]);
		free(name);
		name = xasprintf("%s/main.cf", dir);
		stage_backdate(name);
	}
	free(origin);
	free(name);
	return r;
}

/*
 * C appends entries to a map the plan checks with postmap -q. The stage
 * then holds just the new lines: checking them is the point, and building
 * a 100,000-line map again would take most of a second.
 */
static bool
appended_map(const struct plan *p, const struct change *c)
{
	if (!c->existed || c->new_len < c->old_len ||
	    memcmp(c->new_text, c->old_text, c->old_len) != 0)
		return false;
	for (size_t i = 0; i < p->nexpect; i++) {
		const char *colon = strchr(p->expect[i].key, ':');

		if (p->expect[i].kind == &postfix_map_entry &&
		    colon != NULL && strcmp(colon + 1, c->path) == 0)
			return true;
	}
	return false;
}

/*
 * Offline, the postmap of an earlier hardenwiz run was skipped, so the
 * root has hardenwiz's own maps without their databases. The stage builds
 * them, as that postmap would have on a live system; any other map
 * without its database is still an error.
 */
static int
build_own_maps(const char *dir, char **cause)
{
	static const char *const own[] = { "hardenwiz_senders",
	    "sasl_passwd" };
	char *argv[] = { "postconf", "-c", (char *)dir, "-h",
	    "default_database_type", NULL };
	struct buf out;
	int r;

	buf_init(&out);
	r = 0;
	for (size_t i = 0; i < nitems(own) && r == 0; i++) {
		char *src = xasprintf("%s/%s", dir, own[i]);
		char *type, *db;
		struct stat st;

		if (stat(src, &st) != 0) {
			free(src);
			continue;
		}
		/* Asked once, and only when one of the maps is there. */
		/* Its warnings (a mysql: map's file not on this host) apart. */
		if (out.data == NULL && (r = postfix_postconf(argv, &out, NULL,
		    cause)) != 0) {
			free(src);
			break;
		}
		type = xstrdup(*trim(buf_str(&out)) != '\0' ? out.data :
		    "hash");
		db = postfix_map_db(type, src);
		if (stat(db, &st) != 0) {
			char *spec = xasprintf("%s:%s", type, src);
			char *build[] = { "postmap", "-c", (char *)dir, spec,
			    NULL };

			stage_backdate(src);
			r = run_checked(build, NULL, NULL, cause);
			stage_backdate(db);
			free(spec);
		}
		free(db);
		free(type);
		free(src);
	}
	buf_release(&out);
	return r;
}

/* Map types postmap compiles into a database file. */
static bool
indexed(const char *type)
{
	return strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0 ||
	    strcmp(type, "lmdb") == 0 || strcmp(type, "cdb") == 0 ||
	    strcmp(type, "dbm") == 0;
}


/*
 * Postfix skips a map line it cannot read, with a warning ("line 4: bad
 * address pattern: "10.0.0.300""), and answers the others: the warning,
 * not the entry asked about, says what is wrong. The staged copy's path
 * is shown as the file's own.
 */
static int
map_warning(const char *map, const char *dir, const char *out, char **cause)
{
	const char *w = strstr(out, ": warning: ");
	size_t len = strcspn(w + 11, "\n");
	char *line = xstrndup(w + 11, len), *shown;

	shown = dir != NULL ? str_replace(line, dir, POSTFIX_DIR) :
	    xstrdup(line);
	set_cause(cause, _("Postfix cannot read a line of the map %s: %s"),
	    map, shown);
	free(shown);
	free(line);
	return -1;
}
/*
 * PATH is the database of a map the plan's expectations ask: the check
 * builds it again in the stage, so copying it (megabytes for a large
 * blocklist) is wasted.
 */
static bool
rebuilt_db(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		const char *colon = strchr(e->key, ':');
		char *type, *db;
		bool same;

		if (e->kind != &postfix_map_entry || colon == NULL)
			continue;
		type = xstrndup(e->key, (size_t)(colon - e->key));
		db = postfix_map_db(type, colon + 1);
		same = indexed(type) && strcmp(db, path) == 0;
		free(db);
		free(type);
		if (same)
			return true;
	}
	return false;
}

/* Only a map's new entries: the rest is in its database already. */
static int
stage_candidate(const struct change *c, const char *to, void *arg,
    char **cause)
{
	const struct plan *p = arg;

	if (appended_map(p, c))
		return fs_write_scratch(to, c->new_text + c->old_len,
		    c->new_len - c->old_len, cause);
	return fs_write_scratch(to, c->new_text, c->new_len, cause);
}

/* A database check_maps builds again from the staged text. */
static enum stage_how
stage_how_of(const char *rel, void *arg)
{
	char *path = xasprintf(POSTFIX_DIR "/%s", rel);
	bool skip = rebuilt_db(arg, path);

	free(path);
	return skip ? STAGE_SKIP : STAGE_COPY;
}

/* A copy of ROOT/etc/postfix with P's candidates, in a new temp dir. */
static int
stage(const struct plan *p, char **dir, char **cause)
{
	struct stage_rules rules = { .what = "postfix", .dir = POSTFIX_DIR,
	    .how = stage_how_of, .candidate = stage_candidate,
	    .arg = (void *)p };

	if (stage_make(p->root, p, &rules, dir, cause) != 0)
		return -1;
	if (p->offline && pin_myorigin(p->root, *dir, cause) != 0)
		return -1;
	return 0;
}

/*
 * The map expectations: postmap -q KEY TYPE:MAP prints the wanted action.
 * With DIR (a stage), the map is the staged copy, built here first.
 */
static int
check_maps(const struct plan *p, const char *dir, char **cause)
{
	struct strv built;
	int r = 0;

	strv_init(&built);
	for (size_t i = 0; i < p->nexpect && r == 0; i++) {
		const struct expectation *e = &p->expect[i];
		const char *colon = strchr(e->key, ':');
		char *type, *spec;
		struct buf out;

		if (e->kind != &postfix_map_entry || colon == NULL)
			continue;
		type = xstrndup(e->key, (size_t)(colon - e->key));
		spec = dir != NULL && str_has_prefix(colon + 1, POSTFIX_DIR
		    "/") ? xasprintf("%s:%s/%s", type, dir, colon + 1 +
		    sizeof POSTFIX_DIR) : xstrdup(e->key);
		buf_init(&out);
		if (dir != NULL && indexed(type) &&
		    !strv_contains(&built, spec)) {
			char *build[] = { "postmap", "-c", (char *)dir, spec,
			    NULL };

			r = run_checked(build, NULL, &out, cause);
			strv_add(&built, spec);
			/* The next postmap -q would wait ~2 s for a database
			 * written this second. */
			{
				char *db = postfix_map_db(type, spec +
				    strlen(type) + 1);

				stage_backdate(db);
				free(db);
			}
			buf_release(&out);
			buf_init(&out);
		}
		if (r == 0) {
			char *q[] = { "postmap", "-c", dir != NULL ?
			    (char *)dir : POSTFIX_DIR, "-q", e->label, spec,
			    NULL };
			int status = 0;

			if (run_argv(q, NULL, &out, &status, cause) != 0)
				r = -1;
			else if (strstr(buf_str(&out), ": warning: ") != NULL)
				r = map_warning(e->key, dir, buf_str(&out),
				    cause);
			else if (status != 0 ||
			    strcmp(trim(buf_str(&out)), e->value) != 0)
				r = set_cause(cause, _("the map %s does not "
				    "answer %s for '%s' (postmap -q: %s)"),
				    e->key, e->value, e->label,
				    *trim(buf_str(&out)) != '\0' ? out.data :
				    "not found");
		}
		buf_release(&out);
		free(spec);
		free(type);
	}
	strv_release(&built);
	return r;
}

/* The lines without " = " are not parameters; "KEY =" is an empty one. */
void
postfix_parse_params(char *text, struct strv *keys, struct strv *values)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq = strstr(line, " = ");

		if (eq == NULL) {
			if ((eq = strstr(line, " =")) == NULL || eq[2] != '\0')
				continue;
			*eq = '\0';
			strv_add(keys, line);
			strv_add(values, "");
			continue;
		}
		*eq = '\0';
		strv_add(keys, line);
		strv_add(values, eq + 3);
	}
}

/* Map types that name a file; other types (mysql, ldap ...) are left. */
static bool
file_map(const char *type)
{
	static const char *const types[] = { "hash", "btree", "lmdb", "cdb",
	    "dbm", "sdbm", "cidr", "regexp", "pcre", "texthash", NULL };

	for (size_t i = 0; types[i] != NULL; i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/*
 * The file a reference names, as this check can open it: in the stage
 * when it is one of the staged files, under the root otherwise.
 */
static char *
map_spec(const struct plan *p, const char *dir, const char *type,
    const char *path)
{
	char *resolved = NULL, *spec;

	if (dir != NULL && str_has_prefix(path, POSTFIX_DIR "/") &&
	    strchr(path + sizeof POSTFIX_DIR, '/') == NULL)
		return xasprintf("%s:%s/%s", type, dir, path +
		    sizeof POSTFIX_DIR);
	if (!p->offline || fs_resolve(p->root, path, &resolved, NULL) != 0)
		return xasprintf("%s:%s", type, path);
	spec = xasprintf("%s:%s", type, resolved);
	free(resolved);
	return spec;
}

/* SPEC ("type:/path") is a map the plan's expectations ask. */
static bool
expected_map(const struct plan *p, const char *spec)
{
	for (size_t i = 0; i < p->nexpect; i++)
		if (p->expect[i].kind == &postfix_map_entry &&
		    strcmp(p->expect[i].key, spec) == 0)
			return true;
	return false;
}

/* MSG with the stage directory DIR named as /etc/postfix; caller frees. */
static char *
unstage(const char *msg, const char *dir)
{
	const char *at = strstr(msg, dir);

	if (at == NULL)
		return xstrdup(msg);
	return xasprintf("%.*s%s%s", (int)(at - msg), msg, POSTFIX_DIR,
	    at + strlen(dir));
}

/*
 * What in postmap -q's output (TEXT, cut at the line found) says the map
 * at PATH cannot be used: a fatal error, or a warning about the map itself
 * ("database ... is older than source file ..."). Warnings about main.cf
 * (a parameter set twice, Postfix 3.10's deprecation notices) are not the
 * map's trouble. NULL when there is none.
 */
static char *
map_trouble(char *text, const char *path)
{
	char *fatal = strstr(text, "fatal:"), *line = text;

	if (fatal != NULL) {
		fatal[strcspn(fatal, "\n")] = '\0';
		return fatal;
	}
	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		char *w = memmem(line, len, "warning:", 8);
		char *end = line + len;
		bool last = *end == '\0';

		*end = '\0';
		if (w != NULL && strstr(w, path) != NULL)
			return w;
		if (last)
			break;
		line = end + 1;
	}
	return NULL;
}

/*
 * Every file map main.cf refers to opens: a missing map or .db makes
 * smtpd answer every client with a temporary error, and postfix check
 * does not notice. postmap -q exits 1 both for "not found" and for a fatal
 * error, so its output tells them apart.
 */
static int
check_references(const struct plan *p, const char *dir, bool stage,
    const char *set_text, char **cause)
{
	struct strv keys, values, seen;
	char *copy = xstrdup(set_text);
	int r = 0;

	strv_init(&keys);
	strv_init(&values);
	strv_init(&seen);
	postfix_parse_params(copy, &keys, &values);
	for (size_t i = 0; i < values.n && r == 0; i++) {
		char *v, *tok, *save = NULL;

		/* What newaliases builds, not what Postfix reads. */
		if (strcmp(keys.v[i], "alias_database") == 0)
			continue;
		v = xstrdup(values.v[i]);

		for (tok = strtok_r(v, " \t,", &save); tok != NULL && r == 0;
		    tok = strtok_r(NULL, " \t,", &save)) {
			char *colon, *type, *spec;
			struct buf out;

			if (str_has_prefix(tok, "proxy:"))
				tok += strlen("proxy:");
			if ((colon = strchr(tok, ':')) == NULL ||
			    colon[1] != '/')
				continue;
			type = xstrndup(tok, (size_t)(colon - tok));
			/* Maps the plan adds to were built and asked already. */
			if (!file_map(type) || strv_contains(&seen, tok) ||
			    (stage && expected_map(p, tok))) {
				free(type);
				continue;
			}
			strv_add(&seen, tok);
			spec = map_spec(p, stage ? dir : NULL, type, colon + 1);
			{
				char *q[] = { "postmap", "-c", (char *)dir,
				    "-q", "hardenwiz-probe", spec, NULL };
				int status = 0;
				char *f;

				buf_init(&out);
				if (run_argv(q, NULL, &out, &status,
				    cause) != 0)
					r = -1;
				else if ((f = map_trouble(buf_str(&out),
				    strchr(spec, ':') + 1)) != NULL) {
					f = stage ? unstage(f, dir) :
					    xstrdup(f);
					r = set_cause(cause, _("main.cf: %s "
					    "refers to %s, which Postfix "
					    "cannot open (postmap %s): mail "
					    "that needs it would be deferred "
					    "or refused with a temporary "
					    "error"), keys.v[i], tok, f);
					free(f);
				}
				buf_release(&out);
			}
			free(spec);
			free(type);
		}
		free(v);
	}
	free(copy);
	strv_release(&keys);
	strv_release(&values);
	strv_release(&seen);
	return r;
}

/* Remove ", line N" from S in place: an edit above moves the number. */
static void
drop_line_number(char *s)
{
	char *at = strstr(s, ", line ");
	size_t digits;

	if (at == NULL)
		return;
	digits = strspn(at + 7, "0123456789");
	if (digits > 0)
		memmove(at, at + 7 + digits, strlen(at + 7 + digits) + 1);
}

/*
 * The warning lines of TEXT, with DIR written as "DIR" and without line
 * numbers, so that the same warning about the stage and about the live
 * directory compare equal even when the candidate moved its line.
 */
static void
warnings_of(const char *text, const char *dir, struct strv *out)
{
	const char *line = text;
	size_t dl = strlen(dir);

	while (*line != '\0') {
		size_t len = strcspn(line, "\n");
		const char *w = memmem(line, len, "warning:", 8);

		if (w != NULL) {
			struct buf b;
			const char *at = line, *end = line + len, *hit;

			buf_init(&b);
			while ((hit = memmem(at, (size_t)(end - at), dir, dl)) !=
			    NULL && dl > 0) {
				buf_add(&b, at, (size_t)(hit - at));
				buf_adds(&b, "DIR");
				at = hit + dl;
			}
			buf_add(&b, at, (size_t)(end - at));
			drop_line_number(buf_str(&b));
			strv_add(out, buf_str(&b));
			buf_release(&b);
		}
		line += len + (line[len] == '\n');
	}
}

/*
 * postconf -c DIR FLAG (-n: main.cf, -P: master.cf's -o overrides) adds no
 * warning to those BASE (the files as they are now) already has: a typo
 * or a bad -o is refused, while a warning the admin's own files already
 * cause (Postfix 3.10 on an old "smtpd_use_tls") is not ours to refuse.
 * An unused parameter (a typo) is refused even when it was there before.
 * Without BASE (the live files after apply, identical to the candidate
 * checked before) only the exit status counts. OUT (may be NULL) gets the
 * parameters it printed.
 */
static int
postconf_quiet(const char *dir, const char *base, const char *flag,
    const char *what, struct buf *out, char **cause)
{
	char *argv[] = { "postconf", "-c", (char *)dir, (char *)flag, NULL };
	struct buf mine, err;
	struct strv now, before;
	int r;

	buf_init(&mine);
	buf_init(&err);
	strv_init(&now);
	strv_init(&before);
	r = postfix_postconf(argv, out != NULL ? out : &mine, &err, cause);
	if (r == 0 && base != NULL)
		warnings_of(buf_str(&err), dir, &now);
	if (now.n > 0) {
		char *bargv[] = { "postconf", "-c", (char *)base, (char *)flag,
		    NULL };

		buf_release(&err);
		buf_release(&mine);
		/* The live files failing is not the candidate's fault. */
		if (postfix_postconf(bargv, &mine, &err, NULL) == 0)
			warnings_of(buf_str(&err), base, &before);
	}
	for (size_t i = 0; i < now.n && r == 0; i++) {
		/* A typo is refused even when it was there before: the
		 * admin believes a setting is in force that is not. */
		if (!strv_contains(&before, now.v[i]) ||
		    strstr(now.v[i], "unused parameter") != NULL)
			r = set_cause(cause, _("Postfix rejects %s: %s"), what,
			    now.v[i]);
	}
	buf_release(&mine);
	buf_release(&err);
	strv_release(&now);
	strv_release(&before);
	return r;
}

/*
 * What the live files' daemons of the services ONLY say at startup, from a
 * stage without candidates.
 */
static int
fatals_before(const struct plan *p, const struct strv *only,
    struct strv *fatals, char **cause)
{
	struct stage_rules rules = { .what = "postfix", .dir = POSTFIX_DIR,
	    .how = stage_how_of, .arg = (void *)p };
	char *dir = NULL;
	int r;

	/* Offline, myorigin must name the root's file there too. */
	r = stage_make(p->root, NULL, &rules, &dir, cause);
	if (r == 0 && p->offline)
		r = pin_myorigin(p->root, dir, cause);
	if (r == 0)
		r = postfix_startup_fatals(dir, only, fatals, cause);
	stage_remove(dir);
	return r;
}

/*
 * Every daemon the staged master.cf starts gets past its configuration,
 * as far as the live files' do. Master starts a "unix" service only when
 * something asks for it, and Debian's own virtual(8) cannot start (empty
 * virtual_mailbox_base) but is never used: what already failed there is
 * not the candidate's doing. A listening service that cannot start fails
 * every client now, so it is refused even when it is not new.
 */
static int
check_startup(const struct plan *p, const char *dir, char **cause)
{
	struct strv now, before, failed;
	int r;

	strv_init(&now);
	strv_init(&before);
	strv_init(&failed);
	r = postfix_startup_fatals(dir, NULL, &now, cause);
	for (size_t i = 0; i < now.n; i++)
		strv_addf(&failed, "%.*s", (int)strcspn(now.v[i], "\t"),
		    now.v[i]);
	if (r == 0 && now.n > 0)
		r = fatals_before(p, &failed, &before, cause);
	for (size_t i = 0; i < now.n && r == 0; i++) {
		char *service = xstrdup(now.v[i]);
		char *name = strchr(service, '\t'), *why;
		bool old = strv_contains(&before, now.v[i]);

		*name++ = '\0';
		why = strchr(name, '\t');
		*why++ = '\0';
		if (!old)
			r = set_cause(cause, _("Postfix's %s would not start "
			    "for the master.cf service %s: %s. Correct that "
			    "value (postconf(5) says what it takes)"), name,
			    service, why);
		else if (str_has_suffix(service, "/inet") ||
		    str_has_suffix(service, "/pass"))
			r = set_cause(cause, _("Postfix's %s cannot start for "
			    "the master.cf service %s, already before this "
			    "change, so it fails every client now: %s. Correct "
			    "that value (postconf(5) says what it takes) and "
			    "run hardenwiz again"), name, service, why);
		free(service);
	}
	strv_release(&now);
	strv_release(&before);
	strv_release(&failed);
	return r;
}

/* postconf -n must not warn; every expected parameter must read back. */
static int
check_dir(const struct plan *p, const char *dir, const char *base,
    bool stage, bool live, char **cause)
{
	struct buf out;
	int r;

	buf_init(&out);
	r = postconf_quiet(dir, base, "-P", "master.cf", NULL, cause);
	if (r == 0)
		r = postconf_quiet(dir, base, "-n", "main.cf", &out, cause);
	/* After the apply (no BASE) the reload and smoke test say it. */
	if (r == 0 && base != NULL)
		r = check_startup(p, dir, cause);
	/* Offline, the planned postmap did not run: only the stage has
	 * every database. */
	if (r == 0 && (stage || !p->offline))
		r = check_references(p, dir, stage, out.data != NULL ?
		    out.data : "", cause);
	buf_release(&out);
	for (size_t i = 0; i < p->nexpect && r == 0; i++) {
		const struct expectation *e = &p->expect[i];
		char *h[] = { "postconf", "-c", (char *)dir, "-h", e->key,
		    NULL };

		if (e->kind != &postfix_setting)
			continue;
		buf_init(&out);
		r = postfix_postconf(h, &out, NULL, cause);
		if (r == 0 && strcmp(trim(buf_str(&out)),
		    e->value) != 0)
			r = set_cause(cause, _("Postfix reads %s as '%s', not "
			    "'%s'"), e->key, trim(buf_str(&out)),
			    e->value);
		buf_release(&out);
	}
	if (r == 0 && live) {
		char *check[] = { "postfix", "-c", (char *)dir, "check",
		    NULL };

		buf_init(&out);
		r = run_checked(check, NULL, &out, cause);
		if (r == 0 && out.data != NULL && strstr(out.data,
		    "warning:") != NULL)
			r = set_cause(cause, _("postfix check warns: %s"),
			    trim(out.data));
		buf_release(&out);
	}
	return r;
}

/* The relays the plan switches to accept their logins. */
static int
check_logins(struct plan *p, char **cause)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		char *note = NULL;

		if (e->kind != &postfix_relay_login)
			continue;
		if (smtp_login_test(e->key, e->alias != NULL &&
		    strcmp(e->alias, "wrapper") == 0, e->label, e->value, &note,
		    cause) != 0)
			return -1;
		if (note != NULL)
			plan_note(p, "%s", note);
		free(note);
	}
	return 0;
}

/*
 * After the reload: every auth socket the plan needs exists (a missing
 * one makes smtpd drop the connections of its service), and every SMTP
 * port it configures answers.
 */
static int
check_services(const struct plan *p, char **cause)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		struct stat st;
		int tries = 40;

		if (e->kind == &postfix_auth_socket) {
			while (stat(e->key, &st) != 0 && tries-- > 0)
				usleep(250 * 1000);
			if (tries < 0 || !S_ISSOCK(st.st_mode))
				return set_cause(cause, _("the SASL auth socket "
				    "%s did not appear: smtpd would drop "
				    "every AUTH connection"), e->key);
		}
		if (e->kind == &postfix_smtp_port && smtp_smoke(
		    "127.0.0.1", atoi(e->key), 15, cause) != 0)
			return -1;
	}
	return 0;
}

/* R, with any secret in *CAUSE (a map's value, say) masked. */
static int
masked(const struct plan *p, int r, char **cause)
{
	if (r != 0 && cause != NULL && *cause != NULL) {
		char *m = plan_mask(p, *cause);

		free(*cause);
		*cause = m;
	}
	return r;
}

static int
postfix_check(struct plan *p, bool candidates, char **cause)
{
	char *dir = NULL, *base = NULL, *have = run_which("postconf");
	int r;

	free(have);
	if (have == NULL)
		return checker_without_tool(p, candidates, false, "postconf",
		    _("Postfix's main.cf"), cause);
	if (candidates) {
		if (fs_resolve(p->root, POSTFIX_DIR, &base, cause) != 0 ||
		    stage(p, &dir, cause) != 0) {
			stage_remove(dir);
			free(base);
			return CHECK_FAILED;
		}
		r = p->offline ? build_own_maps(dir, cause) : 0;
		if (r == 0)
			r = check_maps(p, dir, cause);
		if (r == 0)
			r = check_dir(p, dir, base, true, !p->offline, cause);
		stage_remove(dir);
		free(base);
		if (r == 0 && !p->offline)
			r = check_logins(p, cause);
		return masked(p, r, cause);
	}
	if (fs_resolve(p->root, POSTFIX_DIR, &dir, cause) != 0)
		return CHECK_FAILED;
	r = check_dir(p, dir, NULL, false, !p->offline, cause);
	free(dir);
	/* Offline, postmap did not run: there is no database to ask. */
	if (r == 0 && !p->offline)
		r = check_maps(p, NULL, cause);
	if (r == 0 && postfix_running(p->root))
		r = smtp_smoke("127.0.0.1", 25, 15, cause);
	if (r == 0 && postfix_running(p->root))
		r = check_services(p, cause);
	return masked(p, r, cause);
}

/* Read one SMTP reply (all lines); *code its code. */
static int
smtp_reply(int fd, int *code, unsigned int seconds)
{
	char buf[1024];
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		char *line, *nl;

		if (poll(&pfd, 1, (int)seconds * 1000) <= 0)
			return -1;
		n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		/* The last line of a reply is "NNN text", not "NNN-text". */
		for (line = buf; (nl = strstr(line, "\r\n")) != NULL;
		    line = nl + 2) {
			if (nl - line >= 4 && line[3] == ' ') {
				*code = atoi(line);
				return 0;
			}
		}
		if (len == sizeof buf - 1)
			len = 0;
	}
}

static int
smoke_once(const char *host, int port, unsigned int seconds, char **cause)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), code = 0;
	int r = -1;
	static const char ehlo[] = "EHLO hardenwiz.invalid\r\n";
	static const char quit[] = "QUIT\r\n";

	inet_pton(AF_INET, host, &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		set_cause(cause, _("no SMTP server answers on %s:%d: %s"),
		    host, port, strerror(errno));
	else if (smtp_reply(fd, &code, seconds) != 0 || code != 220)
		set_cause(cause, _("the SMTP server on %s:%d sent no 220 "
		    "greeting (got %d)"), host, port, code);
	else if (write(fd, ehlo, sizeof ehlo - 1) != sizeof ehlo - 1 ||
	    smtp_reply(fd, &code, seconds) != 0 || code != 250)
		set_cause(cause, _("the SMTP server on %s:%d does not accept "
		    "EHLO (got %d)"), host, port, code);
	else {
		(void)!write(fd, quit, sizeof quit - 1);
		r = 0;
	}
	if (fd >= 0)
		close(fd);
	return r;
}

int
smtp_smoke(const char *host, int port, unsigned int seconds, char **cause)
{
	time_t end = time(NULL) + seconds;

	/* After a reload, smtpd may take a moment to listen again. */
	for (;;) {
		char *err = NULL;

		if (smoke_once(host, port, 5, &err) == 0)
			return 0;
		if (time(NULL) >= end) {
			set_cause(cause, _("%s; the change is rolled back"),
			    err);
			free(err);
			return -1;
		}
		free(err);
		usleep(250 * 1000);
	}
}

/*
 * Postfix 3.10 warns about parameters it will remove ("support for
 * parameter "smtpd_use_tls" will be removed; instead, specify
 * "smtpd_tls_security_level""). Postfix runs with them, so they are
 * notes, with the modern parameter, never a reason to refuse.
 */
static void
note_deprecated(struct plan *p)
{
	static const char *const flags[] = { "-n", "-P" };
	static const char mark[] = "support for parameter ";
	char *dir = NULL;

	if (fs_resolve(p->root, POSTFIX_DIR, &dir, NULL) != 0)
		return;
	for (size_t f = 0; f < nitems(flags); f++) {
		char *argv[] = { "postconf", "-c", dir, (char *)flags[f],
		    NULL };
		struct buf out, err;
		const char *at;

		buf_init(&out);
		buf_init(&err);
		(void)postfix_postconf(argv, &out, &err, NULL);
		for (at = buf_str(&err); (at = strstr(at, mark)) != NULL;
		    at += strlen(mark)) {
			size_t len = strcspn(at, "\n");
			char *what = xstrndup(at + strlen(mark),
			    len - strlen(mark));

			plan_note(p, _("%s: parameter %s (Postfix still "
			    "runs with it, and warns)"), flags[f][1] == 'n' ?
			    "main.cf" : "master.cf", what);
			free(what);
		}
		buf_release(&out);
		buf_release(&err);
	}
	free(dir);
}

void
postfix_plan_reload(struct plan *p, const char *step)
{
	/* Debian's postfix.service is a dummy; "postfix reload" works
	 * with and without systemd, for every instance layout. */
	char *argv[] = { "postfix", "reload", NULL };

	note_deprecated(p);
	if (!p->offline && !postfix_running(p->root))
		return;	/* not running: the files are read at start */
	if (!plan_has_command(p, argv))
		plan_command(p, step, argv, argv, _("Postfix rereads "
		    "main.cf"))->order = ORDER_ACTIVATE;
}

int
postfix_set_main(struct augs *augs, struct plan *p, const char *step,
    const char *key, const char *value, char **cause)
{
	augeas *aug = augs_handle(augs);
	char *now = postfix_param(p->root, key, true);
	char *path, *last;
	int r = 0;

	if (now != NULL && strcmp(now, value) == 0) {
		free(now);
		return 0;
	}
	path = xasprintf("/files" POSTFIX_MAIN "/%s", key);
	last = xasprintf("%s[last()]", path);
	if (aug_set(aug, aug_match(aug, path, NULL) > 0 ? last : path,
	    value) != 0)
		r = set_cause(cause, _("cannot set %s in %s: %s"), key,
		    POSTFIX_MAIN, augs_error(augs));
	else
		plan_expect(p, step, &postfix_setting, key, key, value, NULL,
		    now);
	free(now);
	free(last);
	free(path);
	return r;
}

char *
postfix_main_value(struct augs *augs, const char *root, const char *key)
{
	char *path = xasprintf("/files" POSTFIX_MAIN "/%s[last()]", key);
	const char *v = NULL;
	char *value;

	if (aug_get(augs_handle(augs), path, &v) == 1 && v != NULL)
		value = xstrdup(v);
	else
		value = postfix_param(root, key, false);
	free(path);
	return value;
}

int
postfix_plan_milter(struct augs *augs, struct plan *p, const char *step,
    const char *key, const char *milter, bool add, bool first, char **cause)
{
	char *now = postfix_main_value(augs, p->root, key), *want;
	struct strv items, out;
	bool there;
	int r = 0;

	strv_init(&items);
	strv_init(&out);
	split_list(now != NULL ? now : "", &items);
	there = strv_contains(&items, milter);
	if (add && first)
		strv_add(&out, milter);
	for (size_t i = 0; i < items.n; i++)
		if (strcmp(items.v[i], milter) != 0)
			strv_add(&out, items.v[i]);
	if (add && !first)
		strv_add(&out, milter);
	want = strv_join(&out, ", ");
	/* Unchanged unless it must come, go or move to the front. */
	if (add != there || (add && first && strcmp(items.v[0], milter) != 0))
		r = postfix_set_main(augs, p, step, key, want, cause);
	free(want);
	strv_release(&out);
	strv_release(&items);
	free(now);
	return r;
}

char *
postfix_map_db(const char *type, const char *map)
{
	return xasprintf("%s.%s", map, strcmp(type, "hash") == 0 ||
	    strcmp(type, "btree") == 0 ? "db" : type);
}

void
postfix_plan_postmap(struct plan *p, const char *step, const char *type,
    const char *map, const char *why)
{
	char *spec = xasprintf("%s:%s", type, map);
	char *argv[] = { "postmap", spec, NULL };
	char *db = postfix_map_db(type, map);
	struct change *c = plan_command(p, step, argv, NULL, why);

	/*
	 * The map and its database before main.cf names them: a map named
	 * before its .db exists makes Postfix defer all mail.
	 */
	plan_order_file(p, map, ORDER_SOURCE);
	c->order = ORDER_PREPARE;
	plan_touches(c, db);
	free(db);
	free(spec);
}

const struct checker postfix_checker = { "postfix", postfix_check };
const struct expect_kind postfix_setting = { &postfix_checker, false, false };
const struct expect_kind postfix_map_entry = { &postfix_checker, false, true };
const struct expect_kind postfix_relay_login = { &postfix_checker, true,
    false };
const struct expect_kind postfix_auth_socket = { &postfix_checker, true,
    false };
const struct expect_kind postfix_smtp_port = { &postfix_checker, true, false };
