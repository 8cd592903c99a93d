/*
 * postfix_relay.c -- send all outgoing mail through a relay (a smarthost,
 * SendGrid, the provider's submission server) with a login.
 *
 * Order and modes are the whole point:
 *  1. the SASL client plugins are there (libsasl2-modules,
 *     cyrus-sasl-plain), else Postfix logs "no mechanism available";
 *  2. sasl_passwd is 0600 root before the first postmap: a new .db takes
 *     the source's mode, and a chmod afterwards does not reach it; an
 *     existing .db is tightened before postmap rewrites it in place;
 *  3. the candidate is built and asked with postmap -q, and on a live
 *     system the login is tried against the relay over TLS, before
 *     anything changes;
 *  4. main.cf: relayhost [host]:port (brackets: no MX lookup), AUTH on,
 *     noanonymous, and smtp_tls_security_level = encrypt, because "may"
 *     sends the password in clear to a relay without STARTTLS; port 465
 *     gets wrapper mode.
 * The password comes from password_file, password_env or the wizard's
 * no-echo prompt. It is a plan secret: masked in every diff, note, error,
 * JSON document and journal listing, and never in a command's argv.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "step.h"

#define SASL_PASSWD	"/etc/postfix/sasl_passwd"

static const struct aug_file relay_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
	{ "Postfix_Passwordmap.lns", SASL_PASSWD, 0600, &postfix_checker,
	  NULL, false },
};

static const struct question relay_questions[] = {
	{ "host", V_TEXT, N_("Relay host"),
	  N_("The relay as [host]:port, for example [smtp.sendgrid.net]:587. "
	     "The brackets mean: this host, no MX lookup. Port 587 uses "
	     "STARTTLS, port 465 TLS from the start (wrapper mode)."),
	  NULL, 0, 0, 0 },
	{ "user", V_LOGIN, N_("Login name"),
	  N_("The user name the relay expects (SendGrid: apikey)."),
	  NULL, 0, 0, 0 },
	{ "password", V_TEXT, N_("Password"),
	  N_("Typed without echo; written only to sasl_passwd (0600 root) "
	     "and never shown. A recipe names a password_file or "
	     "password_env instead."), NULL, 0, 0, Q_SECRET | Q_WIZARD_ONLY },
	{ "password_file", V_PATH, N_("Password file"),
	  N_("A file holding the password (one line), readable by root "
	     "only."), NULL, 0, 0, Q_RECIPE_ONLY },
	{ "password_env", V_TEXT, N_("Password variable"),
	  N_("The name of an environment variable holding the password."),
	  NULL, 0, 0, Q_RECIPE_ONLY },
	{ "test_login", V_BOOL, N_("Test the login first"),
	  N_("Before switching, log in to the relay over TLS with these "
	     "credentials (live systems only). A refused login stops the "
	     "change."), NULL, 0, 0, 0 },
};

/* "[host]:port" from what the admin wrote; NULL when it is not one. */
static char *
relay_spec(const char *in, char **cause)
{
	const char *host = in, *port = "587";
	char *h, *spec;
	size_t hl;

	if (in[0] == '[') {
		const char *close = strchr(in, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		host = in + 1;
		hl = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
	} else {
		const char *colon = strrchr(in, ':');

		hl = colon != NULL ? (size_t)(colon - in) : strlen(in);
		if (colon != NULL)
			port = colon + 1;
	}
	h = xstrndup(host, hl);
	if (hl == 0 || strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != hl ||
	    strspn(port, "0123456789") != strlen(port) || port[0] == '\0' ||
	    atol(port) < 1 || atol(port) > 65535) {
		free(h);
		goto bad;
	}
	spec = xasprintf("[%s]:%s", h, port);
	free(h);
	return spec;
bad:
	set_cause(cause, _("'%s' is not a relay: write [host]:port, for "
	    "example [smtp.example.com]:587"), in);
	return NULL;
}

/*
 * The password, from the wizard's answer, password_env or password_file.
 * A file others can read is refused on a live root: the secret would not
 * be one.
 */
static char *
relay_password(const struct plan *p, const struct settings *set,
    char **cause)
{
	const char *typed = settings_get(set, "password");
	const char *env = settings_get(set, "password_env");
	const char *file = settings_get(set, "password_file");
	char *data = NULL;
	size_t len = 0;
	struct stat st;

	secrets_protect();
	if (typed != NULL && typed[0] != '\0')
		return xstrdup(typed);
	if (env != NULL) {
		const char *v = getenv(env);
		char *pw;

		if (v == NULL || v[0] == '\0') {
			set_cause(cause, _("password_env: the variable %s is "
			    "not set or empty"), env);
			return NULL;
		}
		/*
		 * Read once, then gone: no child may inherit it. The bytes
		 * are wiped where they lie too, in the block the kernel
		 * shows as /proc/PID/environ (ps e, a monitoring agent):
		 * unsetenv only drops the pointer to them.
		 */
		pw = xstrdup(v);
		explicit_bzero((char *)v, strlen(v));
		unsetenv(env);
		return pw;
	}
	if (file == NULL) {
		set_cause(cause, "%s", _("no password: set password_file or "
		    "password_env (a password is never written in the "
		    "recipe)"));
		return NULL;
	}
	if (stat(file, &st) != 0 || fs_slurp(file, &data, &len, cause) != 0) {
		free(data);
		return set_cause(cause, _("password_file %s cannot be read"),
		    file), NULL;
	}
	if (!p->offline && (st.st_mode & 077) != 0) {
		free(data);
		set_cause(cause, _("password_file %s can be read by others "
		    "(mode %04o): chmod 600 it and change the password"), file,
		    (unsigned)(st.st_mode & 07777));
		return NULL;
	}
	data[strcspn(data, "\r\n")] = '\0';
	if (data[0] == '\0') {
		free(data);
		set_cause(cause, _("password_file %s is empty"), file);
		return NULL;
	}
	return data;
}

/* The SASL client's PLAIN and LOGIN plugins are installed under ROOT. */
static bool
sasl_plugins_present(const char *root)
{
	static const char *const where[] = { "/usr/lib/*/sasl2/libplain.so*",
	    "/usr/lib64/sasl2/libplain.so*", "/usr/lib/sasl2/libplain.so*" };
	bool found = false;

	for (size_t i = 0; i < nitems(where) && !found; i++) {
		char *pattern = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" :
		    root, where[i]);
		glob_t g;

		found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
		globfree(&g);
		free(pattern);
	}
	return found;
}

