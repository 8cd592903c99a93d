/*
 * opendkim/config.c -- OpenDKIM's configuration as the [dns] step edits
 * it, through the session's Augeas tree: opendkim.conf (Opendkim lens)
 * and its file tables (Opendkim_Table lens), and the keys. See
 * opendkim.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsutil.h"
#include "i18n.h"
#include "opendkim/dkimkey.h"
#include "opendkim/opendkim.h"

#define DKIM_BITS	2048

/* The tree path of opendkim.conf's KEY (any case), or NULL. */
static char *
conf_node(augeas *aug, const char *key)
{
	char **m = NULL, *found = NULL;
	int n = aug_match(aug, "/files" OPENDKIM_CONF "/*", &m);

	for (int i = 0; i < n; i++) {
		const char *label = strrchr(m[i], '/') + 1;
		size_t k = strlen(key);

		if (found == NULL && strncasecmp(label, key, k) == 0 &&
		    (label[k] == '\0' || label[k] == '['))
			found = xstrdup(m[i]);
		free(m[i]);
	}
	free(m);
	return found;
}

static bool
conf_node_exists(augeas *aug, const char *key)
{
	char *path = conf_node(aug, key);

	free(path);
	return path != NULL;
}

/* KEY's value in opendkim.conf (caller frees), or NULL. */
static char *
conf_get(augeas *aug, const char *key)
{
	char *path = conf_node(aug, key);
	const char *v = NULL;
	char *out = NULL;

	if (path != NULL && aug_get(aug, path, &v) == 1 && v != NULL)
		out = xstrdup(v);
	free(path);
	return out;
}

static int
conf_set(struct augs *augs, const char *key, const char *value,
    char **cause)
{
	augeas *aug = augs_handle(augs);
	char *path = conf_node(aug, key);
	char *fresh = xasprintf("/files" OPENDKIM_CONF "/%s", key);
	int r = aug_set(aug, path != NULL ? path : fresh, value);

	if (r != 0)
		set_cause(cause, _("cannot set %s in %s: %s"), key,
		    OPENDKIM_CONF, augs_error(augs));
	free(fresh);
	free(path);
	return r;
}

/* ---- the tables ---- */

/* The tree path of TABLE's row whose FIELD ("key", "value") is S, or NULL. */
static char *
table_row(augeas *aug, const char *table, const char *field,
    const char *s)
{
	char *q = augs_quote(s);
	char *expr = xasprintf("/files%s/*[%s = '%s']", table, field, q);
	char **m = NULL, *found = NULL;
	int n = aug_match(aug, expr, &m);

	for (int i = 0; i < n; i++) {
		if (i == 0)
			found = m[i];
		else
			free(m[i]);
	}
	free(m);
	free(expr);
	free(q);
	return found;
}

/* A row KEY VALUE at the end of TABLE. */
static int
table_add(struct augs *augs, const char *table, const char *key,
    const char *value, char **cause)
{
	augeas *aug = augs_handle(augs);
	char *all = xasprintf("/files%s/*", table), *k, *v;
	char **m = NULL;
	int n = aug_match(aug, all, &m), next = 0, r;

	/* Rows are numbered (seq): the new one takes the next number. */
	for (int i = 0; i < n; i++) {
		const char *label = strrchr(m[i], '/') + 1;

		if (isdigit((unsigned char)label[0]) && atoi(label) > next)
			next = atoi(label);
		free(m[i]);
	}
	free(m);
	k = xasprintf("/files%s/%d/key", table, next + 1);
	v = xasprintf("/files%s/%d/value", table, next + 1);
	r = aug_set(aug, k, key) != 0 || aug_set(aug, v, value) != 0 ? -1 : 0;
	if (r != 0)
		set_cause(cause, _("cannot add a row to %s: %s"), table,
		    augs_error(augs));
	free(v);
	free(k);
	free(all);
	return r;
}

/* ---- OpenDKIM's configuration ---- */

void
opendkim_setup_release(struct opendkim_setup *o)
{
	free(o->keytable);
	free(o->signtable);
	free(o->milter);
	memset(o, 0, sizeof *o);
}

/*
 * The table opendkim.conf names as KEY, or NEW_SPEC set when none: only a
 * file under /etc/opendkim that the session loaded can be edited.
 */
static int
conf_table(struct augs *augs, const char *key, const char *new_spec,
    char **path, bool *refile, char **cause)
{
	char *spec = conf_get(augs_handle(augs), key);
	const char *file;
	int r = 0;

	if (spec == NULL) {
		spec = xstrdup(new_spec);
		r = conf_set(augs, key, spec, cause);
	}
	file = opendkim_file_table(spec);
	if (r == 0 && file == NULL)
		r = set_cause(cause, _("OpenDKIM's %s is %s, not a file: "
		    "hardenwiz edits file tables only; add the keys there "
		    "yourself, or make it a file"), key, spec);
	else if (r == 0 && (!str_has_prefix(file, OPENDKIM_DIR "/") ||
	    strchr(file + strlen(OPENDKIM_DIR "/"), '/') != NULL ||
	    (!str_has_suffix(file, "Table") && !str_has_suffix(file,
	    ".table"))))
		r = set_cause(cause, _("OpenDKIM's %s is %s: hardenwiz edits "
		    "tables named %s/*Table or *.table only; move it there "
		    "(and change %s), then run again"), key, file,
		    OPENDKIM_DIR, OPENDKIM_CONF);
	if (r == 0) {
		*path = xstrdup(file);
		if (refile != NULL)
			*refile = str_has_prefix(spec, "refile:");
	}
	free(spec);
	return r;
}

