/*
 * dns.c -- mail that receivers trust: OpenDKIM signs what Postfix sends,
 * and the records to publish (SPF, DKIM, DMARC, MX, PTR) are worked out.
 *
 * Per domain, a 2048-bit RSA key is made with libcrypto into the
 * distribution's key directory (/etc/dkimkeys, /etc/opendkim/keys),
 * 0600 and owned by OpenDKIM's user, and named in OpenDKIM's KeyTable and
 * SigningTable (file tables under /etc/opendkim, edited through Augeas).
 * OpenDKIM listens on TCP loopback, which Postfix reaches from its chroot;
 * Postfix's smtpd_milters and non_smtpd_milters get it after the milters
 * already there, with milter_default_action = accept, so mail still flows
 * (unsigned) while OpenDKIM is down.
 *
 * Rotation: a new selector gets a new key beside the old one, and the old
 * one keeps signing until DNS serves the new key's record; a run after
 * that switches the SigningTable (the old key stays, for mail in flight,
 * until the admin removes it). A first key signs at once: mail signed
 * with a key not yet published counts as unsigned, not as forged.
 *
 * The private key is a plan file like any other, so the diff, the
 * journal and rollback cover it: a rollback restores the tables and
 * removes the key in the same transaction, and the checker refuses any
 * KeyTable that names a key the plan leaves missing. Its text is never
 * rendered (plan_private_file), never in an argv, wiped when freed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/publish.h"
#include "dns/records.h"
#include "dns/resolver.h"
#include "fsutil.h"
#include "i18n.h"
#include "opendkim/dkimkey.h"
#include "opendkim/opendkim.h"
#include "postfix/postfix.h"
#include "step.h"

static const struct aug_file dns_files[] = {
	{ "Opendkim.lns", OPENDKIM_CONF, 0644, &opendkim_checker,
	  &hw_lens_opendkim, false },
	{ "Opendkim_Table.lns", OPENDKIM_DIR "/*Table", 0644,
	  &opendkim_checker, &hw_lens_opendkim_table, false },
	/* The other common naming (key.table, signing.table). */
	{ "Opendkim_Table.lns", OPENDKIM_DIR "/*.table", 0644,
	  &opendkim_checker, &hw_lens_opendkim_table, false },
	{ "Postfix_Main.lns", POSTFIX_MAIN, 0644, &postfix_checker,
	  NULL, false },
};

static const char *const dmarc_policies[] = { "none", "quarantine", "reject",
	NULL };
static const char *const sts_modes[] = { "none", "testing", "enforce", NULL };

static const struct question dns_questions[] = {
	{ "domain", V_LIST, N_("Mail domains"),
	  N_("The domains this server sends mail for; each gets its own DKIM "
	     "key. Default: Postfix's mydomain."), NULL, 0, 0, 0 },
	{ "dkim_sign", V_BOOL, N_("Sign outgoing mail (DKIM)"),
	  N_("OpenDKIM signs every message Postfix sends for these domains. "
	     "Receivers check the signature against the key published in "
	     "DNS; DMARC passes through it even when mail goes out through a "
	     "relay."), NULL, 0, 0, 0 },
	{ "dkim_selector", V_TEXT, N_("DKIM selector"),
	  N_("The key's name in DNS: SELECTOR._domainkey.DOMAIN. A new "
	     "selector rotates the key: the new key is made now, and signing "
	     "switches to it on a later run, once DNS serves its record."),
	  NULL, 0, 0, 0 },
	{ "ipv4", V_IPS, N_("Public IPv4 address"),
	  N_("For SPF and the PTR, when the server is behind NAT. Default: "
	     "the public addresses of its interfaces."), NULL, 0, 0,
	  Q_RECIPE_ONLY },
	{ "ipv6", V_IPS, N_("Public IPv6 address"),
	  N_("For SPF and the PTR."), NULL, 0, 0, Q_RECIPE_ONLY },
	{ "spf_include", V_LIST, N_("SPF includes"),
	  N_("Other senders for the domain (a newsletter service): their SPF "
	     "domains, merged into the record."), NULL, 0, 0, Q_RECIPE_ONLY },
	{ "dmarc_policy", V_CHOICE, N_("DMARC policy"),
	  N_("none: reports only (start here); quarantine, then reject, once "
	     "the reports show all your mail passes."), dmarc_policies, 0, 0,
	  0 },
	{ "dmarc_rua", V_TEXT, N_("DMARC report address"),
	  N_("Where receivers send DMARC reports (mailto:...). Default: "
	     "mailto:dmarc@DOMAIN."), NULL, 0, 0, Q_RECIPE_ONLY },
	{ "tls_rpt", V_TEXT, N_("TLS-RPT report address"),
	  N_("mailto: address for TLS-RPT reports (RFC 8460): senders say "
	     "when TLS to your MX failed. Empty: no record."), NULL, 0, 0,
	  Q_RECIPE_ONLY },
	{ "mta_sts", V_CHOICE, N_("MTA-STS"),
	  N_("testing or enforce: the _mta-sts record and the policy to "
	     "serve over HTTPS at mta-sts.DOMAIN (RFC 8461); none: no "
	     "record."), sts_modes, 0, 0, Q_RECIPE_ONLY },
	{ "dns_server", V_IPS, N_("DNS server to ask"),
	  N_("Asked whether a rotated key's record is published. Default: "
	     "each zone's own name servers."), NULL, 0, 0, Q_RECIPE_ONLY },
};

