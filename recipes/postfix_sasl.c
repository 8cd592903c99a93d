/*
 * postfix_sasl.c -- SMTP AUTH for the users' mail clients on the
 * submission ports, never an open relay.
 *
 * The traps this step exists for:
 *  - smtpd_sasl_auth_enable without a working backend is fatal to smtpd:
 *    every connection to that service is dropped. So a backend must be
 *    there (Dovecot's auth socket under the queue directory, or Cyrus
 *    saslauthd with its smtpd.conf) and Postfix must be built for it
 *    (postconf -a), else the guard refuses; Dovecot's listener for Postfix
 *    is added when Dovecot is there without it, and Dovecot itself is
 *    installed only when asked (install_backend).
 *  - AUTH in clear sends passwords in clear: smtpd_tls_auth_only needs a
 *    certificate and key that exist and belong together, checked here with
 *    libcrypto; otherwise the guard explains and stops.
 *  - permit_sasl_authenticated after reject_unauth_destination never
 *    matches: it is moved before it, nothing else in the list changes.
 * AUTH is offered on submission (587, STARTTLS required) and submissions
 * (465, TLS from the first byte) through master.cf -o overrides; port 25
 * keeps serving other servers without AUTH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "run.h"
#include "step.h"
#include "sysinfo.h"

#define MASTER_CF	"/etc/postfix/master.cf"
#define DOVECOT_CONF	"/etc/dovecot/dovecot.conf"
#define DOVECOT_CONFD	"/etc/dovecot/conf.d"
#define DOVECOT_DROPIN	"/etc/dovecot/conf.d/99-hardenwiz-postfix-auth.conf"
#define DOVECOT_PID	"/run/dovecot/master.pid"

static const struct aug_file sasl_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
	{ "Postfix_Master.lns", MASTER_CF, 0644, &postfix_checker,
	  &hw_lens_postfix_master, false },
};

static const char *const backends[] = { "auto", "dovecot", "cyrus", NULL };

static const struct question sasl_questions[] = {
	{ "enable", V_BOOL, N_("Offer AUTH on submission"),
	  N_("Let mail clients log in (SMTP AUTH) on port 587, and 465 if "
	     "chosen below, to send mail through this server. Port 25 keeps "
	     "serving other mail servers without AUTH. no: nothing changes."),
	  NULL, 0, 0, 0 },
	{ "tls_only", V_BOOL, N_("Only over TLS"),
	  N_("smtpd_tls_auth_only: AUTH is offered only after STARTTLS, so "
	     "passwords never cross the network in clear. Needs the "
	     "certificate and key named in main.cf, and they must match."),
	  NULL, 0, 0, 0 },
	{ "backend", V_CHOICE, N_("Password backend"),
	  N_("Who checks the passwords: dovecot (its auth socket) or cyrus "
	     "(saslauthd). auto: the one installed."), backends, 0, 0, 0 },
	{ "submissions", V_BOOL, N_("Also port 465"),
	  N_("submissions (465): TLS from the first byte, for clients that "
	     "do not use STARTTLS."), NULL, 0, 0, 0 },
	{ "install_backend", V_BOOL, N_("Install Dovecot if needed"),
	  N_("With no backend installed, install Dovecot and give Postfix "
	     "its auth socket. no: the step refuses, and says why."),
	  NULL, 0, 0, 0 },
	{ "tls_cert", V_PATH, N_("TLS certificate"),
	  N_("smtpd_tls_cert_file: this server's certificate with its "
	     "chain, in PEM (a Let's Encrypt certificate is "
	     "/etc/letsencrypt/live/NAME/fullchain.pem). Empty: the one "
	     "main.cf names."), NULL, 0, 0, 0 },
	{ "tls_key", V_PATH, N_("TLS key"),
	  N_("smtpd_tls_key_file: the certificate's private key, in PEM. "
	     "Empty: privkey.pem beside a Let's Encrypt certificate, else "
	     "the key main.cf names, else the certificate file itself."),
	  NULL, 0, 0, 0 },
};

#define LETSENCRYPT_LIVE	"/etc/letsencrypt/live"

/* The master.cf services this step gives AUTH, and their -o options. */
struct service {
	const char	*name;		/* as written when created */
	const char	*aliases[4];	/* other names of the same port */
	bool		 wrapper;
};

