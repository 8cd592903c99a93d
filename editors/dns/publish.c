/*
 * dns/publish.c -- pub_records: what to publish, merged with what is
 * published, and pub_txt_zone: a long TXT value as strings of one record.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/publish.h"
#include "dns/records.h"
#include "i18n.h"

/* Relay services and the include their SPF documentation asks for. */
static const struct {
	const char *host_part, *include, *service;
} relays[] = {
	{ "sendgrid.net", "sendgrid.net", "SendGrid" },
	{ "amazonaws.com", "amazonses.com", "Amazon SES" },
	{ "mailgun.org", "mailgun.org", "Mailgun" },
	{ "postmarkapp.com", "spf.mtasv.net", "Postmark" },
	{ "mailjet.com", "spf.mailjet.com", "Mailjet" },
	{ "sendinblue.com", "spf.brevo.com", "Brevo" },
	{ "brevo.com", "spf.brevo.com", "Brevo" },
	{ "smtp-relay.gmail.com", "_spf.google.com", "Google Workspace" },
	{ "smtp.gmail.com", "_spf.google.com", "Google" },
	{ "office365.com", "spf.protection.outlook.com", "Microsoft 365" },
	{ "outlook.com", "spf.protection.outlook.com", "Microsoft 365" },
	{ "sparkpostmail.com", "sparkpostmail.com", "SparkPost" },
	{ "smtp2go.com", "spf.smtp2go.com", "SMTP2GO" },
};

/* The include a known relay service needs in SPF, or NULL. */
static const char *
relay_spf_include(const char *relayhost, const char **service)
{
	/* "[smtp.sendgrid.net]:587" -> "smtp.sendgrid.net" */
	const char *h = relayhost + (relayhost[0] == '[');
	size_t n = strcspn(h, "]:");

	for (size_t i = 0; i < nitems(relays); i++) {
		size_t m = strlen(relays[i].host_part);

		if (n >= m && strncasecmp(h + n - m, relays[i].host_part,
		    m) == 0 && (n == m || h[n - m - 1] == '.')) {
			*service = relays[i].service;
			return relays[i].include;
		}
	}
	*service = NULL;
	return NULL;
}

static struct pub_record *
add(struct pub_record **list, size_t *n, const char *name, const char *type,
    char *value)
{
	struct pub_record *r;

	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	r = &(*list)[(*n)++];
	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	r->type = xstrdup(type);
	r->value = value;
	return r;
}

/* TERM (case aside) is one of RECORD's space-separated terms. */
static bool
has_term(const char *record, const char *term)
{
	char *copy = xstrdup(record), *save = NULL;
	bool yes = false;

	for (char *t = strtok_r(copy, " ", &save); t != NULL && !yes;
	    t = strtok_r(NULL, " ", &save))
		yes = strcasecmp(t + (*t == '+'), term) == 0;
	free(copy);
	return yes;
}

/*
 * NOW (or a new record) with each of ADD's terms that is not there yet,
 * put before its "all" or "redirect=", which end the evaluation.
 */
static char *
spf_merge(const char *now, const struct strv *add_terms)
{
	const char *base = now != NULL ? now : "v=spf1 ~all";
	char *copy = xstrdup(base + 6), *save = NULL;
	struct buf b;
	bool placed = false;

	buf_init(&b);
	buf_adds(&b, "v=spf1");
	for (char *t = strtok_r(copy, " ", &save); ; t = strtok_r(NULL, " ",
	    &save)) {
		char qualifier;
		bool last = t == NULL || strcasecmp(spf_mechanism(t,
		    &qualifier), "all") == 0 || strncasecmp(t, "redirect=",
		    9) == 0;

		if (last && !placed) {
			for (size_t i = 0; i < add_terms->n; i++)
				if (!has_term(base, add_terms->v[i]))
					buf_addf(&b, " %s", add_terms->v[i]);
			placed = true;
		}
		if (t == NULL)
			break;
		buf_addf(&b, " %s", t);
	}
	free(copy);
	return buf_detach(&b, NULL);
}

/* HELO is DOMAIN or a name under it. */
static bool
under(const char *helo, const char *domain)
{
	size_t h = strlen(helo), d = strlen(domain);

	return strcasecmp(helo, domain) == 0 || (h > d && helo[h - d - 1] ==
	    '.' && strcasecmp(helo + h - d, domain) == 0);
}

static int
add_spf(const struct pub_want *w, struct pub_record **list, size_t *n,
    struct strv *notes, char **cause)
{
	const char *service = NULL, *inc = w->relayhost != NULL &&
	    *w->relayhost != '\0' ? relay_spf_include(w->relayhost, &service) :
	    NULL;
	struct strv terms, follow;
	char *spf, *why = NULL;
	int lookups = 0;
	struct pub_record *r;

