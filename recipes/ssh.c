/*
 * ssh.c -- the SSH step: port, password login, root login, an authorized
 * key, with the lockout guard. The configuration model, the guard and the
 * reload are sshd's (editors/sshd/); this file asks and plans.
 *
 * Our rule for where a value goes, in docs/design.md:
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/firewall.h"
#include "fsutil.h"
#include "i18n.h"
#include "sshd/check.h"
#include "sshd/config.h"
#include "sshd/lockout.h"
#include "sshd/now.h"
#include "sshd/service.h"
#include "sshd/sshkey.h"
#include "step.h"

static const struct aug_file ssh_files[] = {
	SSHD_AUG_FILES,
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
	/* confirm_timeout: every step's (steps.c, SPEC). */
};

extern const struct step step_ssh;

struct ssh_plan {
	struct step_ctx		*ctx;
	struct plan		*plan;
	const char		*primary_file;	/* the file sshd reads first */
};

/* Set keyword K everywhere and expect sshd -T to report VKEY VALUE. */
static int
plan_setting(struct ssh_plan *sp, const struct sshd_keyword *k, const char *vkey,
    const char *value, const char *alias, char **cause)
{
	struct sshd_occurrences o = { 0 };
	char *before, *current;
	int r;

	sshd_walk(augs_handle(sp->ctx->augs), &o, NULL);
	before = sshd_first_value(&o, k);
	current = sshd_canonical(k, before);
	r = sshd_set_everywhere(sp->ctx->augs, sp->primary_file, &o, k, value,
	    cause);
	sshd_occurrences_release(&o);

	if (r == 0)
		plan_expect(sp->plan, sp->ctx->id, &sshd_setting, vkey, k->name,
		    value, alias, current);
	free(before);
	free(current);
	return r;
}

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
	sshd_key_files(akfile, ac, &files);
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
		plan_mkdir(p, sp->ctx->id, dir, 0700, ac->uid, ac->gid);
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
		r = plan_file(p, sp->ctx->id, files.v[0], b.data, b.len, 0600,
		    ac->uid, ac->gid, NULL, cause);
		buf_release(&b);
	}
	if (r == 0 && exists)
		r = plan_file_mode(p, sp->ctx->id, files.v[0], 0600, ac->uid, ac->gid,
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

/* An active firewall must let the new port in before sshd moves to it. */
static int
keep_port_open(struct step_ctx *ctx, struct plan *p, const char *port,
    char **cause)
{
	struct fw_ports fp;
	char *why;
	int r;

	/* Planned first in the same run, it allows every SSH port itself. */
	if (firewall_planned(ctx, NULL, NULL))
		return 0;
	if (fw_ports_parse(port, &fp) != 0)
		return set_cause(cause, _("bad port '%s'"), port);
	why = xasprintf(_("let the new SSH port %s in before sshd moves to "
	    "it"), port);
	r = fw_plan_keep_open(ctx->root, ctx->os, p, ctx->id, &fp, why,
	    cause);
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
	struct sshd_policy before = { 0 };
	const char *port = settings_get(set, "port");
	const char *pw = settings_get(set, "password_authentication");
	const char *rl = settings_get(set, "permit_root_login");
	const char *key = settings_get(set, "authorized_key");
	const char *user = settings_get(set, "key_user");
	char *old_port = sshd_effective(aug, &sshd_kw_port);
	int r = -1;

	sshd_policy_load(aug, &before);
	sp.primary_file = sshd_dropin_is_read(aug) ? SSHD_DROPIN : SSHD_MAIN;
	if (strcmp(sp.primary_file, SSHD_DROPIN) == 0 &&
	    !fs_exists(p->root, SSHD_DROPIN_DIR))
		plan_mkdir(p, ctx->id, SSHD_DROPIN_DIR, 0755, 0, 0);
	if (strcmp(sp.primary_file, SSHD_DROPIN) == 0 &&
	    aug_match(aug, "/files" SSHD_DROPIN, NULL) == 0 &&
	    (port != NULL || pw != NULL || rl != NULL))
		aug_set(aug, "/files" SSHD_DROPIN "/#comment[1]", "Written by "
		    "hardenwiz. sshd keeps the first value it reads, and this "
		    "file is read first.");
	if (key != NULL && key[0] != '\0' && plan_key(&sp, key, user != NULL ?
	    user : "root", before.akfile, cause) != 0)
		goto out;
	if (port != NULL && plan_setting(&sp, &sshd_kw_port, "port", port, NULL,
	    cause) != 0)
		goto out;
	if (pw != NULL && plan_setting(&sp, &sshd_kw_password,
	    "passwordauthentication", pw, NULL, cause) != 0)
		goto out;
	if (pw != NULL && strcmp(pw, "no") == 0 && plan_setting(&sp, &sshd_kw_kbd,
	    "kbdinteractiveauthentication", "no", NULL, cause) != 0)
		goto out;
	if (rl != NULL && plan_setting(&sp, &sshd_kw_rootlogin, "permitrootlogin",
	    rl, strcmp(rl, "prohibit-password") == 0 ? "without-password" :
	    NULL, cause) != 0)
		goto out;
	if (augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	sshd_lockout_guard(aug, p, &before);
	if (port != NULL && strcmp(port, old_port) != 0 &&
	    keep_port_open(ctx, p, port, cause) != 0)
		goto out;
	if (ssh_files_changed(p) && sshd_plan_reload(p, ctx->id, aug, ctx->os,
	    port != NULL && strcmp(port, old_port) != 0 ? port : NULL,
	    cause) != 0)
		goto out;
	if (pw != NULL && strcmp(pw, "no") == 0) {
		struct strv over;

		strv_init(&over);
		sshd_match_overrides(ctx->root, &over);
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
	sshd_policy_release(&before);
	free(old_port);
	return r;
}

/* ---- audit ---- */

void
ssh_prefetch(struct step_ctx *ctx)
{
	if (ctx->effective && fs_exists(ctx->root, SSHD_MAIN))
		sshd_check_early(ctx->root, ctx->early);
}

/* The accounts that can log in with a key, and the form's key_user. */
static void
audit_keys(struct step_ctx *ctx, const struct sshd_now *now, struct audit *a)
{
	struct sshd_policy lp = { 0 };
	struct plan empty;
	struct accounts acc;
	struct strv found;

	if (accounts_load(ctx->root, &acc, NULL) != 0)
		return;
	plan_init(&empty, ctx->root);
	sshd_now_policy(now, &lp);
	lp.password = false;	/* which accounts have a key? */
	strv_init(&found);
	if (sshd_ways_in(&empty, &acc, &lp, &found) == 0)
		strv_add(&a->notes, _("no account has a usable SSH key yet: "
		    "add one before turning off passwords"));
	else {
		struct buf b;

		buf_init(&b);
		for (size_t i = 0; i < found.n; i++)
			buf_addf(&b, "%s%s", i ? ", " : "", found.v[i]);
		strv_addf(&a->notes, _("key login possible for: %s"), b.data);
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
	strv_release(&found);
	sshd_policy_release(&lp);
	plan_release(&empty);
	accounts_release(&acc);
}

/* NOW's value of K, lowercase. */
static char *
now_value(const struct sshd_now *now, const struct sshd_keyword *k)
{
	char *v = sshd_now_value(now, k), *c = sshd_canonical(k, v);

	free(v);
	return c;
}

static int
ssh_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	struct sshd_now now;
	char *port, *pw, *kbd, *rl;

	if (!fs_exists(ctx->root, SSHD_MAIN)) {
		a->state = STATE_NOT_APPLICABLE;
		strv_add(&a->notes, _("no /etc/ssh/sshd_config: the OpenSSH "
		    "server is not installed"));
		return 0;
	}
	if (sshd_now_read(&now, ctx->root, ctx->augs, ctx->early,
	    ctx->effective, cause) != 0) {
		sshd_now_release(&now);
		return -1;
	}
	if (now.why != NULL)
		strv_addf(&a->notes, _("sshd -T could not run (%s); values "
		    "read from the files"), now.why);
	port = now_value(&now, &sshd_kw_port);
	pw = now_value(&now, &sshd_kw_password);
	kbd = now_value(&now, &sshd_kw_kbd);
	rl = now_value(&now, &sshd_kw_rootlogin);
	if (strcmp(pw, "no") != 0)
		audit_finding(a, "PasswordAuthentication", pw, "no");
	if (strcmp(kbd, "no") != 0)
		audit_finding(a, "KbdInteractiveAuthentication", kbd, "no");
	if (strcmp(rl, "yes") == 0)
		audit_finding(a, "PermitRootLogin", rl, "prohibit-password");
	sshd_match_overrides(ctx->root, &a->notes);
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;

	/* Defaults for the form: the current port, recommended auth. */
	settings_set(&a->current, "port", strchr(port, ' ') ? "22" : port);
	settings_set(&a->current, "password_authentication", "no");
	settings_set(&a->current, "permit_root_login",
	    strcmp(rl, "no") == 0 ? "no" : "prohibit-password");
	settings_set(&a->current, "authorized_key", "");
	settings_set(&a->current, "key_user", "root");
	audit_keys(ctx, &now, a);
	sshd_now_release(&now);
	free(port);
	free(pw);
	free(kbd);
	free(rl);
	return 0;
}

/*
 * The ports sshd listens on: in an audit per sshd -T; in a plan per
 * SESSION's files (NULL: the root's files as they are).
 */
static int
ports_of(const struct step_ctx *ctx, struct augs *session, struct strv *ports,
    char **cause)
{
	struct sshd_now now;
	int r;

	if ((r = sshd_now_read(&now, ctx->root, session, ctx->early,
	    ctx->effective, cause)) == 0)
		sshd_now_ports(&now, ports);
	sshd_now_release(&now);
	return r;
}

int
ssh_ports_now(const struct step_ctx *ctx, struct strv *ports, char **cause)
{
	/* The SSH step edits the session's files when it plans. */
	return ports_of(ctx, ssh_planned(ctx) ? NULL : ctx->augs, ports, cause);
}

int
ssh_ports_after(const struct step_ctx *ctx, struct strv *ports,
    const char **moved_to, char **cause)
{
	const struct settings *set = step_ctx_settings(ctx, &step_ssh);
	const char *next = set != NULL ? settings_get(set, "port") : NULL;

	if (moved_to != NULL)
		*moved_to = NULL;
	if (ports_of(ctx, ctx->augs, ports, cause) != 0)
		return -1;
	if (next == NULL || strv_contains(ports, next))
		return 0;
	strv_add(ports, next);
	if (moved_to != NULL)
		*moved_to = next;
	return 0;
}

bool
ssh_planned(const struct step_ctx *ctx)
{
	return step_ctx_settings(ctx, &step_ssh) != NULL;
}

const struct step step_ssh = {
	.id = "ssh",
	.flags = STEP_CONFIRM,
	.title = N_("SSH access"),
	.help = N_("Key-only login, root login policy and the SSH port. "
	    "Changes go into the file sshd reads first, conflicting drop-ins "
	    "are brought in line, and sshd -T must confirm the result."),
	.files = ssh_files,
	.nfiles = nitems(ssh_files),
	.questions = ssh_questions,
	.nquestions = nitems(ssh_questions),
	.audit = ssh_audit,
	.prefetch = ssh_prefetch,
	.plan = ssh_plan,
};
