/*
 * postfix_blocklist.c -- reject mail from listed envelope senders and
 * client addresses.
 *
 * The order is what keeps mail flowing (an access map referenced before
 * its database exists temp-fails every message; an entry appended after
 * postmap is ignored):
 *  1. the map text: our own files, hardenwiz_senders (default_database_type,
 *     never a hard-coded hash:) and hardenwiz_clients.cidr (cidr:, read as
 *     text: hash maps cannot hold a network);
 *  2. postmap builds the database (journaled, so a rollback restores it);
 *  3. only then main.cf references it, merged into the restrictions that
 *     are there, never replacing them;
 *  4. Postfix reloads, and the SMTP smoke test must pass.
 * The candidate is checked before anything changes: the staged maps are
 * built with postmap and every new key must answer REJECT to postmap -q.
 *
 * Maps are edited as text, one line per entry, not through Augeas:
 * blocklists grow, and Augeas needs about 15 minutes to save a
 * 100,000-line access map. Appending lines is the whole edit, the same
 * code at every size, and the write is still atomic and journaled.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/postfix.h"
#include "step.h"

#define SENDERS_MAP	"/etc/postfix/hardenwiz_senders"
#define CLIENTS_MAP	"/etc/postfix/hardenwiz_clients.cidr"

static const struct aug_file blocklist_files[] = {
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
};

static const struct question blocklist_questions[] = {
	{ "senders", V_LIST, N_("Blocked senders"),
	  N_("Envelope senders (MAIL FROM) to reject: user@example.com, "
	     "@example.com (the whole domain) or example.com, which also "
	     "blocks its subdomains. Only the envelope sender is matched, "
	     "not the From: header people see."), NULL, 0, 0, 0 },
	{ "clients", V_LIST, N_("Blocked client addresses"),
	  N_("IP addresses or networks (192.0.2.0/24, 2001:db8::/32) whose "
	     "connections are rejected."), NULL, 0, 0, 0 },
	{ "before_mynetworks", V_BOOL, N_("Also for $mynetworks"),
	  N_("yes: the lists apply before permit_mynetworks, so they also "
	     "stop mail from this server's own programs and networks (a "
	     "compromised web application). no: after it."),
	  NULL, 0, 0, 0 },
};

/* A sender pattern: user@domain, @domain or domain, nothing else. */
static bool
sender_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (s[0] == '\0' || strpbrk(s, " \t,:<>\"") != NULL)
		return false;
	if (at != NULL && strchr(at + 1, '@') != NULL)
		return false;
	return at == NULL ? strchr(s, '.') != NULL : at[1] != '\0';
}

/*
 * An address or network Postfix's cidr table takes: "10.0.0.300" or
 * "192.0.2.0/33" made postmap skip the line with a warning, and the check
 * of the map then blamed the first, valid, entry.
 */
static bool
client_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int family = memchr(s, ':', len) != NULL ? AF_INET6 : AF_INET;
	char *end;
	long bits;

	if (len == 0 || len >= sizeof addr)
		return false;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(family, addr, bin) != 1)
		return false;
	if (slash == NULL)
		return true;
	bits = strtol(slash + 1, &end, 10);
	return end != slash + 1 && *end == '\0' && bits >= 0 &&
	    bits <= (family == AF_INET ? 32 : 128);
}

/*
 * Which of WANT the map's TEXT has as keys (the first word of an entry
 * line): into HAVE. One pass over the text, whatever its size, asking a
 * set of the few wanted keys.
 */
static void
map_has(const char *text, size_t len, const struct strset *want,
    struct strset *have)
{
	const char *l = text, *end = text + len;

	while (l < end) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);
		size_t k = strcspn(l, " \t\n");

		/* Comments, blank lines and continuations are not keys. */
		if (n > 0 && l[0] != '#' && l[0] != ' ' && l[0] != '\t' &&
		    k > 0 && k <= n) {
			char *key = xstrndup(l, k);

			if (strset_has(want, key))
				strset_add(have, key);
			free(key);
		}
		l = nl ? nl + 1 : end;
	}
}

/*
 * Plan MAP to have every one of ENTRIES (already valid) with ACTION;
 * *added gets the new keys. Returns 1 when the file changes. The new
 * entries are appended: the map (a million lines, 40 MB) is read once to
 * see what it has, then held once, by the plan.
 */