static const struct service submission = {
	"submission", { "587", "submission", NULL }, false };
static const struct service submissions = {
	"submissions", { "465", "submissions", "smtps", NULL }, true };

/* ---- the backend ---- */

/* A line of FILE under ROOT, not a comment, names NEEDLE. */
static bool
conf_mentions(const char *root, const char *file, const char *needle)
{
	struct fs_file f;
	bool found = false;

	if (fs_read(root, file, &f, NULL) == 0 && f.exists) {
		char *save = NULL, *line;

		for (line = strtok_r(f.data, "\n", &save); line != NULL &&
		    !found; line = strtok_r(NULL, "\n", &save)) {
			line += strspn(line, " \t");
			found = line[0] != '#' && strstr(line, needle) != NULL;
		}
	}
	fs_file_release(&f);
	return found;
}

/* Dovecot's configuration has a unix_listener on SOCKET. */
static bool
dovecot_listens(const char *root, const char *socket)
{
	struct strv names;
	bool found = conf_mentions(root, DOVECOT_CONF, socket);

	strv_init(&names);
	if (!found && fs_list(root, DOVECOT_CONFD, &names, NULL) == 0) {
		for (size_t i = 0; i < names.n && !found; i++) {
			char *path = xasprintf(DOVECOT_CONFD "/%s",
			    names.v[i]);

			found = str_has_suffix(path, ".conf") &&
			    conf_mentions(root, path, socket);
			free(path);
		}
	}
	strv_release(&names);
	return found;
}

static bool
cyrus_ready(const char *root)
{
	return (fs_exists(root, "/etc/default/saslauthd") ||
	    fs_exists(root, "/etc/sysconfig/saslauthd")) &&
	    (fs_exists(root, "/etc/postfix/sasl/smtpd.conf") ||
	    fs_exists(root, "/etc/sasl2/smtpd.conf"));
}

/* postconf -a: the SASL server types this Postfix was built with. */
static bool
postfix_supports(const char *root, const char *type)
{
	char *dir = NULL;
	struct buf out, err;
	struct run_opts o = { .err = &err };
	bool yes = false;

	if (fs_resolve(root, POSTFIX_DIR, &dir, NULL) != 0)
		return false;
	buf_init(&out);
	buf_init(&err);
	/* Its warnings (a mysql: map's file not on this host) apart. */
	if (run_checked((char *[]){ "postconf", "-c", dir, "-a", NULL }, &o,
	    &out, NULL) == 0 && out.data != NULL) {
		struct strv types;

		strv_init(&types);
		split_list(out.data, &types);
		yes = strv_contains(&types, type);
		strv_release(&types);
	}
	buf_release(&err);
	buf_release(&out);
	free(dir);
	return yes;
}

/* The auth socket Dovecot serves Postfix: QUEUE/private/auth. */
static char *
auth_socket(const char *root)
{
	char *queue = postfix_param(root, "queue_directory", true);
	char *path = xasprintf("%s/private/auth", queue != NULL && queue[0] ?
	    queue : "/var/spool/postfix");

	free(queue);
	return path;
}

