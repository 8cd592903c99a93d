/*
 * sshd/lockout.c -- the lockout guard: who could still log in after a
 * plan. See lockout.h.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "i18n.h"
#include "sshd/config.h"
#include "sshd/lockout.h"
#include "sshd/sshkey.h"

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
void
sshd_key_files(const char *akfile, const struct account *ac, struct strv *out)
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
	sshd_key_files(akfile, ac, &files);
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

/* What a policy is made of, in the order policy_set takes the values. */
static const struct sshd_keyword *const policy_keywords[] = {
	&sshd_kw_password, &sshd_kw_kbd, &sshd_kw_pubkey, &sshd_kw_strict,
	&sshd_kw_rootlogin, &sshd_kw_akfile, &sshd_kw_allowusers,
	&sshd_kw_denyusers,
};
#define NPOLICY	nitems(policy_keywords)

/* LP from V, the values of policy_keywords in order; V is taken. */
static void
policy_set(struct sshd_policy *lp, char **v)
{
	lp->password = strcasecmp(v[0], "yes") == 0 || strcasecmp(v[1], "yes")
	    == 0;
	lp->pubkey = strcasecmp(v[2], "no") != 0;
	lp->strict = strcasecmp(v[3], "no") != 0;
	lp->rootlogin = sshd_canonical(&sshd_kw_rootlogin, v[4]);
	lp->akfile = v[5];
	lp->allow = v[6];
	lp->deny = v[7];
	free(v[0]);
	free(v[1]);
	free(v[2]);
	free(v[3]);
	free(v[4]);
}

void
sshd_policy_load(augeas *aug, struct sshd_policy *lp)
{
	struct sshd_occurrences o = { 0 };
	char *v[NPOLICY];

	sshd_walk(aug, &o, NULL);
	for (size_t i = 0; i < NPOLICY; i++)
		v[i] = sshd_first_value(&o, policy_keywords[i]);
	sshd_occurrences_release(&o);
	policy_set(lp, v);
}

void
sshd_policy_view(const struct sshd_view *view, struct sshd_policy *lp)
{
	char *v[NPOLICY];

	for (size_t i = 0; i < NPOLICY; i++)
		v[i] = sshd_view_value(view, policy_keywords[i]);
	policy_set(lp, v);
}

void
sshd_policy_release(struct sshd_policy *lp)
{
	free(lp->rootlogin);
	free(lp->akfile);
	free(lp->allow);
	free(lp->deny);
}

/* Accounts that could still log in after the plan, one line each. */
size_t
sshd_ways_in(struct plan *p, const struct accounts *acc,
    const struct sshd_policy *lp, struct strv *found)
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
			strv_addf(found, ngettext("%s (%d key)",
			    "%s (%d keys)", (unsigned long)keys), ac->name,
			    keys);
			continue;
		}
		if (lp->password && (!is_root || strcmp(lp->rootlogin, "yes")
		    == 0) && account_password_usable(p->root, ac->name) == 1)
			strv_addf(found, _("%s (password)"), ac->name);
	}
	return found->n;
}

/*
 * Refuse (exit 4) a plan that restricts how one logs in when no account
 * would be left with a way in that we can prove.
 */
void
sshd_lockout_guard(augeas *aug, struct plan *p,
    const struct sshd_policy *before)
{
	struct sshd_policy after = { 0 };
	struct accounts acc;
	struct strv found;
	char *cause = NULL;

	sshd_policy_load(aug, &after);
	if ((!before->password || after.password) &&
	    strcmp(before->rootlogin, after.rootlogin) == 0) {
		sshd_policy_release(&after);
		return;		/* nothing gets stricter */
	}
	strv_init(&found);
	if (accounts_load(p->root, &acc, &cause) != 0) {
		plan_refuse(p, true, _("cannot check that someone can "
		    "still log in: %s"), cause);
		free(cause);
		sshd_policy_release(&after);
		return;
	}
	if (sshd_ways_in(p, &acc, &after, &found) == 0) {
		/*
		 * Named by what this plan makes stricter (passwords that were
		 * off already are not its doing). The wizard's form names the
		 * two fields by their labels.
		 */
		plan_refuse(p, true, _("refusing to %s: no account that may "
		    "log in would have a usable key in its authorized keys "
		    "file (%s). Install one first: %s, or ssh-copy-id from "
		    "your computer"), before->password && !after.password ?
		    _("turn off password login") : _("restrict root login"),
		    after.akfile, p->wizard ? _("paste your public key into "
		    "\"Public key to install\" and the account into \"Install "
		    "the key for user\"") : _("authorized_key = ssh-ed25519 "
		    "AAAA... and key_user = NAME in [ssh]"));
	}
	accounts_release(&acc);
	strv_release(&found);
	sshd_policy_release(&after);
}