	strv_init(&terms);
	strv_init(&follow);
	for (size_t i = 0; i < w->nips; i++)
		strv_addf(&terms, "ip%c:%s", strchr(w->ips[i], ':') ? '6' : '4',
		    w->ips[i]);
	for (size_t i = 0; i < w->nincludes; i++)
		strv_addf(&terms, "include:%s", w->includes[i]);
	if (inc != NULL)
		strv_addf(&terms, "include:%s", inc);
	else if (w->nincludes > 0 && w->relayhost != NULL && *w->relayhost !=
	    '\0')
		;	/* the admin named the relay's include */
	else if (w->relayhost != NULL && *w->relayhost != '\0')
		strv_addf(notes, _("relayhost %s is not a relay service "
		    "hardenwiz knows: add the SPF include its documentation "
		    "gives, or mail it sends fails SPF"), w->relayhost);
	if (terms.n == 0 && w->spf_now == NULL) {
		/* "v=spf1 ~all" alone would softfail this server's own mail. */
		strv_addf(notes, _("no SPF record for %s without this server's "
		    "address: give it, and publish the record then"),
		    w->domain);
		strv_release(&terms);
		strv_release(&follow);
		return 0;
	}
	spf = spf_merge(w->spf_now, &terms);
	if (spf_terms(spf, &lookups, &follow, &why) == 0 && lookups > 10)
		why = xasprintf(_("it would need %d DNS lookups, more than 10: "
		    "remove includes no longer used"), lookups);
	if (why != NULL) {
		set_cause(cause, _("the SPF record cannot be merged: %s"), why);
		free(why);
		free(spf);
		strv_release(&terms);
		strv_release(&follow);
		return -1;
	}
	r = add(list, n, w->domain, "TXT", spf);
	r->note = w->spf_now != NULL ? xstrdup(_("REPLACE the SPF record "
	    "published now with this one (merged): two SPF records are a "
	    "permerror")) : xstrdup(_("~all: receivers mark, not reject, "
	    "other senders; make it -all once DMARC reports show all your "
	    "mail passes"));
	if (service != NULL)
		strv_addf(notes, _("mail goes out through %s: its include is in "
		    "SPF, and DMARC passes through DKIM, which the relay must "
		    "sign with your domain (set that up in %s)"), service,
		    service);
	strv_release(&terms);
	strv_release(&follow);
	return 0;
}

/*
 * TLS-RPT (RFC 8460): where senders report failed TLS to this domain's
 * MX. MTA-STS (RFC 8461): the TXT record that announces a policy, whose
 * id is taken from the policy's text, so it changes exactly when the
 * policy does; the policy itself must be served over HTTPS, said in a note.
 */
static void
add_tls(const struct pub_want *w, bool named, struct pub_record **list,
    size_t *n, struct strv *notes)
{
	struct pub_record *r;
	char *name, *policy, sha[65];

	if (w->tls_rpt != NULL) {
		name = xasprintf("_smtp._tls.%s", w->domain);
		r = add(list, n, name, "TXT", xasprintf("v=TLSRPTv1; rua=%s",
		    w->tls_rpt));
		r->note = xstrdup(_("TLS-RPT: senders report failed TLS "
		    "deliveries to this domain here"));
		free(name);
	}
	if (w->mta_sts == NULL)
		return;
	if (!named) {
		strv_addf(notes, _("MTA-STS needs the MX under %s: no record "
		    "made"), w->domain);
		return;
	}
	policy = xasprintf("version: STSv1\nmode: %s\nmx: %s\n"
	    "max_age: %s\n", w->mta_sts, w->helo, strcmp(w->mta_sts,
	    "enforce") == 0 ? "604800" : "86400");
	sha256_hex(policy, strlen(policy), sha);
	sha[20] = '\0';
	name = xasprintf("_mta-sts.%s", w->domain);
	r = add(list, n, name, "TXT", xasprintf("v=STSv1; id=%s", sha));
	r->note = xasprintf(_("MTA-STS: only with this policy served at "
	    "https://mta-sts.%s/.well-known/mta-sts.txt (a valid certificate "
	    "for mta-sts.%s), one line each: version: STSv1 | mode: %s | "
	    "mx: %s | max_age: %s"), w->domain, w->domain, w->mta_sts,
	    w->helo, strcmp(w->mta_sts, "enforce") == 0 ? "604800" : "86400");
	free(name);
	free(policy);
}

int
pub_records(const struct pub_want *w, struct pub_record **out, size_t *nout,
    struct strv *notes, char **cause)
{
	struct pub_record *list = NULL, *r;
	size_t n = 0;
	char *name, *policy = NULL, *problem = NULL;
	bool named = w->helo != NULL && under(w->helo, w->domain);