/* Dovecot gets a listener for Postfix (and is installed when asked). */
static int
plan_dovecot(struct step_ctx *ctx, struct plan *p, bool install,
    const char *socket, char **cause)
{
	char *text;
	char *reload[] = { "doveadm", "reload", NULL };
	char *restart[] = { "systemctl", "restart", "dovecot", NULL };
	int r;

	if (install && plan_package(p, ctx->id, ctx->os, "dovecot-core",
	    "dovecot", _("Dovecot checks the passwords for Postfix"),
	    cause) != 0)
		return -1;
	text = xasprintf("# Written by hardenwiz (postfix-sasl): Postfix "
	    "asks Dovecot to check\n# SMTP AUTH logins through this socket."
	    "\nauth_mechanisms = plain login\nservice auth {\n"
	    "  unix_listener %s {\n    mode = 0660\n    user = postfix\n"
	    "    group = postfix\n  }\n}\n", socket);
	plan_parents(p, ctx->id, DOVECOT_DROPIN);
	r = plan_file(p, ctx->id, DOVECOT_DROPIN, text, strlen(text), 0644, 0, 0,
	    NULL, cause);
	free(text);
	if (r != 0)
		return -1;
	/* Dovecot first: the socket must exist before smtpd asks it. */
	if (pidfile_alive(ctx->root, DOVECOT_PID))
		plan_command(p, ctx->id, reload, reload, _("Dovecot opens the "
		    "auth socket for Postfix"));
	else if (install || !p->offline)
		plan_command(p, ctx->id, restart, restart, _("Dovecot opens the "
		    "auth socket for Postfix"));
	plan_expect(p, ctx->id, &postfix_auth_socket, socket, socket, "", NULL, NULL);
	return 0;
}

/* ---- TLS ---- */

static X509 *
read_cert(const struct fs_file *f)
{
	BIO *b = BIO_new_mem_buf(f->data, (int)f->len);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static EVP_PKEY *
read_key(const struct fs_file *f)
{
	BIO *b = BIO_new_mem_buf(f->data, (int)f->len);
	EVP_PKEY *k = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL,
	    NULL) : NULL;

	BIO_free(b);
	return k;
}

/*
 * The key that goes with certificate CERT when none is named: certbot's
 * privkey.pem beside its fullchain.pem or cert.pem, else the key file
 * main.cf names, else CERT itself (a file holding both). Caller frees.
 */
static char *
key_beside(const char *root, const char *cert)
{
	const char *slash = strrchr(cert, '/');
	char *key;

	if (slash != NULL && (strcmp(slash, "/fullchain.pem") == 0 ||
	    strcmp(slash, "/cert.pem") == 0))
		return xasprintf("%.*s/privkey.pem", (int)(slash - cert), cert);
	key = postfix_param(root, "smtpd_tls_key_file", true);
	if (key != NULL && key[0] != '\0')
		return key;
	free(key);
	return xstrdup(cert);
}

/*
 * The certificate and key main.cf gives smtpd, into *CERT and *KEY (NULL
 * when unset): the first file of smtpd_tls_chain_files for both when that
 * is set, since Postfix reads it before the other two, else
 * smtpd_tls_cert_file and smtpd_tls_key_file. Returns the chain files
 * setting when set, else NULL. Caller frees all three.
 */
static char *
main_pair(const char *root, char **cert, char **key)
{
	char *chain = postfix_param(root, "smtpd_tls_chain_files", true);

	if (chain == NULL || chain[0] == '\0') {
		free(chain);
		*cert = postfix_param(root, "smtpd_tls_cert_file", true);
		*key = postfix_param(root, "smtpd_tls_key_file", true);
		return NULL;
	}
	*cert = xstrndup(chain, strcspn(chain, " ,"));
	*key = xstrdup(*cert);
	return chain;
}

/*
 * The certificate and key smtpd will use (WANT_CERT and WANT_KEY when the
 * step sets them, NULL: main.cf's) exist under ROOT and belong together;
 * else *WHY says what is wrong (caller frees).
 */
