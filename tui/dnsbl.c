/*
 * dnsbl.c -- --check-dnsbl: this server's addresses (or the ones given)
 * against the blocklists, each list tested before it is believed. Exit 0
 * when no working list lists an address; 1 when one does, or when no list
 * could be asked at all (a check that could not look is never "clean").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "dns/dnsbl.h"
#include "hardenwiz.h"
#include "i18n.h"

/*
 * The lists to ask: --zones, else the default table. A list named that is
 * not in the table points into NAMES, which the caller keeps until the
 * zones are no longer used.
 */
static struct dnsbl_zone *
zones_wanted(const struct options *o, struct strv *names, size_t *n)
{
	struct dnsbl_zone *z;

	strv_init(names);
	if (o->zones == NULL) {
		z = xcalloc(dnsbl_ndefault_zones, sizeof *z);
		memcpy(z, dnsbl_default_zones, dnsbl_ndefault_zones *
		    sizeof *z);
		*n = dnsbl_ndefault_zones;
		return z;
	}
	*n = split_list(o->zones, names);
	z = xcalloc(*n + 1, sizeof *z);
	for (size_t i = 0; i < *n; i++)
		z[i] = dnsbl_zone_named(names->v[i]);
	return z;
}

static const char *
verdict_text(enum dnsbl_verdict v)
{
	switch (v) {
	case DNSBL_CLEAN: return _("not listed");
	case DNSBL_LISTED: return _("LISTED");
	case DNSBL_POLICY: return _("listed by policy");
	case DNSBL_REFUSED: return _("refused the question");
	case DNSBL_UNUSABLE: return _("unusable");
	case DNSBL_UNKNOWN: return _("no answer");
	case DNSBL_SKIPPED: return _("does not list IPv6 addresses");
	}
	return "?";
}

static void
print_result(const struct dnsbl_result *r)
{
	char *line = xasprintf("  %-22s %-26s %s", r->zone->label,
	    r->zone->zone, verdict_text(r->verdict));

	fputs_visible(line, stdout);
	free(line);
	for (size_t i = 0; i < r->answers.n; i++)
		printf("%s%s", i == 0 ? " (" : " ", r->answers.v[i]);
	puts(r->answers.n > 0 ? ")" : "");
	for (size_t i = 0; i < r->names.n; i++) {
		fputs("      ", stdout);
		fputs_visible(r->names.v[i], stdout);
		putchar('\n');
	}
	if (r->txt != NULL) {
		fputs(_("      the list says: "), stdout);
		fputs_visible(r->txt, stdout);
		putchar('\n');
	}
	if (r->why != NULL) {
		fputs("      ", stdout);
		fputs_visible(r->why, stdout);
		putchar('\n');
	}
	if (r->verdict == DNSBL_LISTED)
		printf(_("      Find and stop the abuse first (a compromised "
		    "account or password, a web form or script that sends "
		    "mail, an open relay: see the mail log and hardenwiz "
		    "--check-queue), then ask for removal%s%s\n"),
		    r->zone->delist != NULL ? ": " : "",
		    r->zone->delist != NULL ? r->zone->delist : "");
}

/* SPEC's status: clean, listed, unusable, error. */
static const char *
spec_status(enum dnsbl_verdict v)
{
	switch (v) {
	case DNSBL_CLEAN: return "clean";
	case DNSBL_LISTED:
	case DNSBL_POLICY: return "listed";
	case DNSBL_UNUSABLE: return "unusable";
	default: return "error";
	}
}

static json_t *
result_json(const struct dnsbl_result *r)
{
	json_t *j = json_object(), *a = json_array();
	char *meaning = NULL;

	json_object_set_new(j, "zone", json_string(r->zone->zone));
	json_object_set_new(j, "list", json_string(r->zone->label));
	json_object_set_new(j, "status", json_string(spec_status(
	    r->verdict)));
	/* Finer than status: policy (PBL), refused, unknown. */
	json_object_set_new(j, "verdict", json_string(
	    dnsbl_verdict_name(r->verdict)));
	for (size_t i = 0; i < r->answers.n; i++)
		json_array_append_new(a, json_string(r->answers.v[i]));
	json_object_set_new(j, "codes", a);
	for (size_t i = 0; i < r->names.n; i++) {
		char *m = xasprintf("%s%s%s", meaning ? meaning : "",
		    meaning ? "; " : "", r->names.v[i]);

		free(meaning);
		meaning = m;
	}
	json_object_set_new(j, "meaning", meaning != NULL ?
	    json_string(meaning) : json_null());
	free(meaning);
	json_object_set_new(j, "txt", r->txt != NULL ? json_string(r->txt) :
	    json_null());
	json_object_set_new(j, "delist", r->zone->delist != NULL ?
	    json_string(r->zone->delist) : json_null());
	json_object_set_new(j, "why", r->why != NULL ? json_string(r->why) :
	    json_null());
	return j;
}