static int
plan_map(struct step_ctx *ctx, struct plan *p, const char *map,
    const struct strv *entries, struct strv *added, char **cause)
{
	struct fs_file f;
	struct strset want, have;
	struct buf b;
	bool newline;
	int r = 0;

	if (fs_read(p->root, map, &f, cause) != 0)
		return -1;
	strset_init(&want);
	strset_init(&have);
	for (size_t i = 0; i < entries->n; i++)
		strset_add(&want, entries->v[i]);
	if (f.exists)
		map_has(f.data, f.len, &want, &have);
	newline = f.exists && f.len > 0 && f.data[f.len - 1] != '\n';
	buf_init(&b);
	if (newline)
		buf_adds(&b, "\n");
	else if (!f.exists)
		buf_adds(&b, "# Written by hardenwiz: one entry per line, "
		    "PATTERN REJECT.\n# Edit with care; run postmap after "
		    "changing it.\n");
	fs_file_release(&f);
	for (size_t i = 0; i < entries->n; i++) {
		if (!strset_add(&have, entries->v[i]))
			continue;
		buf_addf(&b, "%s REJECT\n", entries->v[i]);
		strv_add(added, entries->v[i]);
	}
	if (added->n > 0)
		r = plan_append(p, ctx->id, map, b.data, b.len, 0644,
		    &postfix_checker, cause) != 0 ? -1 : 1;
	buf_release(&b);
	strset_release(&want);
	strset_release(&have);
	return r;
}

/*
 * LIST with ENTRY merged in: nothing if it is there; before
 * permit_mynetworks (and permit_sasl_authenticated) when EARLY, else right
 * after the last of them, else first. Caller frees.
 */
static char *
merge_restriction(const char *list, const char *entry, bool early)
{
	struct strv items;
	struct buf b;
	size_t at = 0;

	strv_init(&items);
	split_list(list != NULL ? list : "", &items);
	for (size_t i = 0; i < items.n; i++) {
		bool permit = strcmp(items.v[i], "permit_mynetworks") == 0 ||
		    strcmp(items.v[i], "permit_sasl_authenticated") == 0;

		if (!early && permit)
			at = i + 1;
	}
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i <= items.n; i++) {
		if (i == at)
			buf_addf(&b, "%s%s", b.len ? ", " : "", entry);
		if (i < items.n)
			buf_addf(&b, "%s%s", b.len ? ", " : "", items.v[i]);
	}
	strv_release(&items);
	return buf_detach(&b, NULL);
}

static int
plan_restriction(struct step_ctx *ctx, struct plan *p, const char *param,
    const char *entry, bool early, char **cause)
{
	augeas *aug = augs_handle(ctx->augs);
	char *now = postfix_param(ctx->root, param, false), *value, *path;
	char *node;
	int r = 0;

	if (now != NULL && strstr(now, entry) != NULL) {
		free(now);
		return 0;
	}
	node = xasprintf("/files" POSTFIX_MAIN "/%s", param);
	value = merge_restriction(now, entry, early);
	/* Postfix keeps the last definition. */
	path = xasprintf("%s%s", node, aug_match(aug, node, NULL) > 0 ?
	    "[last()]" : "");
	if (aug_set(aug, path, value) != 0)
		r = set_cause(cause, _("cannot set %s in %s: %s"), param,
		    POSTFIX_MAIN, augs_error(ctx->augs));
	else
		plan_expect(p, ctx->id, &postfix_setting, param,
		    param, value, NULL, now);
	free(path);
	free(node);
	free(value);
	free(now);
	return r;
}

/*
 * Every new key of MAP must answer REJECT (checked on the candidate). A
 * cidr: map is asked for the network's first address, as a client is.
 */
static void
expect_rejects(struct step_ctx *ctx, struct plan *p, const char *spec,
    const struct strv *keys)
{
	for (size_t i = 0; i < keys->n; i++) {
		char *key = xstrndup(keys->v[i], strcspn(keys->v[i], "/"));

		plan_expect(p, ctx->id, &postfix_map_entry, spec,
		    key, "REJECT", NULL, NULL);
		free(key);
	}
}

/* SENDERS as map keys: "@example.com" is written "example.com"'s way. */
static int
sender_entries(const char *root, const char *list, struct strv *out,
    char **cause)
{
	struct strv items;
	char *parents = postfix_param(root,
	    "parent_domain_matches_subdomains", true);
	bool subdomains = parents != NULL && strstr(parents,
	    "smtpd_access_maps") != NULL;
	int r = 0;

	strv_init(&items);
	split_list(list, &items);
	for (size_t i = 0; i < items.n && r == 0; i++) {
		const char *s = items.v[i];

		if (!sender_ok(s)) {
			r = set_cause(cause, _("'%s' is not a sender address "
			    "or domain (user@example.com, @example.com or "
			    "example.com)"), s);
			break;
		}
		if (s[0] == '@')
			s++;
		if (!strv_contains(out, s))
			strv_add(out, s);
		/* Without that setting only ".domain" matches subdomains. */
		if (strchr(s, '@') == NULL && !subdomains)
			strv_addf(out, ".%s", s);
	}
	strv_release(&items);
	free(parents);
	return r;
}