static bool
tls_pair_ok(const char *root, const char *want_cert, const char *want_key,
    char **why)
{
	char *cert, *key;
	struct fs_file cf, kf;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	bool ok = false;

	memset(&cf, 0, sizeof cf);
	memset(&kf, 0, sizeof kf);
	if (want_cert != NULL) {
		cert = xstrdup(want_cert);
		key = want_key != NULL ? xstrdup(want_key) :
		    key_beside(root, want_cert);
	} else
		free(main_pair(root, &cert, &key));
	if (cert == NULL || cert[0] == '\0') {
		*why = xstrdup(_("main.cf names no TLS certificate "
		    "(smtpd_tls_cert_file)"));
		goto out;
	}
	if (key == NULL || key[0] == '\0') {
		free(key);
		key = xstrdup(cert);
	}
	if (fs_read(root, cert, &cf, NULL) != 0 || !cf.exists ||
	    (x = read_cert(&cf)) == NULL) {
		*why = xasprintf(_("the TLS certificate %s is missing or not "
		    "a PEM certificate"), cert);
		goto out;
	}
	if (fs_read(root, key, &kf, NULL) != 0 || !kf.exists ||
	    (k = read_key(&kf)) == NULL) {
		*why = xasprintf(_("the TLS key %s is missing or not a PEM "
		    "private key"), key);
		goto out;
	}
	if (X509_check_private_key(x, k) != 1) {
		*why = xasprintf(_("the TLS key %s does not belong to the "
		    "certificate %s"), key, cert);
		goto out;
	}
	ok = true;
out:
	X509_free(x);
	EVP_PKEY_free(k);
	if (kf.data != NULL)
		OPENSSL_cleanse(kf.data, kf.len);
	fs_file_release(&cf);
	fs_file_release(&kf);
	free(cert);
	free(key);
	return ok;
}

/* ---- main.cf and master.cf ---- */

/*
 * LIST with permit_sasl_authenticated before the first *_unauth_destination
 * (where it can match); NULL when it is there already. Caller frees.
 */
static char *
relay_restrictions(const char *list)
{
	struct strv items;
	size_t unauth = (size_t)-1, sasl = (size_t)-1;
	const char *sep = strchr(list, ',') != NULL ? ", " : " ";
	struct buf b;

	strv_init(&items);
	split_list(list, &items);
	for (size_t i = 0; i < items.n; i++) {
		if (str_has_suffix(items.v[i], "_unauth_destination") &&
		    unauth == (size_t)-1)
			unauth = i;
		if (strcmp(items.v[i], "permit_sasl_authenticated") == 0 &&
		    sasl == (size_t)-1)
			sasl = i;
	}
	if (sasl != (size_t)-1 && sasl < unauth) {
		strv_release(&items);
		return NULL;
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < items.n; i++) {
		if (i == unauth)
			buf_addf(&b, "%s%s", b.len ? sep : "",
			    "permit_sasl_authenticated");
		if (i != sasl)
			buf_addf(&b, "%s%s", b.len ? sep : "", items.v[i]);
	}
	if (unauth == (size_t)-1)
		buf_addf(&b, "%s%s", b.len ? sep : "",
		    "permit_sasl_authenticated");
	strv_release(&items);
	return buf_detach(&b, NULL);
}

/*
 * COMMAND ("smtpd\n  -o a=b ...") with OPTS set, the other overrides and
 * the comment lines between them kept in order (master.c); NULL and
 * *CAUSE when Postfix would not read it either.
 */
static char *
set_options(const char *command, const char *const (*opts)[2], size_t n,
    char **cause)
{
	struct master_cmd m;
	char *out = NULL;

	master_cmd_init(&m);
	if (master_cmd_parse(command, &m, cause) == 0) {
		for (size_t i = 0; i < n; i++)
			master_cmd_set(&m, opts[i][0], opts[i][1]);
		out = master_cmd_format(&m);
	}
	master_cmd_release(&m);
	return out;
}