/* A host name: dot-separated labels of letters, digits and hyphens. */
static bool
dns_name_ok(const char *s, bool need_dot)
{
	size_t label = 0;

	if (*s == '\0' || strlen(s) > 253 || (need_dot && !strchr(s, '.')))
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		if (*c == '.') {
			if (label == 0 || c[-1] == '-' || c[1] == '\0')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*c) || (*c == '-' &&
		    label > 0) || (*c == '_' && label == 0))
			label++;
		else
			return false;
		if (label > 63)
			return false;
	}
	return s[strlen(s) - 1] != '-';
}

/* ---- keys ---- */

/*
 * DNS serves NAME's DKIM record with public key PUB, as --check-dns would
 * judge it (ONE record, well formed), through the recipe's dns_server,
 * else each zone's own servers.
 */
static bool
published(const char *server, const char *name, const char *pub)
{
	struct dns_opts o = { .server = server };
	struct dns_query q;
	struct rec_check c;
	bool yes = false;

	dns_query_init(&q, name, DNS_TXT);
	memset(&c, 0, sizeof c);
	if (dns_resolve(&o, &q, 1, NULL) == 0) {
		dkim_judge(&q, pub, &c);
		yes = c.verdict == REC_MATCHES;
	}
	free(c.value);
	free(c.why);
	dns_query_release(&q);
	return yes;
}

/* One domain's record to publish, as a note (zone-file form). */
static void
note_dkim_record(struct plan *p, const char *name, const char *pub,
    const char *why)
{
	char *value = xasprintf("v=DKIM1; k=rsa; p=%s", pub);
	char *zone = pub_txt_zone(value);

	plan_note(p, "%s: %s. IN TXT %s", why, name, zone);
	free(zone);
	free(value);
}

/*
 * DOMAIN signs with SELECTOR's key: the key, its KeyTable row, and the
 * SigningTable row, switched from an older selector only once DNS
 * serves the new key's record. *SIGN_SEL and *SIGN_KEY: the selector and
 * key that sign after the plan.
 */
static int
plan_domain(struct step_ctx *ctx, struct plan *p,
    const struct opendkim_setup *dc, const struct settings *set,
    const char *domain, const char *selector, char **sign_sel,
    char **sign_key, char **cause)
{
	char *name = xasprintf("%s._domainkey.%s", selector, domain);
	char *pub = NULL, *now = NULL;
	const char *type;
	bool made = false, rotates;
	int r = -1;

	*sign_sel = *sign_key = NULL;
	if (opendkim_plan_key(ctx->augs, p, ctx->id, dc, domain, selector,
	    &pub, &made, cause) != 0)
		goto out;
	now = opendkim_signing(ctx->augs, dc, domain);
	rotates = now != NULL && strcasecmp(now, name) != 0;
	/* Rotation: the new key signs once DNS has its record. */
	if (rotates && (p->offline || !published(settings_get(set,
	    "dns_server"), name, pub))) {
		note_dkim_record(p, name, pub, made ? _("new DKIM key; "
		    "publish it, then run hardenwiz again to sign with it") :
		    _("the new DKIM key is not in DNS yet; publish it, then "
		    "run hardenwiz again to sign with it"));
		plan_note(p, _("%s keeps signing with %s until then%s"), domain,
		    now, p->offline ? _(" (an offline root does not ask DNS)") :
		    "");
		/* What signs after the plan is the old key. */
		r = dkim_signing_key(ctx->root, domain, sign_sel, sign_key,
		    &type, NULL, cause);
		goto out;
	}
	if ((now == NULL || rotates) && opendkim_sign_with(ctx->augs, dc,
	    domain, name, cause) != 0)
		goto out;
	if (now == NULL)
		plan_note(p, _("%s: DKIM signing starts now; publish its key "
		    "(%s, below): until then receivers treat the mail as "
		    "unsigned"), domain, name);
	else if (rotates)
		plan_note(p, _("DNS serves %s with the new key: %s signs with "
		    "it from now on. Keep the old record (%s) published for a "
		    "few days, for mail still in flight; then remove it, its "
		    "KeyTable row and its key"), name, domain, now);
	*sign_sel = xstrdup(selector);
	*sign_key = pub;
	pub = NULL;
	r = 0;
out:
	free(now);
	free(pub);
	free(name);
	return r;
}

