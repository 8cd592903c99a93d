/*
 * dnscheck.c -- --check-dns: the mail domain's published records, asked
 * of the real DNS (the zones' own servers, or --server), each one said to
 * match, be missing or differ, with the reason a receiving server would
 * give. The domain and the greeting name come from Postfix (mydomain,
 * myhostname) unless given; the addresses are this machine's public ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opendkim/dkimkey.h"
#include "dns/publish.h"
#include "dns/records.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "postfix/postfix.h"

static const char *
verdict_text(enum rec_verdict v)
{
	switch (v) {
	case REC_MATCHES: return _("ok");
	case REC_MISSING: return _("MISSING");
	case REC_DIFFERS: return _("WRONG");
	case REC_UNKNOWN: return _("no answer");
	}
	return "?";
}

static void
print_check(const struct rec_check *c)
{
	char *line = xasprintf("  %-6s %-40s %s\n", c->record, c->name,
	    verdict_text(c->verdict));

	fputs_visible(line, stdout);
	free(line);
	if (c->value != NULL) {
		fputs(_("         published: "), stdout);
		fputs_visible(c->value, stdout);
		putchar('\n');
	}
	if (c->why != NULL) {
		fputs("         ", stdout);
		fputs_visible(c->why, stdout);
		putchar('\n');
	}
}

static json_t *
check_json(const struct rec_check *c)
{
	json_t *j = json_object();

	json_object_set_new(j, "record", json_string(c->record));
	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "status", json_string(rec_verdict_name(
	    c->verdict)));
	json_object_set_new(j, "published", c->value != NULL ?
	    json_string(c->value) : json_null());
	json_object_set_new(j, "why", c->why != NULL ? json_string(c->why) :
	    json_null());
	return j;
}

/*
 * What --check-dns and --dns-records start from: the mail domain and the
 * name Postfix greets with (from Postfix unless given), the addresses
 * (the operands, else this machine's public ones when INTERFACES), and the
 * key OpenDKIM signs the domain with. EXIT_USAGE, said on standard error
 * with MODE, when there is no domain or an operand is not an address.
 */
struct mail_dns {
	char		*domain, *helo;
	struct strv	 ips;
	char		*dkim_sel, *dkim_key;
	const char	*dkim_type;
};

static int
mail_dns_load(const struct options *o, const char *mode, bool interfaces,
    struct mail_dns *m)
{
	char *cause = NULL;

	memset(m, 0, sizeof *m);
	m->domain = o->domain != NULL ? xstrdup(o->domain) :
	    postfix_param(o->root, "mydomain", true);
	m->helo = postfix_param(o->root, "myhostname", true);
	dns_operands(o, interfaces, &m->ips);
	if (m->domain == NULL || m->domain[0] == '\0') {
		fprintf(stderr, _("hardenwiz: %s: no mail domain: Postfix is "
		    "not configured here; give one with --domain "
		    "example.com\n"), mode);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < m->ips.n; i++) {
		char *rev = dns_reverse(m->ips.v[i]);

		free(rev);
		if (rev == NULL) {
			fprintf(stderr, _("hardenwiz: %s: '%s' is not an IP "
			    "address\n"), mode, m->ips.v[i]);
			return EXIT_USAGE;
		}
	}
	if (dkim_signing_key(o->root, m->domain, &m->dkim_sel, &m->dkim_key,
	    &m->dkim_type, NULL, &cause) != 0) {
		fprintf(stderr, "hardenwiz: %s: %s\n", mode, cause);
		free(cause);
	}
	return EXIT_OK;
}

static void
mail_dns_release(struct mail_dns *m)
{
	free(m->domain);
	free(m->helo);
	free(m->dkim_sel);
	free(m->dkim_key);
	strv_release(&m->ips);
}

