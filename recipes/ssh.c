/*
 * ssh.c -- the SSH step: port, password login, root login, an authorized
 * key, with the lockout guard.
 *
 * sshd keeps the FIRST value it reads for a keyword, and Debian, Ubuntu and
 * RHEL include sshd_config.d/[*].conf at the top of sshd_config, so a drop-in
 * (cloud-init's 50-cloud-init.conf, Anaconda's 01-permitrootlogin.conf)
 * beats the main file. Our rule, in docs/design.md:
 *  1. The wanted value goes into the file sshd reads first: our own
 *     sshd_config.d/00-hardenwiz.conf when sshd_config includes that
 *     directory, otherwise sshd_config itself, above any Match block.
 *  2. Every other global line of the same keyword (aliases included) that
 *     disagrees is set to the same value in place, so no file says otherwise
 *     and the result does not depend on file order. Port lines elsewhere are
 *     commented out, because every Port line adds a listener.
 *  3. The plan expects sshd -T to report the wanted values; the candidate and
 *     then the live files are checked against that.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firewall/firewall.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sshd/sshkey.h"
#include "step.h"
#include "sshd/check.h"

#define SSH_MAIN	"/etc/ssh/sshd_config"
#define SSH_DROPIN	"/etc/ssh/sshd_config.d/00-hardenwiz.conf"
#define SOCKET_DROPIN_DIR "/etc/systemd/system/ssh.socket.d"
#define SOCKET_DROPIN	SOCKET_DROPIN_DIR "/00-hardenwiz.conf"
#define MAX_INCLUDE_DEPTH 8

/* An sshd keyword: canonical name, spellings that mean it, default. */
struct keyword {
	const char	*name;
	const char	*spellings;	/* '|'-separated, case-insensitive */
	const char	*dflt;		/* OpenSSH 9 default */
};

static const struct keyword kw_port = { "Port", "Port", "22" };
static const struct keyword kw_password = { "PasswordAuthentication",
	"PasswordAuthentication", "yes" };
static const struct keyword kw_kbd = { "KbdInteractiveAuthentication",
	"KbdInteractiveAuthentication|ChallengeResponseAuthentication", "yes" };
static const struct keyword kw_rootlogin = { "PermitRootLogin",
	"PermitRootLogin", "prohibit-password" };
static const struct keyword kw_akfile = { "AuthorizedKeysFile",
	"AuthorizedKeysFile", ".ssh/authorized_keys .ssh/authorized_keys2" };
static const struct keyword kw_strict = { "StrictModes", "StrictModes",
	"yes" };
static const struct keyword kw_pubkey = { "PubkeyAuthentication",
	"PubkeyAuthentication", "yes" };
static const struct keyword kw_allowusers = { "AllowUsers", "AllowUsers",
	"" };
static const struct keyword kw_denyusers = { "DenyUsers", "DenyUsers", "" };
static const struct keyword kw_pidfile = { "PidFile", "PidFile",
	"/run/sshd.pid" };

static const struct aug_file ssh_files[] = {
	SSH_AUG_FILES,
};

static const char *const root_login_choices[] = { "prohibit-password", "no",
	"yes", NULL };

static const struct question ssh_questions[] = {
	{ "port", V_PORT, N_("SSH port"),
	  N_("The TCP port sshd listens on. Moving it from 22 cuts the noise "
	     "of scanners; it is no defence by itself. Open the new port in "
	     "your provider's firewall too."), NULL, 0, 0, 0 },
	{ "password_authentication", V_BOOL, N_("Allow password login"),
	  N_("'no' stops password guessing for good. Keyboard-interactive "
	     "login (PAM), which also asks for the password, is turned off "
	     "with it. Refused unless an account has a working key."),
	  NULL, 0, 0, 0 },
	{ "permit_root_login", V_CHOICE, N_("Root login"),
	  N_("prohibit-password: root may log in with a key only. no: never. "
	     "yes: also with a password (not recommended)."),
	  root_login_choices, 0, 0, 0 },
	{ "authorized_key", V_PUBKEY, N_("Public key to install"),
	  N_("An OpenSSH public key ('ssh-ed25519 AAAA... you@laptop'), "
	     "installed before password login is turned off. Leave empty to "
	     "keep the keys as they are."), NULL, 0, 0, 0 },
	{ "key_user", V_USER, N_("Install the key for user"),
	  N_("Whose authorized_keys file receives the key."), NULL, 0, 0, 0 },
	{ "confirm_timeout", V_DURATION, N_("Seconds to confirm"),
	  N_("On a live system the change is rolled back unless you run "
	     "'hardenwiz --confirm' (from a new login) within this time. "
	     "0 turns the safety net off."), NULL, 0, 0, Q_RECIPE_ONLY },
};