static int
client_entries(const char *list, struct strv *out, char **cause)
{
	struct strv items;
	int r = 0;

	strv_init(&items);
	split_list(list, &items);
	for (size_t i = 0; i < items.n && r == 0; i++) {
		if (!client_ok(items.v[i]))
			r = set_cause(cause, _("'%s' is not an IP address or "
			    "network (192.0.2.0/24)"), items.v[i]);
		else if (!strv_contains(out, items.v[i]))
			strv_add(out, items.v[i]);
	}
	strv_release(&items);
	return r;
}

static int
blocklist_plan(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, char **cause)
{
	const char *senders = settings_get(set, "senders");
	const char *clients = settings_get(set, "clients");
	bool early = settings_bool(set, "before_mynetworks", false);
	struct strv s_entries, c_entries, s_added, c_added;
	char *type = NULL, *spec = NULL;
	size_t before = p->nchanges;
	int r = -1, changed;

	if (postfix_skip_step(p, ctx->id))
		return 0;
	strv_init(&s_entries);
	strv_init(&c_entries);
	strv_init(&s_added);
	strv_init(&c_added);
	if (sender_entries(ctx->root, senders ? senders : "", &s_entries,
	    cause) != 0 || client_entries(clients ? clients : "", &c_entries,
	    cause) != 0)
		goto out;
	/* Never hard-coded hash: EL10 has no Berkeley DB. */
	type = postfix_param(ctx->root, "default_database_type", true);
	if (type == NULL || type[0] == '\0') {
		set_cause(cause, _("postconf cannot tell "
		    "default_database_type"));
		goto out;
	}
	if (s_entries.n > 0) {
		spec = xasprintf("%s:%s", type, SENDERS_MAP);
		changed = plan_map(ctx, p, SENDERS_MAP, &s_entries, &s_added, cause);
		if (changed < 0)
			goto out;
		{
			char *db = postfix_map_db(type, SENDERS_MAP);

			if (changed > 0 || !fs_exists(ctx->root, db))
				postfix_plan_postmap(p, ctx->id,
				    type, SENDERS_MAP, _("build the map's "
				    "database before main.cf refers to it"));
			free(db);
		}
		expect_rejects(ctx, p, spec, &s_added);
		{
			char *entry = xasprintf("check_sender_access %s", spec);
			int rr = plan_restriction(ctx, p,
			    "smtpd_sender_restrictions", entry, early, cause);

			free(entry);
			if (rr != 0)
				goto out;
		}
	}
	if (c_entries.n > 0) {
		if (plan_map(ctx, p, CLIENTS_MAP, &c_entries, &c_added, cause) < 0)
			goto out;
		expect_rejects(ctx, p, "cidr:" CLIENTS_MAP, &c_added);
		if (plan_restriction(ctx, p, "smtpd_client_restrictions",
		    "check_client_access cidr:" CLIENTS_MAP, early,
		    cause) != 0)
			goto out;
	}
	if (augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	if (p->nchanges > before)
		postfix_plan_reload(p, ctx->id);
	if (s_entries.n > 0)
		plan_note(p, _("the sender list matches the envelope sender "
		    "(MAIL FROM) only, not the From: header; a domain also "
		    "blocks its subdomains"));
	r = 0;
out:
	free(spec);
	free(type);
	strv_release(&s_entries);
	strv_release(&c_entries);
	strv_release(&s_added);
	strv_release(&c_added);
	return r;
}

static int
blocklist_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	char *senders, *clients;

	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	/* As Postfix reads them ($names expanded): the one table the other
	 * audits ask too, so no second postconf. */
	senders = postfix_param(ctx->root, "smtpd_sender_restrictions",
	    true);
	clients = postfix_param(ctx->root, "smtpd_client_restrictions",
	    true);
	strv_addf(&a->notes, "smtpd_sender_restrictions = %s",
	    senders ? senders : "?");
	strv_addf(&a->notes, "smtpd_client_restrictions = %s",
	    clients ? clients : "?");
	a->state = STATE_OK;	/* a blocklist is a choice, not a finding */
	settings_set(&a->current, "senders", "");
	settings_set(&a->current, "clients", "");
	settings_set(&a->current, "before_mynetworks", "yes");
	free(senders);
	free(clients);
	return 0;
}

const struct step step_postfix_blocklist = {
	.id = "postfix-blocklist",
	.title = N_("Postfix sender blocklist"),
	.help = N_("Rejects mail from listed envelope senders and client "
	    "addresses. The map is written and built (postmap) and checked "
	    "before main.cf refers to it, and the existing restrictions are "
	    "kept."),
	.files = blocklist_files,
	.nfiles = nitems(blocklist_files),
	.questions = blocklist_questions,
	.nquestions = nitems(blocklist_questions),
	.audit = blocklist_audit,
	.prefetch = postfix_prefetch,
	.plan = blocklist_plan,
};