/* ---- Postfix ---- */

static int
plan_postfix(struct step_ctx *ctx, struct plan *p, const char *milter,
    char **cause)
{
	if (postfix_plan_milter(ctx->augs, p, ctx->id, "smtpd_milters",
	    milter, true, false, cause) != 0 ||
	    postfix_plan_milter(ctx->augs, p, ctx->id, "non_smtpd_milters",
	    milter, true, false, cause) != 0 ||
	    postfix_set_main(ctx->augs, p, ctx->id, "milter_default_action",
	    "accept", cause) != 0)
		return -1;
	return 0;
}

/* ---- the records ---- */

/*
 * The records DOMAIN should publish, as notes: zone-file lines (DKIM as
 * strings of one record), with what to do; SEL and KEY sign (or NULL).
 */
static void
note_records(struct step_ctx *ctx, struct plan *p, const struct settings *set,
    const char *domain, const char *sel, const char *key)
{
	char *helo = postfix_param(ctx->root, "myhostname", true);
	char *relay = postfix_param(ctx->root, "relayhost", true);
	char *cause = NULL;
	struct strv ips, incs, notes;
	struct pub_want w;
	struct pub_record *recs = NULL;
	size_t n = 0;

	strv_init(&ips);
	strv_init(&incs);
	strv_init(&notes);
	split_list(settings_get(set, "ipv4") ? settings_get(set, "ipv4") : "",
	    &ips);
	split_list(settings_get(set, "ipv6") ? settings_get(set, "ipv6") : "",
	    &ips);
	if (ips.n == 0 && !p->offline)
		dns_public_addresses(&ips);
	split_list(settings_get(set, "spf_include") ? settings_get(set,
	    "spf_include") : "", &incs);
	memset(&w, 0, sizeof w);
	w.domain = domain;
	w.helo = helo;
	w.relayhost = relay;
	w.ips = ips.v;
	w.nips = ips.n;
	w.includes = incs.v;
	w.nincludes = incs.n;
	w.dmarc_rua = settings_get(set, "dmarc_rua");
	w.dmarc_policy = settings_get(set, "dmarc_policy");
	w.tls_rpt = settings_get(set, "tls_rpt");
	if (w.tls_rpt != NULL && w.tls_rpt[0] == '\0')
		w.tls_rpt = NULL;
	w.mta_sts = settings_get(set, "mta_sts");
	if (w.mta_sts != NULL && strcmp(w.mta_sts, "none") == 0)
		w.mta_sts = NULL;
	w.dkim_selector = sel;
	w.dkim_key = key;
	w.dkim_type = "rsa";
	if (ips.n == 0)
		plan_note(p, _("%s: no public address known (an offline root, "
		    "or NAT): set ipv4 (and ipv6) in [dns] for SPF and the "
		    "PTR"), domain);
	if (pub_records(&w, &recs, &n, &notes, &cause) != 0) {
		plan_note(p, "%s: %s", domain, cause);
		free(cause);
	}
	for (size_t i = 0; i < n; i++) {
		char *v = strcmp(recs[i].type, "TXT") == 0 ?
		    pub_txt_zone(recs[i].value) : xstrdup(recs[i].value);

		plan_note(p, "%s %s. IN %s %s%s%s", recs[i].at_provider ?
		    _("ask the address's provider for:") : _("publish:"),
		    recs[i].name, recs[i].type, v, recs[i].note ? "  ; " : "",
		    recs[i].note ? recs[i].note : "");
		free(v);
	}
	for (size_t i = 0; i < notes.n; i++)
		plan_note(p, "%s", notes.v[i]);
	plan_note(p, _("hardenwiz --dns-records prints these again (also "
	    "for web DNS panels, and as JSON); hardenwiz --check-dns checks "
	    "what DNS serves"));
	pub_records_free(recs, n);
	strv_release(&notes);
	strv_release(&incs);
	strv_release(&ips);
	free(relay);
	free(helo);
}