/* sasl_passwd has RELAY -> USER:PASSWORD (Postfix_Passwordmap). */
static int
plan_passwd(struct step_ctx *ctx, const char *relay, const char *user,
    const char *password, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	char *q = augs_quote(relay);
	char *entry = xasprintf("/files" SASL_PASSWD "/pattern[. = '%s']", q);
	char *u = xasprintf("%s/username", entry);
	char *pw = xasprintf("%s/password", entry);
	int r = 0;

	if (aug_match(aug, entry, NULL) == 0 && (aug_set(aug, "/files"
	    SASL_PASSWD "/pattern[last()+1]", relay) != 0))
		r = -1;
	if (r == 0 && (aug_set(aug, u, user) != 0 || aug_set(aug, pw,
	    password) != 0))
		r = -1;
	if (r != 0)
		set_cause(cause, _("cannot set the login in %s: %s"),
		    SASL_PASSWD, augs_error(ctx->augs));
	free(pw);
	free(u);
	free(entry);
	free(q);
	return r;
}

/*
 * The passwords already in sasl_passwd (other relays', and the one being
 * replaced) are secrets too: masked in any message that might quote them.
 */
static void
old_secrets(struct plan *p, const char *root)
{
	struct fs_file f;

	/* fs_read zeroes F first: releasing it is always right. */
	if (fs_read(root, SASL_PASSWD, &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		return;
	}
	for (char *save = NULL, *line = strtok_r(f.data, "\n", &save);
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *login = strpbrk(line, " \t"), *colon;

		if (line[0] == '#' || login == NULL)
			continue;
		login += strspn(login, " \t");
		if ((colon = strchr(login, ':')) != NULL)
			plan_secret(p, trim(colon + 1));
	}
	fs_file_release(&f);
}

/* KEY's list with ITEM first (a password map is searched in order). */
static char *
first_in_list(const char *list, const char *item)
{
	struct strv items;
	struct buf b;

	strv_init(&items);
	split_list(list != NULL ? list : "", &items);
	buf_init(&b);
	buf_adds(&b, item);
	for (size_t i = 0; i < items.n; i++)
		if (strcmp(items.v[i], item) != 0)
			buf_addf(&b, ", %s", items.v[i]);
	strv_release(&items);
	return buf_detach(&b, NULL);
}

static int
plan_main(struct step_ctx *ctx, struct plan *p, const char *relay,
    const char *spec, bool wrapper, char **cause)
{
	char *maps_now = postfix_param(ctx->root, "smtp_sasl_password_maps",
	    false);
	char *maps = first_in_list(maps_now, spec);
	const char *set[][2] = {
		{ "relayhost", relay },
		{ "smtp_sasl_auth_enable", "yes" },
		{ "smtp_sasl_password_maps", maps },
		{ "smtp_sasl_security_options", "noanonymous" },
		{ "smtp_tls_security_level", "encrypt" },
		{ "smtp_tls_wrappermode", wrapper ? "yes" : "no" },
	};
	int r = 0;

	for (size_t i = 0; i < nitems(set) && r == 0; i++)
		r = postfix_set_main(ctx->augs, p, ctx->id, set[i][0], set[i][1],
		    cause);
	free(maps);
	free(maps_now);
	return r;
}

extern const struct step step_postfix_relay;

static int
relay_plan(struct step_ctx *ctx, const struct settings *set, struct plan *p,
    char **cause)
{
	const char *host = settings_get(set, "host");
	const char *user = settings_get(set, "user");
	char *relay = NULL, *password = NULL, *type = NULL, *spec = NULL;
	char *db = NULL;
	bool wrapper;
	size_t before = p->nchanges;
	int r = -1;

	if (postfix_skip_step(p, ctx->id))
		return 0;
	if (host == NULL || user == NULL || user[0] == '\0') {
		char *h = setting_ref(p, &step_postfix_relay, "host"),
		    *u = setting_ref(p, &step_postfix_relay, "user");

		set_cause(cause, _("%s and %s are needed"), h, u);
		free(h);
		free(u);
		return -1;
	}
	if ((relay = relay_spec(host, cause)) == NULL ||
	    (password = relay_password(p, set, cause)) == NULL)
		goto out;
	plan_secret(p, password);
	old_secrets(p, ctx->root);
	plan_secret_file(p, SASL_PASSWD);
	wrapper = str_has_suffix(relay, "]:465");
	type = postfix_param(ctx->root, "default_database_type", true);
	if (type == NULL || type[0] == '\0') {
		set_cause(cause, "%s", _("postconf cannot tell "
		    "default_database_type"));
		goto out;
	}
	spec = xasprintf("%s:%s", type, SASL_PASSWD);
	db = postfix_map_db(type, SASL_PASSWD);
	if (!sasl_plugins_present(ctx->root) && plan_package(p, ctx->id,
	    ctx->os, "libsasl2-modules", "cyrus-sasl-plain", _("the SASL "
	    "client plugins (PLAIN, LOGIN) Postfix logs in with"), cause) != 0)
		goto out;
	/* The map and its database first, main.cf refers to them last. */
	if (plan_passwd(ctx, relay, user, password, cause) != 0 ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	/* 0600 root before postmap: the .db is created with this mode. */
	if (fs_exists(ctx->root, SASL_PASSWD) && plan_file_mode(p, ctx->id,
	    SASL_PASSWD, 0600, 0, 0, cause) != 0)
		goto out;
	if (fs_exists(ctx->root, db) && plan_file_mode(p, ctx->id, db, 0600, 0,
	    0, cause) != 0)
		goto out;
	if (plan_find_file(p, SASL_PASSWD) != NULL || !fs_exists(ctx->root,
	    db)) {
		char *login = xasprintf("%s:%s", user, password);

		postfix_plan_postmap(p, ctx->id, type, SASL_PASSWD, _("build the "
		    "password map's database (0600, like its source)"));
		plan_expect(p, ctx->id, &postfix_map_entry, spec, relay, login,
		    NULL, NULL);
		free(login);
	}
	if (plan_main(ctx, p, relay, spec, wrapper, cause) != 0 ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	if (p->nchanges > before) {
		if (settings_bool(set, "test_login", true)) {
			if (p->offline)
				plan_note(p, _("the login to %s was not tested "
				    "(offline root)"), relay);
			else
				plan_expect(p, ctx->id, &postfix_relay_login,
				    relay, user, password, wrapper ?
				    "wrapper" : NULL, NULL);
		}
		postfix_plan_reload(p, ctx->id);
	}
	r = 0;
out:
	free(db);
	free(spec);
	free(type);
	free(password);
	free(relay);
	return r;
}

static int
relay_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	static const char *const want[][2] = {
		{ "smtp_sasl_auth_enable", "yes" },
		{ "smtp_sasl_security_options", "noanonymous" },
		{ "smtp_tls_security_level", "encrypt" },
	};
	char *relayhost, *user = NULL;

	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	relayhost = postfix_param(ctx->root, "relayhost", true);
	if (relayhost == NULL || relayhost[0] == '\0') {
		/* Direct delivery is a choice, not a finding. */
		strv_add(&a->notes, _("no relayhost: this server delivers "
		    "mail itself (port 25 outbound)"));
		a->state = STATE_OK;
		free(relayhost);
		return 0;
	}
	settings_set(&a->current, "host", relayhost);
	for (size_t i = 0; i < nitems(want); i++) {
		char *v = postfix_param(ctx->root, want[i][0], true);

		if (v != NULL && strcmp(v, want[i][1]) != 0)
			audit_finding(a, want[i][0], v[0] ? v : _("(empty)"),
			    want[i][1]);
		free(v);
	}
	{
		/* The login name, never the password. */
		struct fs_file f;

		if (fs_read(ctx->root, SASL_PASSWD, &f, NULL) == 0 &&
		    f.exists) {
			char *line = strstr(f.data, relayhost);

			if (line != NULL) {
				line += strlen(relayhost);
				line += strspn(line, " \t");
				user = xstrndup(line, strcspn(line, ":\n"));
			}
			if ((f.mode & 077) != 0)
				audit_finding(a, "mode " SASL_PASSWD,
				    _("readable by others"), "0600");
		}
		fs_file_release(&f);
	}
	if (user != NULL)
		settings_set(&a->current, "user", user);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	free(user);
	free(relayhost);
	return 0;
}

const struct step step_postfix_relay = {
	.id = "postfix-relay",
	.title = N_("Postfix relay host"),
	.help = N_("Send all outgoing mail through a relay with a login (a "
	    "smarthost, SendGrid, your provider). The password goes into "
	    "sasl_passwd, 0600 root before its database is built; TLS is "
	    "required (smtp_tls_security_level = encrypt), so the password "
	    "never crosses the network in clear; the login is tried against "
	    "the relay before Postfix is switched."),
	.files = relay_files,
	.nfiles = nitems(relay_files),
	.questions = relay_questions,
	.nquestions = nitems(relay_questions),
	.audit = relay_audit,
	.prefetch = postfix_prefetch,
	.plan = relay_plan,
};