int
check_dns_main(const struct options *o)
{
	struct dns_opts dopts = { .server = o->server };
	struct mail_dns m;
	struct rec_want w = { .selector = o->selector };
	struct rec_check *checks = NULL;
	size_t n = 0, bad = 0;
	char *cause = NULL;
	int code = mail_dns_load(o, "--check-dns", true, &m);

	w.domain = m.domain;
	w.helo = m.helo;
	w.ips = m.ips.v;
	w.nips = m.ips.n;
	/* The selector asked for, else the one OpenDKIM signs with. */
	if (w.selector == NULL)
		w.selector = m.dkim_sel;
	if (w.selector != NULL && (m.dkim_sel == NULL ||
	    strcmp(w.selector, m.dkim_sel) == 0))
		w.dkim_key = m.dkim_key;
	if (code == EXIT_OK && rec_check_all(&dopts, &w, &checks, &n,
	    &cause) != 0) {
		fprintf(stderr, _("hardenwiz: --check-dns: %s\n"), cause);
		free(cause);
		code = EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		bad += checks[i].verdict != REC_MATCHES;
	if (code == EXIT_OK && o->json) {
		json_t *doc = json_doc(o, "check-dns"), *list = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, check_json(&checks[i]));
		json_object_set_new(doc, "domain", json_string(m.domain));
		json_object_set_new(doc, "records", list);
		json_object_set_new(doc, "problems", json_integer(
		    (json_int_t)bad));
		json_print(doc);
		json_decref(doc);
	} else if (code == EXIT_OK) {
		printf(_("Mail DNS records of %s, asked %s%s:\n"), m.domain,
		    o->server != NULL ? _("through ") :
		    _("at the zones' own servers"), o->server != NULL ?
		    o->server : "");
		for (size_t i = 0; i < n; i++)
			print_check(&checks[i]);
		if (bad == 0)
			puts(_("All records are right."));
		else
			printf(_("%zu record(s) to fix.\n"), bad);
	}
	if (code == EXIT_OK && bad > 0)
		code = EXIT_RUNTIME;
	rec_checks_free(checks, n);
	mail_dns_release(&m);
	return code;
}

/* The first of Q's answers that IS takes for the record, or NULL. */
static const char *
published(const struct dns_query *q, bool (*is)(const char *))
{
	for (size_t i = 0; q->status == DNS_ANSWER && i < q->values.n; i++)
		if (is(q->values.v[i]))
			return q->values.v[i];
	return NULL;
}

static void
print_records(const char *domain, const struct pub_record *r, size_t n,
    const struct strv *notes)
{
	printf(_("Records for %s, as zone-file lines:\n\n"), domain);
	for (size_t i = 0; i < n; i++) {
		char *data = strcmp(r[i].type, "TXT") == 0 ?
		    pub_txt_zone(r[i].value) : xstrdup(r[i].value);
		char *line = xasprintf("%s.\t3600\tIN\t%s\t%s\n", r[i].name,
		    r[i].type, data);

		if (!r[i].at_provider)
			fputs_visible(line, stdout);
		free(line);
		free(data);
	}
	printf("\n%s\n", _("For a web DNS panel (one value per record, as "
	    "is, no quotes):"));
	for (size_t i = 0; i < n; i++) {
		char *line;

		if (r[i].at_provider)
			continue;
		line = xasprintf("  %-32s %-5s %s\n", r[i].name, r[i].type,
		    r[i].value);
		fputs_visible(line, stdout);
		free(line);
		if (r[i].note != NULL) {
			fputs("      ", stdout);
			fputs_visible(r[i].note, stdout);
			putchar('\n');
		}
	}
	printf("\n%s\n", _("Set by the address's owner (your provider's "
	    "panel), not in your zone:"));
	for (size_t i = 0; i < n; i++) {
		char *line;

		if (!r[i].at_provider)
			continue;
		line = xasprintf("  %s PTR %s\n", r[i].name, r[i].value);
		fputs_visible(line, stdout);
		free(line);
	}
	for (size_t i = 0; i < notes->n; i++) {
		fputs(_("note: "), stdout);
		fputs_visible(notes->v[i], stdout);
		putchar('\n');
	}
}