/* ---- the step ---- */

/*
 * The domains Postfix sends for, into OUT: mydomain, then the virtual
 * alias and mailbox domains written out in main.cf (a map's domains are
 * not read: name them in the recipe).
 */
static void
postfix_domains(const char *root, struct strv *out)
{
	static const char *const keys[] = { "mydomain",
	    "virtual_alias_domains", "virtual_mailbox_domains" };

	for (size_t i = 0; i < nitems(keys); i++) {
		char *v = postfix_param(root, keys[i], true);
		struct strv items;

		strv_init(&items);
		split_list(v != NULL ? v : "", &items);
		for (size_t k = 0; k < items.n; k++)
			if (dns_name_ok(items.v[k], true) &&
			    !strv_contains(out, items.v[k]))
				strv_add(out, items.v[k]);
		strv_release(&items);
		free(v);
	}
}

/* The step planned a change to an OpenDKIM file (not main.cf) since FROM. */
static bool
opendkim_changed(const struct plan *p, size_t from)
{
	for (size_t i = from; i < p->nchanges; i++)
		if (p->changes[i].kind != CHANGE_COMMAND &&
		    strcmp(p->changes[i].path, POSTFIX_MAIN) != 0)
			return true;
	return false;
}

static int
plan_signing(struct step_ctx *ctx, const struct settings *set,
    struct plan *p, const struct strv *domains, const char *selector,
    struct strv *sels, struct strv *keys, char **cause)
{
	struct opendkim_setup dc;
	size_t before = p->nchanges;
	bool main_before = plan_find_file(p, POSTFIX_MAIN) != NULL;
	int r = -1;

	if (!opendkim_present(ctx->root))
		return set_cause(cause, _("OpenDKIM is not installed: install "
		    "it (apt-get install opendkim; on the RHEL family dnf "
		    "install opendkim, from EPEL), then run again. hardenwiz "
		    "edits the package's own %s, which must exist to be shown "
		    "as a diff first"), OPENDKIM_CONF);
	memset(&dc, 0, sizeof dc);
	if (opendkim_prepare(ctx->augs, p, ctx->os, &dc, cause) != 0)
		goto out;
	for (size_t i = 0; i < domains->n; i++) {
		char *sel = NULL, *key = NULL, *mine = NULL;
		const char *s = selector;

		/* This domain's selector now, else "mail". */
		if (s == NULL && (mine = opendkim_selector(ctx->augs, &dc,
		    domains->v[i])) != NULL)
			s = mine;
		else if (s == NULL)
			s = "mail";
		if (plan_domain(ctx, p, &dc, set, domains->v[i], s, &sel, &key,
		    cause) != 0) {
			free(mine);
			goto out;
		}
		strv_add(sels, sel != NULL ? sel : "");
		strv_add(keys, key != NULL ? key : "");
		free(sel);
		free(key);
		free(mine);
	}
	if (!fs_exists(ctx->root, OPENDKIM_DIR))
		plan_parents(p, ctx->id, OPENDKIM_KEYTABLE);
	if (augs_collect(ctx->augs, p, ctx->id, cause) != 0 ||
	    plan_postfix(ctx, p, dc.milter, cause) != 0 ||
	    augs_collect(ctx->augs, p, ctx->id, cause) != 0)
		goto out;
	if (opendkim_changed(p, before)) {
		if (opendkim_plan_restart(p, ctx->id, dc.socket_moves,
		    cause) != 0)
			goto out;
		if (!p->offline)
			plan_expect(p, ctx->id, &opendkim_listening, dc.milter,
			    dc.milter, "", NULL, NULL);
	}
	if (!main_before && plan_find_file(p, POSTFIX_MAIN) != NULL)
		postfix_plan_reload(p, ctx->id);
	r = 0;
out:
	opendkim_setup_release(&dc);
	return r;
}

extern const struct step step_dns;