/* The master.cf node of S (an inet smtpd service), or NULL. */
static char *
find_service(augeas *aug, const struct service *s)
{
	char **matches = NULL;
	int n = aug_match(aug, "/files" MASTER_CF "/*[type = 'inet']",
	    &matches);
	char *found = NULL;

	for (int i = 0; i < n; i++) {
		const char *label = strrchr(matches[i], '/') + 1;
		const char *colon = strrchr(label, ':');
		char *name = xstrndup(colon ? colon + 1 : label,
		    strcspn(colon ? colon + 1 : label, "["));

		for (size_t k = 0; s->aliases[k] != NULL && found == NULL; k++)
			if (strcmp(name, s->aliases[k]) == 0)
				found = xstrdup(matches[i]);
		free(name);
		free(matches[i]);
	}
	free(matches);
	return found;
}

static int
plan_service(struct step_ctx *ctx, const struct service *s, bool tls_only,
    char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	const char *const opts[][2] = {
		{ "syslog_name", s->wrapper ? "postfix/submissions" :
		  "postfix/submission" },
		{ s->wrapper ? "smtpd_tls_wrappermode" :
		  "smtpd_tls_security_level", s->wrapper ? "yes" :
		  tls_only ? "encrypt" : "may" },
		{ "smtpd_sasl_auth_enable", "yes" },
		{ "smtpd_relay_restrictions", "permit_sasl_authenticated,reject" },
		{ "milter_macro_daemon_name", "ORIGINATING" },
	};
	char *node = find_service(aug, s), *cmdpath, *now = NULL, *want;
	const char *value = NULL;
	int r = 0;

	if (node == NULL) {
		static const char *const fields[][2] = {
			{ "type", "inet" }, { "private", "n" },
			{ "unprivileged", "-" }, { "chroot", "y" },
			{ "wakeup", "-" }, { "limit", "-" },
		};

		node = xasprintf("/files" MASTER_CF "/%s", s->name);
		for (size_t i = 0; i < nitems(fields) && r == 0; i++) {
			char *f = xasprintf("%s/%s", node, fields[i][0]);

			r = aug_set(aug, f, fields[i][1]);
			free(f);
		}
		now = xstrdup("smtpd");
	} else if (aug_get(aug, (cmdpath = xasprintf("%s/command", node)),
	    &value) == 1 && value != NULL) {
		now = xstrdup(value);
		free(cmdpath);
	} else {
		free(cmdpath);
		now = xstrdup("smtpd");
	}
	want = r == 0 ? set_options(now, opts, nitems(opts), cause) : NULL;
	cmdpath = xasprintf("%s/command", node);
	if (want == NULL)
		r = -1;
	else if (strcmp(want, now) != 0 && aug_set(aug, cmdpath, want) != 0)
		r = set_cause(cause, _("cannot edit %s in %s: %s"), s->name,
		    MASTER_CF, augs_error(ctx->augs));
	free(cmdpath);
	free(want);
	free(now);
	free(node);
	return r;
}

/* ---- the step ---- */

extern const struct step step_postfix_sasl;

/*
 * Which backend to use; NULL and *REFUSAL when there is none. Without
 * one, installing Dovecot is offered in place (the wizard asks).
 */
static const char *
choose_backend(struct step_ctx *ctx, struct plan *p, const char *want,
    bool install, char **refusal)
{
	bool dovecot = fs_exists(ctx->root, DOVECOT_CONF);
	bool cyrus = cyrus_ready(ctx->root);
	const char *type;

	if (strcmp(want, "cyrus") == 0 || (strcmp(want, "auto") == 0 &&
	    !dovecot && cyrus))
		type = "cyrus";
	else
		type = "dovecot";
	if (!postfix_supports(ctx->root, type)) {
		*refusal = xasprintf(_("this Postfix is not built with %s SASL "
		    "(postconf -a): AUTH would kill smtpd"), type);
		return NULL;
	}
	if (strcmp(type, "cyrus") == 0 && !cyrus) {
		*refusal = xstrdup(_("backend = cyrus, but saslauthd and "
		    "Postfix's sasl/smtpd.conf are not both there: set them "
		    "up first, or use backend = dovecot"));
		return NULL;
	}
	if (strcmp(type, "dovecot") == 0 && !dovecot && !install) {
		char *key = setting_ref(p, &step_postfix_sasl,
		    "install_backend");

		*refusal = xasprintf(_("no password backend is installed (no "
		    "%s, no saslauthd): with AUTH on and nobody to check the "
		    "passwords, Postfix would drop every mail client. Install "
		    "Dovecot for it (%s = yes), or install and configure "
		    "one yourself"), DOVECOT_CONF, key);
		plan_offer(p, _("Install Dovecot now and go on?"),
		    "install_backend", "yes");
		free(key);
		return NULL;
	}
	return type;
}

