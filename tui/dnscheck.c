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

int
check_dns_main(const struct options *o)
{
	struct dns_opts dopts = { .server = o->server };
	char *domain = o->domain != NULL ? xstrdup(o->domain) :
	    postfix_param(o->root, "mydomain", true);
	char *helo = postfix_param(o->root, "myhostname", true);
	struct rec_want w = { .selector = o->selector, .helo = helo };
	struct rec_check *checks = NULL;
	struct strv ips;
	size_t n = 0, bad = 0;
	char *cause = NULL;
	int code = EXIT_OK;

	strv_init(&ips);
	for (size_t i = 0; i < o->nips; i++)
		strv_add(&ips, o->ips[i]);
	if (ips.n == 0)
		dns_public_addresses(&ips);
	if (domain == NULL || domain[0] == '\0') {
		fprintf(stderr, "%s\n", _("hardenwiz: --check-dns: no mail "
		    "domain: Postfix is not configured here; give one with "
		    "--domain example.com"));
		free(domain);
		free(helo);
		strv_release(&ips);
		return EXIT_USAGE;
	}
	w.domain = domain;
	w.ips = ips.v;
	w.nips = ips.n;
	for (size_t i = 0; i < ips.n; i++) {
		char *rev = dns_reverse(ips.v[i]);

		if (rev == NULL) {
			fprintf(stderr, _("hardenwiz: --check-dns: '%s' is "
			    "not an IP address\n"), ips.v[i]);
			code = EXIT_USAGE;
		}
		free(rev);
	}
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
		json_object_set_new(doc, "domain", json_string(domain));
		json_object_set_new(doc, "records", list);
		json_object_set_new(doc, "problems", json_integer(
		    (json_int_t)bad));
		json_print(doc);
		json_decref(doc);
	} else if (code == EXIT_OK) {
		printf(_("Mail DNS records of %s, asked %s%s:\n"), domain,
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
	free(domain);
	free(helo);
	strv_release(&ips);
	return code;
}