static json_t *
records_json(const struct options *o, const char *domain,
    const struct pub_record *r, size_t n, const struct strv *notes)
{
	json_t *doc = json_doc(o, "dns-records"), *list = json_array();
	json_t *nl = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *j = json_object();
		char *zone = strcmp(r[i].type, "TXT") == 0 ?
		    pub_txt_zone(r[i].value) : xstrdup(r[i].value);

		json_object_set_new(j, "name", json_string(r[i].name));
		json_object_set_new(j, "type", json_string(r[i].type));
		json_object_set_new(j, "value", json_string(r[i].value));
		json_object_set_new(j, "zone", json_string(zone));
		json_object_set_new(j, "note", r[i].note != NULL ?
		    json_string(r[i].note) : json_null());
		json_object_set_new(j, "at_provider", json_boolean(
		    r[i].at_provider));
		json_array_append_new(list, j);
		free(zone);
	}
	for (size_t i = 0; i < notes->n; i++)
		json_array_append_new(nl, json_string(notes->v[i]));
	json_object_set_new(doc, "domain", json_string(domain));
	json_object_set_new(doc, "records", list);
	json_object_set_new(doc, "notes", nl);
	return doc;
}

int
dns_records_main(const struct options *o)
{
	struct dns_opts dopts = { .server = o->server };
	char *relay = postfix_param(o->root, "relayhost", true);
	bool live = strcmp(o->root, "/") == 0;
	struct mail_dns m;
	struct pub_want w = { .relayhost = relay };
	struct pub_record *recs = NULL;
	struct dns_query q[2];
	struct strv notes;
	size_t n = 0;
	char *cause = NULL;
	/* Offline, this machine's interfaces are not the server's. */
	int code = mail_dns_load(o, "--dns-records", live, &m);

	strv_init(&notes);
	if (code != EXIT_OK)
		goto out;
	if (m.ips.n == 0)
		strv_add(&notes, _("no public address known: give the "
		    "server's addresses (hardenwiz --dns-records 203.0.113.5)"));
	w.domain = m.domain;
	w.helo = m.helo;
	w.ips = m.ips.v;
	w.nips = m.ips.n;
	w.dkim_selector = m.dkim_sel;
	w.dkim_key = m.dkim_key;
	w.dkim_type = m.dkim_type;
	/* What is published now, to merge with: live, or asked for. */
	{
		char *dmarc = xasprintf("_dmarc.%s", m.domain);

		dns_query_init(&q[0], m.domain, DNS_TXT);
		dns_query_init(&q[1], dmarc, DNS_TXT);
		free(dmarc);
	}
	if (live || o->server != NULL) {
		if (dns_resolve(&dopts, q, 2, &cause) != 0) {
			fprintf(stderr, _("hardenwiz: --dns-records: %s\n"),
			    cause);
			free(cause);
			cause = NULL;
		}
		if (q[0].status == DNS_FAILED || q[1].status == DNS_FAILED)
			strv_addf(&notes, _("what %s publishes now could not "
			    "be read: if it has an SPF record, merge by hand "
			    "(one SPF record only)"), m.domain);
		w.spf_now = published(&q[0], spf_record);
		w.dmarc_now = published(&q[1], dmarc_record);
	} else
		strv_add(&notes, _("offline: what the domain publishes now "
		    "was not read (--server IP to read it); if it has an SPF "
		    "record, REPLACE it with a merged one, never add a second"));
	if (pub_records(&w, &recs, &n, &notes, &cause) != 0) {
		fprintf(stderr, _("hardenwiz: --dns-records: %s\n"), cause);
		free(cause);
		code = EXIT_RUNTIME;
	} else if (o->json) {
		json_t *doc = records_json(o, m.domain, recs, n, &notes);

		json_print(doc);
		json_decref(doc);
	} else
		print_records(m.domain, recs, n, &notes);
	dns_query_release(&q[0]);
	dns_query_release(&q[1]);
	pub_records_free(recs, n);
out:
	mail_dns_release(&m);
	free(relay);
	strv_release(&notes);
	return code;
}