/* ---- reading the configuration the way sshd does ---- */

struct occurrence {
	char	*file;		/* path inside the root */
	char	*node;		/* Augeas path */
	char	*label;		/* as written */
	char	*value;
};

struct occurrences {
	struct occurrence	*v;
	size_t			 n;
};

static void
occurrences_release(struct occurrences *o)
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
spelled(const struct keyword *k, const char *label)
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
    struct occurrences *, struct strv *notes);

/*
 * Files an Include pattern names, sorted as sshd's glob sorts them. Listed
 * from the Augeas tree, so files this plan creates are seen too.
 */
static void
walk_include(augeas *aug, const char *pattern, int depth,
    struct occurrences *out, struct strv *notes)
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
walk_file(augeas *aug, const char *file, int depth, struct occurrences *out,
    struct strv *notes)
{
	char *q, **m = NULL;
	int n;

	if (depth > MAX_INCLUDE_DEPTH)
		return;
	q = xasprintf("/files%s/*", file);
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
			struct occurrence *o;

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
static void
walk(augeas *aug, struct occurrences *out, struct strv *notes)
{
	walk_file(aug, SSH_MAIN, 0, out, notes);
}

/* The value sshd uses for K in a walk: the first one read, else default. */
static char *
first_value(const struct occurrences *o, const struct keyword *k)
{
	for (size_t i = 0; i < o->n; i++) {
		if (spelled(k, o->v[i].label))
			return xstrdup(o->v[i].value);
	}
	return xstrdup(k->dflt);
}

/* The same on the tree as it is now (walks it: use first_value in loops). */
static char *
effective(augeas *aug, const struct keyword *k)
{
	struct occurrences o = { 0 };
	char *v;

	walk(aug, &o, NULL);
	v = first_value(&o, k);
	occurrences_release(&o);
	return v;
}

void
ssh_listen_ports(augeas *aug, struct strv *ports)
{
	struct occurrences o = { 0 };

	walk(aug, &o, NULL);
	for (size_t i = 0; i < o.n; i++) {
		if (spelled(&kw_port, o.v[i].label) &&
		    !strv_contains(ports, o.v[i].value))
			strv_add(ports, o.v[i].value);
	}
	occurrences_release(&o);
	if (ports->n == 0)
		strv_add(ports, kw_port.dflt);
}

/* "without-password" is the old spelling of "prohibit-password". */
static char *
canonical(const struct keyword *k, const char *v)
{
	char *s = xstrdup(v);

	for (char *c = s; *c != '\0'; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	if (k == &kw_rootlogin && strcmp(s, "without-password") == 0) {
		free(s);
		s = xstrdup("prohibit-password");
	}
	return s;
}

static bool
same_value(const struct keyword *k, const char *a, const char *b)
{
	char *x = canonical(k, a), *y = canonical(k, b);
	bool eq = strcmp(x, y) == 0;

	free(x);
	free(y);
	return eq;
}

/* ---- editing ---- */

static bool
main_includes_dropin(augeas *aug)
{
	char **m = NULL;
	int n = aug_match(aug, "/files" SSH_MAIN "/*[label() =~ "
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

			found |= fnmatch(abs, SSH_DROPIN, FNM_PATHNAME) == 0;
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
set_in_file(struct augs *s, const char *file, const struct keyword *k,
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
comment_out(struct augs *s, const struct occurrence *o, const char *why,
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

struct ssh_plan {
	struct step_ctx		*ctx;
	struct plan		*plan;
	char			*primary;	/* Augeas path of the file */
	const char		*primary_file;
};

/* O: the walk of the tree before this edit. */
static int
plan_keyword(struct ssh_plan *sp, const struct occurrences *walked,
    const struct keyword *k, const char *value, char **cause)
{
	augeas *aug = augs_handle(sp->ctx->augs);
	const struct occurrences o = *walked;
	int r = 0;

	if (set_in_file(sp->ctx->augs, sp->primary, k, value, cause) != 0)
		return -1;
	for (size_t i = o.n; i-- > 0 && r == 0;) {
		const struct occurrence *oc = &o.v[i];
		char *why;

		if (!spelled(k, oc->label) || strcmp(oc->file,
		    sp->primary_file) == 0)
			continue;
		if (k == &kw_port) {
			why = xasprintf(_("disabled by hardenwiz: the port is "
			    "set in %s"), sp->primary_file);
			r = comment_out(sp->ctx->augs, oc, why, cause);
			free(why);
		} else if (!same_value(k, oc->value, value) &&
		    aug_set(aug, oc->node, value) != 0)
			r = aug_fail(sp->ctx->augs, "set the value", oc->file,
			    cause);
	}
	return r;
}

/* Set keyword K everywhere and expect sshd -T to report VKEY VALUE. */
static int
plan_setting(struct ssh_plan *sp, const struct keyword *k, const char *vkey,
    const char *value, const char *alias, char **cause)
{
	struct occurrences o = { 0 };
	char *before, *current;
	int r;

	walk(augs_handle(sp->ctx->augs), &o, NULL);
	before = first_value(&o, k);
	current = canonical(k, before);
	r = plan_keyword(sp, &o, k, value, cause);
	occurrences_release(&o);

	if (r == 0)
		plan_expect(sp->plan, "ssh", &sshd_setting, vkey, k->name, value,
		    alias, current);
	free(before);
	free(current);
	return r;
}

/*
 * Match blocks that turn password login back on for some connections. They
 * are often deliberate (an SFTP-only group), so they are reported, not
 * rewritten.
 */
static void
match_overrides(augeas *aug, struct strv *out)
{
	char **files = NULL;
	int nf = aug_match(aug, "/files/etc/ssh/sshd_config | "
	    "/files/etc/ssh/sshd_config.d/*", &files);

	for (int i = 0; i < nf; i++) {
		char *q = xasprintf("%s/*[label() =~ regexp('match', 'i')]"
		    "/Settings/*[label() =~ regexp('PasswordAuthentication|"
		    "KbdInteractiveAuthentication|"
		    "ChallengeResponseAuthentication', 'i')]", files[i]);
		char **m = NULL;
		int n = aug_match(aug, q, &m);

		for (int k = 0; k < n; k++) {
			const char *label = NULL, *v = NULL;

			if (aug_label(aug, m[k], &label) == 1 &&
			    aug_get(aug, m[k], &v) == 1 && v != NULL &&
			    strcasecmp(v, "yes") == 0)
				strv_addf(out, _("%s: a Match block sets '%s "
				    "yes': password login stays on for the "
				    "connections it matches"), files[i] +
				    strlen("/files"), label);
			free(m[k]);
		}
		free(m);
		free(q);
		free(files[i]);
	}
	free(files);
}

/* ---- the lockout guard ---- */

static bool
user_listed(const char *list, const char *user)
{
	struct strv pats;
	bool hit = false;

	strv_init(&pats);
	split_list(list, &pats);
	for (size_t i = 0; i < pats.n && !hit; i++) {
		char *at = strchr(pats.v[i], '@');

		if (at != NULL)
			*at = '\0';	/* USER@HOST: the host part varies */
		hit = fnmatch(pats.v[i], user, 0) == 0;
	}
	strv_release(&pats);
	return hit;
}

/* AuthorizedKeysFile entries for AC, as paths inside the root. */
static void
key_files(const char *akfile, const struct account *ac, struct strv *out)
{
	struct strv items;

	strv_init(&items);
	split_list(akfile, &items);
	for (size_t i = 0; i < items.n; i++) {
		struct buf b;
		const char *s = items.v[i];

		if (strcmp(s, "none") == 0)
			continue;
		buf_init(&b);
		if (s[0] != '/' && s[0] != '%')
			buf_addf(&b, "%s/", ac->home);
		for (; *s != '\0'; s++) {
			if (*s == '%' && s[1] == 'h')
				buf_adds(&b, ac->home), s++;
			else if (*s == '%' && s[1] == 'u')
				buf_adds(&b, ac->name), s++;
			else if (*s == '%' && s[1] == 'U')
				buf_addf(&b, "%u", (unsigned)ac->uid), s++;
			else if (*s == '%' && s[1] == '%')
				buf_add(&b, "%", 1), s++;
			else
				buf_add(&b, s, 1);
		}
		strv_add(out, b.data);
		buf_release(&b);
	}
	strv_release(&items);
}

/* StrictModes: sshd ignores a key file others could have written. */
static bool
strict_ok(const char *root, const char *path, const struct account *ac)
{
	char *copy = xstrdup(path), *slash;
	bool ok = true;

	while (ok && copy[0] != '\0') {
		char *host = NULL;
		struct stat st;

		if (fs_resolve(root, copy, &host, NULL) == 0 &&
		    stat(host, &st) == 0 && ((st.st_mode & 022) != 0 ||
		    (st.st_uid != 0 && st.st_uid != ac->uid)))
			ok = false;
		free(host);
		if (strcmp(copy, ac->home) == 0)
			break;		/* sshd stops at the home directory */
		slash = strrchr(copy, '/');
		if (slash == NULL || slash == copy)
			break;
		*slash = '\0';
	}
	free(copy);
	return ok;
}

/* Usable keys of AC after the plan. */
static int
usable_keys(struct plan *p, const struct account *ac, const char *akfile,
    bool strict)
{
	struct strv files;
	int count = 0;

	strv_init(&files);
	key_files(akfile, ac, &files);
	for (size_t i = 0; i < files.n; i++) {
		char *text = NULL;
		size_t len;
		bool exists;

		if (plan_text_after(p, files.v[i], &text, &len, &exists, NULL)
		    != 0 || !exists) {
			free(text);
			continue;
		}
		if (!strict || plan_find_file(p, files.v[i]) != NULL ||
		    strict_ok(p->root, files.v[i], ac))
			count += sshkey_count_usable(text);
		free(text);
	}
	strv_release(&files);
	return count;
}

struct login_policy {
	bool	 password;	/* password or keyboard-interactive login */
	bool	 pubkey;
	char	*rootlogin;
	char	*akfile;
	char	*allow;
	char	*deny;
	bool	 strict;
};

static void
policy_load(augeas *aug, struct login_policy *lp)
{
	struct occurrences o = { 0 };
	char *pw, *kbd, *pk, *st, *rl;

	walk(aug, &o, NULL);
	pw = first_value(&o, &kw_password);
	kbd = first_value(&o, &kw_kbd);
	pk = first_value(&o, &kw_pubkey);
	st = first_value(&o, &kw_strict);
	rl = first_value(&o, &kw_rootlogin);

	lp->password = strcasecmp(pw, "yes") == 0 || strcasecmp(kbd, "yes")
	    == 0;
	lp->pubkey = strcasecmp(pk, "no") != 0;
	lp->strict = strcasecmp(st, "no") != 0;
	lp->rootlogin = canonical(&kw_rootlogin, rl);
	lp->akfile = first_value(&o, &kw_akfile);
	lp->allow = first_value(&o, &kw_allowusers);
	lp->deny = first_value(&o, &kw_denyusers);
	occurrences_release(&o);
	free(pw);
	free(kbd);
	free(pk);
	free(st);
	free(rl);
}

static void
policy_release(struct login_policy *lp)
{
	free(lp->rootlogin);
	free(lp->akfile);
	free(lp->allow);
	free(lp->deny);
}

/* Accounts that could still log in after the plan, one line each. */
static size_t
ways_in(struct plan *p, const struct accounts *acc,
    const struct login_policy *lp, struct strv *found)
{
	for (size_t i = 0; i < acc->n; i++) {
		const struct account *ac = &acc->v[i];
		bool is_root = ac->uid == 0 && strcmp(ac->name, "root") == 0;
		int keys;

		if (lp->allow[0] != '\0' && !user_listed(lp->allow, ac->name))
			continue;
		if (lp->deny[0] != '\0' && user_listed(lp->deny, ac->name))
			continue;
		if (!account_has_login_shell(ac))
			continue;
		if (is_root && strcmp(lp->rootlogin, "no") == 0)
			continue;
		if (!is_root && ac->uid < 1000 && ac->uid != 0)
			continue;	/* system accounts */
		keys = lp->pubkey && (!is_root || strcmp(lp->rootlogin,
		    "forced-commands-only") != 0) ? usable_keys(p, ac,
		    lp->akfile, lp->strict) : 0;
		if (keys > 0) {
			strv_addf(found, "%s (%d key%s)", ac->name, keys,
			    keys == 1 ? "" : "s");
			continue;
		}
		if (lp->password && (!is_root || strcmp(lp->rootlogin, "yes")
		    == 0) && account_password_usable(p->root, ac->name) == 1)
			strv_addf(found, "%s (password)", ac->name);
	}
	return found->n;
}

/*
 * Refuse (exit 4) a plan that restricts how one logs in when no account
 * would be left with a way in that we can prove.
 */
static void
guard(struct ssh_plan *sp, const struct login_policy *before)
{
	augeas *aug = augs_handle(sp->ctx->augs);
	struct login_policy after = { 0 };
	struct accounts acc;
	struct strv found;
	char *cause = NULL;

	policy_load(aug, &after);
	if ((!before->password || after.password) &&
	    strcmp(before->rootlogin, after.rootlogin) == 0) {
		policy_release(&after);
		return;		/* nothing gets stricter */
	}
	strv_init(&found);
	if (accounts_load(sp->plan->root, &acc, &cause) != 0) {
		sp->plan->refusal = xasprintf(_("cannot check that someone can "
		    "still log in: %s"), cause);
		free(cause);
		policy_release(&after);
		return;
	}
	if (ways_in(sp->plan, &acc, &after, &found) == 0) {
		sp->plan->refusal = xasprintf(_("refusing to %s: no account "
		    "that may log in would have a usable key in its "
		    "authorized keys file (%s). Install one first: "
		    "authorized_key = ssh-ed25519 AAAA... and key_user = NAME "
		    "in [ssh], or ssh-copy-id from your computer"),
		    !after.password ? _("turn off password login") :
		    _("restrict root login"), after.akfile);
	}
	accounts_release(&acc);
	strv_release(&found);
	policy_release(&after);
}

/* ---- authorized key ---- */

static int
plan_key(struct ssh_plan *sp, const char *keyline, const char *user,
    const char *akfile, char **cause)
{
	struct plan *p = sp->plan;
	struct accounts acc;
	const struct account *ac;
	struct sshkey key;
	struct strv files;
	const char *why;
	char *text = NULL, *dir = NULL, *slash;
	size_t len = 0;
	bool exists;
	int r = -1;

	strv_init(&files);
	if (accounts_load(p->root, &acc, cause) != 0)
		return -1;
	if (sshkey_parse(keyline, &key, &why) != 0) {
		set_cause(cause, _("authorized_key: %s"), _(why));
		goto out;
	}
	ac = accounts_find(&acc, user);
	if (ac == NULL) {
		set_cause(cause, _("key_user: no user '%s' in /etc/passwd; "
		    "create the account first (adduser %s)"), user, user);
		goto out;
	}
	key_files(akfile, ac, &files);
	if (files.n == 0) {
		set_cause(cause, _("sshd reads no authorized keys file "
		    "(AuthorizedKeysFile none): the key would not be used"));
		goto out;
	}
	if (plan_text_after(p, files.v[0], &text, &len, &exists, cause) != 0)
		goto out;
	if (exists && sshkey_in_text(&key, text)) {
		r = 0;		/* installed already */
		goto out;
	}
	dir = xstrdup(files.v[0]);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (!fs_exists(p->root, dir))
		plan_mkdir(p, "ssh", dir, 0700, ac->uid, ac->gid);
	{
		struct buf b;

		buf_init(&b);
		buf_add(&b, text, len);
		if (len > 0 && text[len - 1] != '\n')
			buf_add(&b, "\n", 1);
		{
			char *line = xstrdup(keyline);

			buf_addf(&b, "%s\n", trim(line));
			free(line);
		}
		r = plan_file(p, "ssh", files.v[0], b.data, b.len, 0600,
		    ac->uid, ac->gid, NULL, cause);
		buf_release(&b);
	}
	if (r == 0 && exists)
		r = plan_file_mode(p, "ssh", files.v[0], 0600, ac->uid, ac->gid,
		    cause);
	if (r == 0)
		plan_note(p, _("key %s (%s) for %s in %s"), key.fingerprint,
		    key.type, user, files.v[0]);
out:
	sshkey_release(&key);
	strv_release(&files);
	accounts_release(&acc);
	free(text);
	free(dir);
	return r;
}

/* ---- service ---- */

/*
 * With SELinux on, sshd may only bind ports labelled ssh_port_t: label the
 * new one before sshd is reloaded, or it cannot listen (platform notes S5).
 */
static void
plan_selinux_port(struct ssh_plan *sp, const char *port)
{
	struct plan *p = sp->plan;
	char *add[] = { "semanage", "port", "-a", "-t", "ssh_port_t", "-p",
	    "tcp", (char *)port, NULL };
	char *del[] = { "semanage", "port", "-d", "-t", "ssh_port_t", "-p",
	    "tcp", (char *)port, NULL };
	char *tool;

	if (strcmp(port, "22") == 0 || !selinux_enabled(p->root))
		return;
	tool = run_which("semanage");
	if (tool == NULL && !p->offline && p->refusal == NULL)
		p->refusal = xasprintf(_("refusing to move sshd to port %s: "
		    "SELinux is on and semanage is missing, so sshd could not "
		    "listen there. Install it first (dnf install "
		    "policycoreutils-python-utils)"), port);
	free(tool);
	plan_command(p, "ssh", add, del, _("SELinux lets sshd listen on "
	    "the new port"));
}

static int
plan_reload(struct ssh_plan *sp, const char *port_changed, char **cause)
{
	struct plan *p = sp->plan;
	const char *unit = ssh_service_name(p->root, sp->ctx->os);

	if (port_changed != NULL)
		plan_selinux_port(sp, port_changed);

	if (port_changed != NULL && ssh_socket_enabled(p->root)) {
		/* ssh.socket owns the port: sshd_config's Port is not used. */
		char *text = xasprintf("# Written by hardenwiz: the socket "
		    "listens on the SSH port.\n[Socket]\nListenStream=\n"
		    "ListenStream=%s\n", port_changed);
		char *argv1[] = { "systemctl", "daemon-reload", NULL };
		char *argv2[] = { "systemctl", "restart", "ssh.socket", NULL };

		int r;

		if (!fs_exists(p->root, SOCKET_DROPIN_DIR))
			plan_mkdir(p, "ssh", SOCKET_DROPIN_DIR, 0755, 0, 0);
		r = plan_file(p, "ssh", SOCKET_DROPIN, text, strlen(text),
		    0644, 0, 0, NULL, cause);
		free(text);
		if (r != 0)
			return -1;
		plan_command(p, "ssh", argv1, argv1, _("systemd rereads the "
		    "socket unit"));
		plan_command(p, "ssh", argv2, argv2, _("ssh.socket listens on "
		    "the new port"));
	}
	if (p->offline || systemd_running(p->root)) {
		char *argv[] = { "systemctl", "try-reload-or-restart",
		    (char *)unit, NULL };

		plan_command(p, "ssh", argv, argv, _("sshd rereads its "
		    "configuration; open sessions stay"));
		return 0;
	}
	{
		/* No systemd (a container): signal sshd through its pid file. */
		augeas *aug = augs_handle(sp->ctx->augs);
		char *pidfile = effective(aug, &kw_pidfile);
		struct fs_file f;

		if (fs_read(p->root, pidfile, &f, NULL) == 0 && f.exists) {
			char *pid = xstrndup(f.data, strcspn(f.data, "\n"));
			char *argv[] = { "kill", "-HUP", pid, NULL };

			plan_command(p, "ssh", argv, argv, _("sshd rereads its "
			    "configuration; open sessions stay"));
			free(pid);
		} else
			plan_note(p, _("sshd is not running: the new settings "
			    "apply when it starts"));
		fs_file_release(&f);
		free(pidfile);
	}
	return 0;
}

/* An active firewall must let the new port in before sshd moves to it. */
static int
keep_port_open(struct step_ctx *ctx, struct plan *p, const char *port,
    char **cause)
{
	struct fw_ports fp;
	char *why;
	int r;

	/* Planned first in the same run, it allows every SSH port itself. */
	if (step_ctx_settings(ctx, "firewall") != NULL)
		return 0;
	if (fw_ports_parse(port, &fp) != 0)
		return set_cause(cause, "bad port '%s'", port);
	why = xasprintf(_("let the new SSH port %s in before sshd moves to "
	    "it"), port);
	r = fw_plan_keep_open(ctx->root, ctx->os, p, "ssh", &fp, why, cause);
	free(why);
	return r;
}

static bool
ssh_files_changed(const struct plan *p)
{
	for (size_t i = 0; i < p->nchanges; i++) {
		if (p->changes[i].kind == CHANGE_FILE &&
		    str_has_prefix(p->changes[i].path, "/etc/ssh/"))
			return true;
	}
	return false;
}

static int
ssh_plan(struct step_ctx *ctx, const struct settings *set, struct plan *p,
    char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	struct ssh_plan sp = { .ctx = ctx, .plan = p };
	struct login_policy before = { 0 };
	const char *port = settings_get(set, "port");
	const char *pw = settings_get(set, "password_authentication");
	const char *rl = settings_get(set, "permit_root_login");
	const char *key = settings_get(set, "authorized_key");
	const char *user = settings_get(set, "key_user");
	char *old_port = effective(aug, &kw_port);
	int r = -1;

	policy_load(aug, &before);
	sp.primary_file = main_includes_dropin(aug) ? SSH_DROPIN : SSH_MAIN;
	sp.primary = xasprintf("/files%s", sp.primary_file);
	if (strcmp(sp.primary_file, SSH_DROPIN) == 0 &&
	    !fs_exists(p->root, "/etc/ssh/sshd_config.d"))
		plan_mkdir(p, "ssh", "/etc/ssh/sshd_config.d", 0755, 0, 0);
	if (strcmp(sp.primary_file, SSH_DROPIN) == 0 &&
	    aug_match(aug, "/files" SSH_DROPIN, NULL) == 0 &&
	    (port != NULL || pw != NULL || rl != NULL))
		aug_set(aug, "/files" SSH_DROPIN "/#comment[1]", "Written by "
		    "hardenwiz. sshd keeps the first value it reads, and this "
		    "file is read first.");
	if (key != NULL && key[0] != '\0' && plan_key(&sp, key, user != NULL ?
	    user : "root", before.akfile, cause) != 0)
		goto out;
	if (port != NULL && plan_setting(&sp, &kw_port, "port", port, NULL,
	    cause) != 0)
		goto out;
	if (pw != NULL && plan_setting(&sp, &kw_password,
	    "passwordauthentication", pw, NULL, cause) != 0)
		goto out;
	if (pw != NULL && strcmp(pw, "no") == 0 && plan_setting(&sp, &kw_kbd,
	    "kbdinteractiveauthentication", "no", NULL, cause) != 0)
		goto out;
	if (rl != NULL && plan_setting(&sp, &kw_rootlogin, "permitrootlogin",
	    rl, strcmp(rl, "prohibit-password") == 0 ? "without-password" :
	    NULL, cause) != 0)
		goto out;
	if (augs_collect(ctx->augs, p, "ssh", cause) != 0)
		goto out;
	guard(&sp, &before);
	if (port != NULL && strcmp(port, old_port) != 0 &&
	    keep_port_open(ctx, p, port, cause) != 0)
		goto out;
	if (ssh_files_changed(p) && plan_reload(&sp, port != NULL &&
	    strcmp(port, old_port) != 0 ? port : NULL, cause) != 0)
		goto out;
	if (pw != NULL && strcmp(pw, "no") == 0) {
		struct strv over;

		strv_init(&over);
		match_overrides(aug, &over);
		for (size_t i = 0; i < over.n; i++)
			plan_note(p, "%s", over.v[i]);
		strv_release(&over);
	}
	if (port != NULL && strcmp(port, old_port) != 0)
		plan_note(p, _("sshd moves from port %s to %s: open %s/tcp in "
		    "your provider's firewall and log in on it from a new "
		    "terminal before you close this one"), old_port, port,
		    port);
	r = 0;
out:
	policy_release(&before);
	free(old_port);
	free(sp.primary);
	return r;
}

/* ---- audit ---- */

static char *
view_or_files(struct step_ctx *ctx, const struct sshd_view *view,
    const char *vkey, const struct keyword *k)
{
	const char *v = view != NULL ? sshd_view_get(view, vkey) : NULL;

	if (v != NULL)
		return canonical(k, v);
	{
		char *e = effective(augs_handle(ctx->augs), k);
		char *c = canonical(k, e);

		free(e);
		return c;
	}
}

static int
ssh_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	struct sshd_view view;
	bool have_view = false;
	char *port, *pw, *kbd, *rl, *err = NULL;
	struct login_policy lp = { 0 };
	struct plan empty;
	struct accounts acc;
	struct strv found;

	(void)cause;
	if (!fs_exists(ctx->root, SSH_MAIN)) {
		a->state = STATE_NOT_APPLICABLE;
		strv_add(&a->notes, _("no /etc/ssh/sshd_config: the OpenSSH "
		    "server is not installed"));
		return 0;
	}
	sshd_view_init(&view);
	if (ctx->effective && sshd_available()) {
		if (sshd_check(ctx->root, NULL, &view, &err) == 0)
			have_view = true;
		else {
			strv_addf(&a->notes, _("sshd -T could not run (%s); "
			    "values read from the files"), err);
			free(err);
		}
	}
	port = view_or_files(ctx, have_view ? &view : NULL, "port", &kw_port);
	pw = view_or_files(ctx, have_view ? &view : NULL,
	    "passwordauthentication", &kw_password);
	kbd = view_or_files(ctx, have_view ? &view : NULL,
	    "kbdinteractiveauthentication", &kw_kbd);
	rl = view_or_files(ctx, have_view ? &view : NULL, "permitrootlogin",
	    &kw_rootlogin);
	if (strcmp(pw, "no") != 0)
		audit_finding(a, "PasswordAuthentication", pw, "no");
	if (strcmp(kbd, "no") != 0)
		audit_finding(a, "KbdInteractiveAuthentication", kbd, "no");
	if (strcmp(rl, "yes") == 0)
		audit_finding(a, "PermitRootLogin", rl, "prohibit-password");
	match_overrides(augs_handle(ctx->augs), &a->notes);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;

	/* Defaults for the form: the current port, recommended auth. */
	settings_set(&a->current, "port", strchr(port, ' ') ? "22" : port);
	settings_set(&a->current, "password_authentication", "no");
	settings_set(&a->current, "permit_root_login",
	    strcmp(rl, "no") == 0 ? "no" : "prohibit-password");
	settings_set(&a->current, "authorized_key", "");
	settings_set(&a->current, "key_user", "root");
	settings_set(&a->current, "confirm_timeout", "300");

	plan_init(&empty, ctx->root);
	policy_load(augs_handle(ctx->augs), &lp);
	lp.password = false;	/* which accounts have a key? */
	strv_init(&found);
	if (accounts_load(ctx->root, &acc, NULL) == 0) {
		if (ways_in(&empty, &acc, &lp, &found) == 0)
			strv_add(&a->notes, _("no account has a usable SSH "
			    "key yet: add one before turning off passwords"));
		else {
			struct buf b;

			buf_init(&b);
			for (size_t i = 0; i < found.n; i++)
				buf_addf(&b, "%s%s", i ? ", " : "",
				    found.v[i]);
			strv_addf(&a->notes, _("key login possible for: %s"),
			    b.data);
			buf_release(&b);
			for (size_t i = 0; i < acc.n; i++) {
				if (acc.v[i].uid >= 1000 &&
				    account_has_login_shell(&acc.v[i]) &&
				    strcmp(acc.v[i].name, "nobody") != 0) {
					settings_set(&a->current, "key_user",
					    acc.v[i].name);
					break;
				}
			}
		}
		accounts_release(&acc);
	}
	strv_release(&found);
	policy_release(&lp);
	plan_release(&empty);
	sshd_view_release(&view);
	free(port);
	free(pw);
	free(kbd);
	free(rl);
	return 0;
}

const struct step step_ssh = {
	.id = "ssh",
	.title = N_("SSH access"),
	.help = N_("Key-only login, root login policy and the SSH port. "
	    "Changes go into the file sshd reads first, conflicting drop-ins "
	    "are brought in line, and sshd -T must confirm the result."),
	.files = ssh_files,
	.nfiles = nitems(ssh_files),
	.questions = ssh_questions,
	.nquestions = nitems(ssh_questions),
	.audit = ssh_audit,
	.plan = ssh_plan,
};