static int
plan_main_cf(struct step_ctx *ctx, struct plan *p, const char *type,
    bool tls_only, char **cause)
{
	const char *set[][2] = {
		{ "smtpd_sasl_type", type },
		{ "smtpd_sasl_path", strcmp(type, "dovecot") == 0 ?
		  "private/auth" : "smtpd" },
		{ "smtpd_sasl_security_options", "noanonymous" },
		{ "smtpd_tls_auth_only", tls_only ? "yes" : "no" },
	};
	char *relay = postfix_param(ctx->root, "smtpd_relay_restrictions",
	    false), *fixed;
	int r = 0;

	for (size_t i = 0; i < nitems(set) && r == 0; i++)
		r = postfix_set_main(ctx->augs, p, ctx->id, set[i][0], set[i][1],
		    cause);
	fixed = r == 0 && relay != NULL ? relay_restrictions(relay) : NULL;
	if (fixed != NULL)
		r = postfix_set_main(ctx->augs, p, ctx->id,
		    "smtpd_relay_restrictions", fixed, cause);
	free(fixed);
	free(relay);
	return r;
}

/* Let's Encrypt's fullchain.pem for NAME when its key belongs to it. */
static char *
letsencrypt_pair(const char *root, const char *name)
{
	char *cert = xasprintf(LETSENCRYPT_LIVE "/%s/fullchain.pem", name);
	char *why = NULL;

	if (!tls_pair_ok(root, cert, NULL, &why)) {
		free(cert);
		cert = NULL;
	}
	free(why);
	return cert;
}

/*
 * A Let's Encrypt certificate under ROOT whose key belongs to it: the one
 * named like this server (myhostname) first, else the first; its
 * fullchain.pem, or NULL. Caller frees.
 */
static char *
letsencrypt_cert(const char *root)
{
	char *host = postfix_param(root, "myhostname", true), *found = NULL;
	struct strv names;

	strv_init(&names);
	if (fs_list(root, LETSENCRYPT_LIVE, &names, NULL) == 0) {
		if (host != NULL && strv_contains(&names, host))
			found = letsencrypt_pair(root, host);
		for (size_t i = 0; i < names.n && found == NULL; i++)
			if (host == NULL || strcmp(names.v[i], host) != 0)
				found = letsencrypt_pair(root, names.v[i]);
	}
	strv_release(&names);
	free(host);
	return found;
}

/*
 * CERT and KEY (NULL: beside CERT) into main.cf, unless main.cf names its
 * pair with smtpd_tls_chain_files, which Postfix reads first: then
 * *REFUSAL says so.
 */
static int
plan_tls_pair(struct step_ctx *ctx, struct plan *p, const char *cert,
    const char *key, char **refusal, char **cause)
{
	char *chain = postfix_param(ctx->root, "smtpd_tls_chain_files", true);
	char *k = key != NULL ? xstrdup(key) : key_beside(ctx->root, cert);
	int r = 0;

	if (chain != NULL && chain[0] != '\0')
		*refusal = xasprintf(_("main.cf names its certificate in "
		    "smtpd_tls_chain_files (%s), which Postfix uses before "
		    "smtpd_tls_cert_file: name %s there instead, or empty it, "
		    "and run this step again"), chain, cert);
	else if (postfix_set_main(ctx->augs, p, ctx->id,
	    "smtpd_tls_cert_file", cert, cause) != 0 ||
	    postfix_set_main(ctx->augs, p, ctx->id, "smtpd_tls_key_file", k,
	    cause) != 0)
		r = -1;
	free(k);
	free(chain);
	return r;
}