int
opendkim_prepare(struct augs *augs, struct plan *p,
    const struct osinfo *os, struct opendkim_setup *dc, char **cause)
{
	augeas *aug = augs_handle(augs);
	char *single = conf_get(aug, "KeyFile"), *sock, *mode, *user;
	int r;

	memset(dc, 0, sizeof *dc);
	dc->keydir = opendkim_key_dir(os);
	if (single != NULL && conf_node_exists(aug, "KeyTable") == false) {
		r = set_cause(cause, _("OpenDKIM signs with one key (KeyFile "
		    "%s in %s): hardenwiz manages keys in a KeyTable and a "
		    "SigningTable; move that key into them, or remove "
		    "Domain, Selector and KeyFile, then run again"), single,
		    OPENDKIM_CONF);
		free(single);
		return r;
	}
	free(single);
	if (conf_table(augs, "KeyTable", OPENDKIM_KEYTABLE, &dc->keytable,
	    NULL, cause) != 0 || conf_table(augs, "SigningTable", "refile:"
	    OPENDKIM_SIGNINGTABLE, &dc->signtable, &dc->refile, cause) != 0)
		return -1;
	sock = conf_get(aug, "Socket");
	dc->milter = opendkim_milter_address(sock);
	r = 0;
	if (dc->milter == NULL) {
		/* A unix socket under /run: out of Postfix's chroot. */
		if (sock != NULL)
			plan_note(p, _("OpenDKIM moves from %s to %s: "
			    "Postfix's smtpd and cleanup run chrooted and "
			    "cannot reach a socket under /run"), sock,
			    OPENDKIM_SOCKET);
		dc->milter = xstrdup(OPENDKIM_MILTER);
		dc->socket_moves = true;
		r = conf_set(augs, "Socket", OPENDKIM_SOCKET, cause);
	}
	free(sock);
	/* Mode v only verifies: signing needs s. */
	if (r == 0 && (mode = conf_get(aug, "Mode")) != NULL) {
		if (strchr(mode, 's') == NULL)
			r = conf_set(augs, "Mode", "sv", cause);
		free(mode);
	}
	user = conf_get(aug, "UserID");
	if (r == 0)
		r = opendkim_user(p->root, user, &dc->uid, &dc->gid, cause);
	free(user);
	return r;
}

/* ---- keys ---- */

/*
 * The key FILE for DOMAIN: its public half *PUB, read from the file when
 * it is there, else made now and planned (0600, OpenDKIM's user).
 */
static int
plan_key(struct plan *p, const char *step, const struct opendkim_setup *dc,
    const char *file, char **pub, bool *made, char **cause)
{
	char *pem = NULL;
	size_t len = 0;
	const char *type;
	int r;

	*made = false;
	if (fs_exists(p->root, file)) {
		struct fs_file f;

		secrets_protect();
		if (fs_read(p->root, file, &f, cause) != 0)
			return -1;
		*pub = dkim_public_half(f.data, f.len, &type);
		if (f.data != NULL)
			explicit_bzero(f.data, f.len);
		fs_file_release(&f);
		if (*pub == NULL)
			return set_cause(cause, _("%s is not a private key "
			    "hardenwiz can read: move it away, then run again "
			    "for a new one"), file);
		return 0;
	}
	if (dkim_key_generate(DKIM_BITS, &pem, &len, pub, cause) != 0)
		return -1;
	if (!fs_exists(p->root, dc->keydir) && plan_find_file(p,
	    dc->keydir) == NULL) {
		plan_parents(p, step, dc->keydir);
		plan_mkdir(p, step, dc->keydir, 0700, dc->uid, dc->gid);
	}
	plan_private_file(p, file);
	r = plan_file(p, step, file, pem, len, 0600, dc->uid, dc->gid, NULL,
	    cause);
	dkim_secret_free(pem, len);
	*made = r == 0;
	return r;
}

/* The SigningTable row that applies to DOMAIN now (its tree path), or NULL. */
static char *
signing_now(augeas *aug, const struct opendkim_setup *dc,
    const char *domain)
{
	char *all = xasprintf("/files%s/*[key]", dc->signtable), *found = NULL;
	char **m = NULL;
	int n = aug_match(aug, all, &m);

	for (int i = 0; i < n; i++) {
		char *kp = xasprintf("%s/key", m[i]);
		const char *key = NULL;

		if (found == NULL && aug_get(aug, kp, &key) == 1 && key !=
		    NULL && dkim_row_matches(key, dc->refile, domain))
			found = xstrdup(m[i]);
		free(kp);
		free(m[i]);
	}
	free(m);
	free(all);
	return found;
}