static int
dns_plan(struct step_ctx *ctx, const struct settings *set, struct plan *p,
    char **cause)
{
	const char *selector = settings_get(set, "dkim_selector");
	struct strv domains, sels, keys;
	char *key = NULL;
	int r = -1;

	if (postfix_skip_step(p, ctx->id))
		return 0;
	strv_init(&domains);
	strv_init(&sels);
	strv_init(&keys);
	if (settings_get(set, "domain") != NULL)
		split_list(settings_get(set, "domain"), &domains);
	else
		postfix_domains(ctx->root, &domains);
	if (domains.n == 0) {
		key = setting_ref(p, &step_dns, "domain");
		set_cause(cause, _("%s is needed: Postfix names no mail "
		    "domain (mydomain, virtual domains)"), key);
		goto out;
	}
	for (size_t i = 0; i < domains.n; i++)
		if (!dns_name_ok(domains.v[i], true)) {
			key = setting_ref(p, &step_dns, "domain");
			set_cause(cause, _("%s: '%s' is not a domain name"),
			    key, domains.v[i]);
			goto out;
		}
	if (selector != NULL && (!dns_name_ok(selector, false) ||
	    strchr(selector, '_') != NULL)) {
		key = setting_ref(p, &step_dns, "dkim_selector");
		set_cause(cause, _("%s: '%s' is not a DNS label (letters, "
		    "digits, hyphens)"), key, selector);
		goto out;
	}
	if (settings_bool(set, "dkim_sign", true) && plan_signing(ctx, set, p,
	    &domains, selector, &sels, &keys, cause) != 0)
		goto out;
	for (size_t i = 0; i < domains.n; i++)
		note_records(ctx, p, set, domains.v[i], i < sels.n &&
		    sels.v[i][0] != '\0' ? sels.v[i] : NULL, i < keys.n &&
		    keys.v[i][0] != '\0' ? keys.v[i] : NULL);
	r = 0;
out:
	free(key);
	strv_release(&keys);
	strv_release(&sels);
	strv_release(&domains);
	return r;
}

static int
dns_audit(struct step_ctx *ctx, struct audit *a, char **cause)
{
	char *domain, *sel = NULL, *pub = NULL, *sock, *milter, *err = NULL;
	const char *type;

	(void)cause;
	if (audit_without_postfix(ctx, a))
		return 0;
	domain = postfix_param(ctx->root, "mydomain", true);
	{
		struct strv all;
		struct buf list;

		strv_init(&all);
		buf_init(&list);
		postfix_domains(ctx->root, &all);
		for (size_t i = 0; i < all.n; i++)
			buf_addf(&list, "%s%s", i ? " " : "", all.v[i]);
		if (all.n > 0)
			settings_set(&a->current, "domain", buf_str(&list));
		buf_release(&list);
		strv_release(&all);
	}
	settings_set(&a->current, "dkim_sign", "yes");
	settings_set(&a->current, "dmarc_policy", "none");
	if (!opendkim_present(ctx->root)) {
		audit_finding(a, _("DKIM signing"), _("OpenDKIM not installed"),
		    _("OpenDKIM signs"));
		strv_add(&a->notes, _("install OpenDKIM first (apt-get install "
		    "opendkim), then this step configures it"));
	} else if (domain != NULL && (dkim_signing_key(ctx->root, domain, &sel,
	    &pub, &type, NULL, &err) != 0 || sel == NULL)) {
		audit_finding(a, _("DKIM signing"), err != NULL ? err :
		    _("none"), _("OpenDKIM, selector mail"));
	} else if (sel != NULL) {
		settings_set(&a->current, "dkim_selector", sel);
		sock = dkim_conf_value(ctx->root, "Socket");
		milter = opendkim_milter_address(sock);
		for (int i = 0; i < 2; i++) {
			const char *key = i ? "non_smtpd_milters" :
			    "smtpd_milters";
			char *v = postfix_param(ctx->root, key, true);

			if (milter == NULL || v == NULL || strstr(v,
			    milter) == NULL)
				audit_finding(a, key, v != NULL && v[0] ?
				    v : _("(empty)"), milter != NULL ? milter :
				    OPENDKIM_MILTER);
			free(v);
		}
		free(milter);
		free(sock);
	}
	a->state = a->nfindings > 0 ? STATE_NEEDS_CHANGE : STATE_OK;
	free(err);
	free(pub);
	free(sel);
	free(domain);
	return 0;
}

const struct step step_dns = {
	.id = "dns",
	.title = N_("Mail DNS records"),
	.help = N_("DKIM signing with OpenDKIM (a 2048-bit key made here, "
	    "0600 for OpenDKIM's user; Postfix passes mail through it), and "
	    "the records to publish: one merged SPF, the DKIM key as ONE "
	    "record, DMARC starting at p=none with reports, MX, and the PTR "
	    "your provider sets. hardenwiz --check-dns then checks what DNS "
	    "serves."),
	.files = dns_files,
	.nfiles = nitems(dns_files),
	.questions = dns_questions,
	.nquestions = nitems(dns_questions),
	.audit = dns_audit,
	.prefetch = postfix_prefetch,
	.plan = dns_plan,
};