static int
sasl_plan(struct step_ctx *ctx, const struct settings *set, struct plan *p,
    char **cause)
{
	bool tls_only = settings_bool(set, "tls_only", true);
	bool install = settings_bool(set, "install_backend", false);
	bool smtps = settings_bool(set, "submissions", true);
	const char *want = settings_get(set, "backend");
	const char *cert = settings_get(set, "tls_cert");
	const char *key = settings_get(set, "tls_key");
	char *socket = NULL, *why = NULL, *refusal = NULL, *le = NULL;
	const char *type;
	size_t before = p->nchanges;
	int r = -1;

	cert = cert != NULL && cert[0] != '\0' ? cert : NULL;
	key = cert != NULL && key != NULL && key[0] != '\0' ? key : NULL;

	if (postfix_skip_step(p, ctx->id))
		return 0;
	if (!settings_bool(set, "enable", true)) {
		char *key = setting_ref(p, &step_postfix_sasl, "enable");

		plan_note(p, _("%s = no: AUTH is left as it is"), key);
		free(key);
		return 0;
	}
	socket = auth_socket(ctx->root);
	type = choose_backend(ctx, p, want != NULL ? want : "auto", install,
	    &refusal);
	if (type == NULL)
		goto refuse;
	if ((tls_only || smtps || cert != NULL) &&
	    !tls_pair_ok(ctx->root, cert, key, &why)) {
		/* The safe fix only: a password in clear is no fix. */
		refusal = xasprintf(_("%s: mail clients send their passwords "
		    "only over TLS, which needs this server's certificate and "
		    "its key. Name them in this step (TLS certificate and TLS "
		    "key; a Let's Encrypt certificate is "
		    "/etc/letsencrypt/live/NAME/fullchain.pem with "
		    "privkey.pem), then run it again"), why);
		if ((le = letsencrypt_cert(ctx->root)) != NULL &&
		    (cert == NULL || strcmp(cert, le) != 0)) {
			char *label = xasprintf(_("Use the Let's Encrypt "
			    "certificate %s and its key, and go on?"), le);

			plan_offer(p, label, "tls_cert", le);
			free(label);
		}
		goto refuse;
	}
	if (cert != NULL && plan_tls_pair(ctx, p, cert, key, &refusal,
	    cause) != 0)
		goto out;
	if (refusal != NULL)
		goto refuse;
	if (strcmp(type, "dovecot") == 0 && !dovecot_listens(ctx->root,
	    socket) && plan_dovecot(ctx, p, !fs_exists(ctx->root,
	    DOVECOT_CONF), socket, cause) != 0)
		goto out;
	if (plan_main_cf(ctx, p, type, tls_only, cause) != 0 ||
	    plan_service(ctx, &submission, tls_only, cause) != 0 ||
	    (smtps && plan_service(ctx, &submissions, tls_only, cause) != 0) ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	if (p->nchanges > before) {
		postfix_plan_reload(p, ctx->id);
		plan_expect(p, ctx->id, &postfix_smtp_port, "587", "submission",
		    "", NULL, NULL);
	}
	if (!tls_only) {
		char *key = setting_ref(p, &step_postfix_sasl, "tls_only");

		plan_note(p, _("%s = no: passwords may cross the network in "
		    "clear on port 587"), key);
		free(key);
	}
	r = 0;
	goto out;
refuse:
	if (p->wizard)
		plan_refuse(p, false, "%s", refusal);
	else
		plan_refuse(p, false, "[%s] %s", ctx->id, refusal);
	r = 0;
out:
	free(refusal);
	free(why);
	free(socket);
	free(le);
	return r;
}

/* "yes" when S's -o options or else main.cf turn AUTH on. */
static bool
service_auth(augeas *aug, const struct service *s, const char *global)
{
	char *node = find_service(aug, s), *path;
	const char *cmd = NULL;
	bool on = false;

	if (node == NULL)
		return false;
	path = xasprintf("%s/command", node);
	if (aug_get(aug, path, &cmd) == 1 && cmd != NULL &&
	    strstr(cmd, "smtpd_sasl_auth_enable=") != NULL)
		on = strstr(cmd, "smtpd_sasl_auth_enable=yes") != NULL;
	else
		on = global != NULL && strcmp(global, "yes") == 0;
	free(path);
	free(node);
	return on;
}

/* The form starts from the pair main.cf names (none with chain files). */
static void
current_pair(const char *root, struct audit *a)
{
	char *cert, *key, *chain = main_pair(root, &cert, &key);
	bool named = chain == NULL;

	settings_set(&a->current, "tls_cert", named && cert ? cert : "");
	settings_set(&a->current, "tls_key", named && key ? key : "");
	free(chain);
	free(cert);
	free(key);
}

static int
sasl_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	char *global, *tls, *relay, *socket, *why = NULL, *fixed = NULL;
	bool dovecot, cyrus;

	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	global = postfix_param(ctx->root, "smtpd_sasl_auth_enable", true);
	tls = postfix_param(ctx->root, "smtpd_tls_auth_only", true);
	relay = postfix_param(ctx->root, "smtpd_relay_restrictions", true);
	socket = auth_socket(ctx->root);
	dovecot = fs_exists(ctx->root, DOVECOT_CONF);
	cyrus = cyrus_ready(ctx->root);
	if (!service_auth(aug, &submission, global))
		audit_finding(a, _("AUTH on submission (587)"), "no", "yes");
	if (tls != NULL && strcmp(tls, "yes") != 0)
		audit_finding(a, "smtpd_tls_auth_only", tls, "yes");
	if (relay != NULL && (fixed = relay_restrictions(relay)) != NULL)
		audit_finding(a, "smtpd_relay_restrictions", relay,
		    _("permit_sasl_authenticated before "
		    "reject_unauth_destination"));
	strv_addf(&a->notes, _("SASL backend: %s"), dovecot ? (dovecot_listens(
	    ctx->root, socket) ? _("Dovecot, listening for Postfix") :
	    _("Dovecot, without a listener for Postfix")) : cyrus ?
	    _("Cyrus saslauthd") : _("none installed"));
	if (!tls_pair_ok(ctx->root, NULL, NULL, &why))
		strv_add(&a->notes, why);
	settings_set(&a->current, "enable", "yes");
	settings_set(&a->current, "tls_only", "yes");
	settings_set(&a->current, "backend", "auto");
	settings_set(&a->current, "submissions", "yes");
	settings_set(&a->current, "install_backend", "no");
	current_pair(ctx->root, a);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	free(fixed);
	free(why);
	free(socket);
	free(relay);
	free(tls);
	free(global);
	return 0;
}

extern const struct step step_postfix_sasl;

bool
sasl_planned(const struct step_ctx *ctx)
{
	const struct settings *set = step_ctx_settings(ctx,
	    &step_postfix_sasl);

	return set != NULL && settings_bool(set, "enable", true);
}

const struct step step_postfix_sasl = {
	.id = "postfix-sasl",
	.title = N_("Postfix SMTP AUTH"),
	.help = N_("Mail clients log in to send mail (submission, port 587 "
	    "with STARTTLS, and 465). Needs a password backend, Dovecot or "
	    "Cyrus saslauthd: without one, AUTH would make smtpd drop every "
	    "connection, so the step refuses. AUTH is offered only over TLS, "
	    "and permit_sasl_authenticated is placed where it can match, "
	    "before reject_unauth_destination: never an open relay."),
	.files = sasl_files,
	.nfiles = nitems(sasl_files),
	.questions = sasl_questions,
	.nquestions = nitems(sasl_questions),
	.audit = sasl_audit,
	.prefetch = postfix_prefetch,
	.plan = sasl_plan,
};