/* ---- the API ---- */

int
opendkim_plan_key(struct augs *augs, struct plan *p, const char *step,
    const struct opendkim_setup *dc, const char *domain,
    const char *selector, char **pub, bool *made, char **cause)
{
	augeas *aug = augs_handle(augs);
	char *name = xasprintf("%s._domainkey.%s", selector, domain);
	char *row = table_row(aug, dc->keytable, "key", name);
	char *file = NULL;
	const char *value = NULL;
	int r = -1;

	*pub = NULL;
	if (row != NULL) {
		char *vp = xasprintf("%s/value", row);

		if (aug_get(aug, vp, &value) == 1 && value != NULL &&
		    dkim_key_spec(value, NULL, NULL, &file) && file[0] != '/') {
			free(file);
			file = NULL;
		}
		free(vp);
		if (file == NULL) {
			set_cause(cause, _("%s: the row %s is not "
			    "DOMAIN:SELECTOR:/path/to/key"), dc->keytable,
			    name);
			goto out;
		}
	} else
		file = xasprintf("%s/%s.%s.private", dc->keydir, domain,
		    selector);
	if (plan_key(p, step, dc, file, pub, made, cause) != 0)
		goto out;
	if (row == NULL) {
		char *v = xasprintf("%s:%s:%s", domain, selector, file);

		r = table_add(augs, dc->keytable, name, v, cause);
		free(v);
		if (r != 0)
			goto out;
	}
	r = 0;
out:
	if (r != 0) {
		free(*pub);
		*pub = NULL;
	}
	free(file);
	free(row);
	free(name);
	return r;
}

char *
opendkim_signing(struct augs *augs, const struct opendkim_setup *dc,
    const char *domain)
{
	augeas *aug = augs_handle(augs);
	char *now = signing_now(aug, dc, domain), *vpath, *out = NULL;
	const char *value = NULL;

	if (now == NULL)
		return NULL;
	vpath = xasprintf("%s/value", now);
	if (aug_get(aug, vpath, &value) == 1 && value != NULL)
		out = xstrdup(value);
	free(vpath);
	free(now);
	return out != NULL ? out : xstrdup("");
}

/*
 * The selector of KeyTable row ROW when it is DOMAIN's and, when NAME is
 * not NULL, keyed NAME; else NULL (caller frees).
 */
static char *
row_selector(augeas *aug, const char *row, const char *name,
    const char *domain)
{
	char *kp = xasprintf("%s/key", row), *vp = xasprintf("%s/value", row);
	char *dom = NULL, *sel = NULL;
	const char *key = NULL, *value = NULL;

	if (aug_get(aug, kp, &key) == 1 && aug_get(aug, vp, &value) == 1 &&
	    key != NULL && value != NULL && (name == NULL ||
	    strcasecmp(key, name) == 0) && dkim_key_spec(value, &dom, &sel,
	    NULL) && strcasecmp(dom, domain) != 0) {
		free(sel);
		sel = NULL;
	}
	free(dom);
	free(vp);
	free(kp);
	return sel;
}

char *
opendkim_selector(struct augs *augs, const struct opendkim_setup *dc,
    const char *domain)
{
	augeas *aug = augs_handle(augs);
	char *name = opendkim_signing(augs, dc, domain), *sel = NULL;
	char *all = xasprintf("/files%s/*[key]", dc->keytable);
	char **m = NULL;
	int n = aug_match(aug, all, &m);

	/* The row the SigningTable names, else the first of DOMAIN. */
	for (int i = 0; i < n && sel == NULL && name != NULL; i++)
		sel = row_selector(aug, m[i], name, domain);
	for (int i = 0; i < n && sel == NULL; i++)
		sel = row_selector(aug, m[i], NULL, domain);
	for (int i = 0; i < n; i++)
		free(m[i]);
	free(m);
	free(all);
	free(name);
	return sel;
}

int
opendkim_sign_with(struct augs *augs, const struct opendkim_setup *dc,
    const char *domain, const char *name, char **cause)
{
	augeas *aug = augs_handle(augs);
	char *now = signing_now(aug, dc, domain), *key, *vpath;
	int r;

	if (now == NULL) {
		key = dc->refile ? xasprintf("*@%s", domain) : xstrdup(domain);
		r = table_add(augs, dc->signtable, key, name, cause);
		free(key);
		return r;
	}
	vpath = xasprintf("%s/value", now);
	if ((r = aug_set(aug, vpath, name)) != 0)
		set_cause(cause, _("cannot set %s: %s"), dc->signtable,
		    augs_error(augs));
	free(vpath);
	free(now);
	return r;
}