/*
 * SPEC's shape: "ips": [{"ip", "zones": [...]}], "listed"; a list that
 * takes no IPv6 is left out of an IPv6 address's zones.
 */
static json_t *
results_json(const struct options *o, const struct strv *ips,
    const struct dnsbl_result *res, size_t nzones, size_t listed,
    size_t usable)
{
	json_t *doc = json_doc(o, "check-dnsbl"), *list = json_array();

	for (size_t i = 0; i < ips->n; i++) {
		json_t *ip = json_object(), *zones = json_array();

		json_object_set_new(ip, "ip", json_string(ips->v[i]));
		for (size_t k = 0; k < nzones; k++)
			if (res[i * nzones + k].verdict != DNSBL_SKIPPED)
				json_array_append_new(zones,
				    result_json(&res[i * nzones + k]));
		json_object_set_new(ip, "zones", zones);
		json_array_append_new(list, ip);
	}
	json_object_set_new(doc, "listed", json_boolean(listed > 0));
	json_object_set_new(doc, "usable", json_integer((json_int_t)usable));
	json_object_set_new(doc, "server", o->server != NULL ?
	    json_string(o->server) : json_null());
	json_object_set_new(doc, "ips", list);
	return doc;
}

/* The mail log gets one line per listing, and one when nothing answered. */
static void
log_results(const struct dnsbl_result *res, size_t n, size_t usable)
{
	openlog("hardenwiz", LOG_PID, LOG_MAIL);
	for (size_t i = 0; i < n; i++)
		if (res[i].verdict == DNSBL_LISTED ||
		    res[i].verdict == DNSBL_POLICY)
			syslog(LOG_WARNING, "%s is listed on %s (%s)",
			    res[i].ip, res[i].zone->zone,
			    res[i].answers.n > 0 ? res[i].answers.v[0] : "");
	if (usable == 0)
		syslog(LOG_ERR, "DNSBL check: no list could be asked");
	closelog();
}

void
dns_operands(const struct options *o, bool interfaces, struct strv *ips)
{
	strv_init(ips);
	for (size_t i = 0; i < o->nips; i++)
		strv_add(ips, o->ips[i]);
	if (ips->n == 0 && interfaces)
		dns_public_addresses(ips);
}

int
check_dnsbl_main(const struct options *o)
{
	struct dns_opts dopts = { .server = o->server };
	struct strv ips, names;
	struct dnsbl_zone *zones;
	struct dnsbl_result *res = NULL;
	size_t nzones, n, usable = 0, listed = 0;
	char *cause = NULL;
	int code;

	dns_operands(o, true, &ips);
	if (ips.n == 0) {
		fprintf(stderr, "%s\n", _("hardenwiz: --check-dnsbl: this "
		    "machine has no public address on its interfaces (behind "
		    "NAT?): give the address others see, e.g. hardenwiz "
		    "--check-dnsbl 203.0.113.5"));
		strv_release(&ips);
		return EXIT_USAGE;
	}
	zones = zones_wanted(o, &names, &nzones);
	if (dnsbl_check(&dopts, ips.v, ips.n, zones, nzones, &res,
	    &cause) != 0) {
		fprintf(stderr, _("hardenwiz: --check-dnsbl: %s\n"), cause);
		free(cause);
		free(zones);
		strv_release(&names);
		strv_release(&ips);
		return EXIT_USAGE;
	}
	n = ips.n * nzones;
	for (size_t i = 0; i < n; i++) {
		usable += res[i].verdict == DNSBL_CLEAN ||
		    res[i].verdict == DNSBL_LISTED ||
		    res[i].verdict == DNSBL_POLICY;
		listed += res[i].verdict == DNSBL_LISTED ||
		    res[i].verdict == DNSBL_POLICY;
	}
	if (o->json) {
		json_t *doc = results_json(o, &ips, res, nzones, listed,
		    usable);

		json_print(doc);
		json_decref(doc);
	} else {
		for (size_t i = 0; i < ips.n; i++) {
			printf(_("%s on %zu blocklists, asked %s%s:\n"),
			    ips.v[i], nzones, o->server != NULL ?
			    _("through ") : _("at the lists' own servers"),
			    o->server != NULL ? o->server : "");
			for (size_t k = 0; k < nzones; k++)
				print_result(&res[i * nzones + k]);
		}
		if (usable == 0)
			puts(_("No list could be asked: the result is unknown, "
			    "not clean. See each list's line."));
		else
			printf(_("%s: %zu listing(s) on %zu working list "
			    "answer(s)\n"), listed > 0 ? _("LISTED") :
			    _("not listed"), listed, usable);
	}
	if (o->syslog)
		log_results(res, n, usable);
	code = listed > 0 || usable == 0 ? EXIT_RUNTIME : EXIT_OK;
	dnsbl_results_free(res, n);
	free(zones);
	strv_release(&names);
	strv_release(&ips);
	return code;
}