	if (add_spf(w, &list, &n, notes, cause) != 0) {
		pub_records_free(list, n);
		return -1;
	}
	if (w->dkim_selector != NULL && w->dkim_key != NULL) {
		name = xasprintf("%s._domainkey.%s", w->dkim_selector,
		    w->domain);
		r = add(&list, &n, name, "TXT", xasprintf("v=DKIM1; k=%s; "
		    "p=%s", w->dkim_type != NULL ? w->dkim_type : "rsa",
		    w->dkim_key));
		r->note = xstrdup(_("the key OpenDKIM signs with: ONE record "
		    "(a panel takes the value whole; the zone-file form is "
		    "strings of at most 255 bytes of that one record)"));
		free(name);
	} else
		strv_addf(notes, _("no DKIM key: OpenDKIM does not sign for "
		    "%s yet, so DMARC can pass only through SPF"), w->domain);
	name = xasprintf("_dmarc.%s", w->domain);
	if (w->dmarc_now != NULL &&
	    (problem = dmarc_problem(w->dmarc_now, &policy)) == NULL) {
		r = add(&list, &n, name, "TXT", xstrdup(w->dmarc_now));
		r->note = xstrdup(_("published already: kept"));
	} else {
		r = add(&list, &n, name, "TXT", xasprintf("v=DMARC1; p=%s; "
		    "rua=%s", w->dmarc_policy != NULL ? w->dmarc_policy :
		    "none", w->dmarc_rua != NULL ? w->dmarc_rua : ""));
		if (w->dmarc_rua == NULL) {
			free(r->value);
			r->value = xasprintf("v=DMARC1; p=%s; "
			    "rua=mailto:dmarc@%s", w->dmarc_policy != NULL ?
			    w->dmarc_policy : "none", w->domain);
		}
		r->note = problem != NULL ? xasprintf(_("REPLACE the DMARC "
		    "record published now (%s)"), problem) : xstrdup(_("start "
		    "at p=none and read the reports; then quarantine, then "
		    "reject, once all your mail passes"));
	}
	free(problem);
	free(policy);
	free(name);
	if (named) {
		r = add(&list, &n, w->domain, "MX", xasprintf("10 %s.",
		    w->helo));
		for (size_t i = 0; i < w->nips; i++)
			add(&list, &n, w->helo, strchr(w->ips[i], ':') ?
			    "AAAA" : "A", xstrdup(w->ips[i]));
	} else
		strv_addf(notes, _("this server's name (myhostname %s) is not "
		    "under %s: give it a name there (mail.%s) for MX and PTR"),
		    w->helo != NULL ? w->helo : "?", w->domain, w->domain);
	add_tls(w, named, &list, &n, notes);
	for (size_t i = 0; i < w->nips && w->helo != NULL; i++) {
		name = dns_ptr_name(w->ips[i]);
		r = add(&list, &n, name, "PTR", xasprintf("%s.", w->helo));
		r->at_provider = true;
		r->note = xstrdup(_("set by the address's owner (your "
		    "provider's panel), not in your zone"));
		free(name);
	}
	*out = list;
	*nout = n;
	return 0;
}

void
pub_records_free(struct pub_record *list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++) {
		free(list[i].name);
		free(list[i].type);
		free(list[i].value);
		free(list[i].note);
	}
	free(list);
}

char *
pub_txt_zone(const char *value)
{
	struct strv parts;
	struct buf b;
	size_t len = strlen(value);
	const char *p = value;

	strv_init(&parts);
	while (len > 0) {
		size_t take = len <= 255 ? len : 255;

		/* Split after a space when there is one near the end, so no
		 * tag name or term is cut (base64 has none: cut anywhere). */
		if (take < len) {
			for (size_t k = take; k > 200; k--)
				if (p[k - 1] == ' ') {
					take = k;
					break;
				}
		}
		strv_addf(&parts, "%.*s", (int)take, p);
		p += take;
		len -= take;
	}
	buf_init(&b);
	if (parts.n > 1)
		buf_adds(&b, "( ");
	for (size_t i = 0; i < parts.n; i++) {
		buf_addf(&b, "%s\"", i ? " " : "");
		for (const char *c = parts.v[i]; *c != '\0'; c++) {
			if (*c == '"' || *c == '\\')
				buf_add(&b, "\\", 1);
			buf_add(&b, c, 1);
		}
		buf_adds(&b, "\"");
	}
	if (parts.n > 1)
		buf_adds(&b, " )");
	if (parts.n == 0)
		buf_adds(&b, "\"\"");
	strv_release(&parts);
	return buf_detach(&b, NULL);
}
