/*
 * main.c -- hardenwiz's command line: picks one mode up front (after
 * signify), checks everything it was given before acting, and maps every
 * outcome to SPEC's exit codes. Only this file and the frontends print.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "textwidth.h"
#include "journal.h"
#include "deadman.h"
#include "transaction.h"

#ifndef HW_VERSION
#define HW_VERSION "0.1.0"
#endif
#ifndef HW_LOCALEDIR
#define HW_LOCALEDIR "/usr/share/locale"
#endif

static void
usage(FILE *f)
{
	fputs(_(
"usage: hardenwiz [--root DIR] [--plain] [--only STEP,...]       wizard\n"
"       hardenwiz [--root DIR] --apply FILE [--dry-run] [--json] unattended\n"
"       hardenwiz [--root DIR] --audit [--json]                  report only\n"
"       hardenwiz [--root DIR] --rollback [ID] [--force]         undo\n"
"       hardenwiz [--root DIR] --history [--json]                transactions\n"
"       hardenwiz [--root DIR] --confirm                  keep a pending change\n"
"       hardenwiz [--root DIR] --rollback-expired   undo what passed its deadline\n"
"       hardenwiz --check-queue [--threshold N] [--json] [--syslog]\n"
"       hardenwiz [--root DIR] --check-mail [--since DUR] [--threshold N]\n"
"                 [--json] [--syslog]\n"
"                                             Postfix queue monitor\n"
"       hardenwiz --check-dnsbl [IP ...] [--server IP] [--zones Z,...]\n"
"                 [--json] [--syslog]          blocklist check\n"
"       hardenwiz --check-dns [IP ...] [--domain D] [--selector S]\n"
"                 [--server IP] [--json]       published mail records\n"
"       hardenwiz [--root DIR] --dns-records [IP ...] [--domain D]\n"
"                 [--server IP] [--json]       records to publish\n"
"       hardenwiz --list-steps                  the step ids --only takes\n"
"       hardenwiz --help | --version\n"), f);
}

static void
errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
errmsg(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fputs("hardenwiz: ", stderr);
	fputs_visible(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

/* Report CAUSE in the chosen format and return CODE. */
static int
fail(const struct options *o, const char *mode, int code, const char *cause)
{
	if (o->json) {
		json_t *doc = json_doc(o, mode);

		json_errors(doc, cause);
		json_print(doc);
		json_decref(doc);
	}
	errmsg("%s", cause);
	return code;
}

/* One step a line: its id (--only, a recipe section), a tab, its title. */
static void
list_steps(void)
{
	for (size_t i = 0; i < step_count; i++)
		printf("%s\t%s\n", step_table[i]->id, _(step_table[i]->title));
}

static int
parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_ROLLBACK_UNCONFIRMED = 256, OPT_AFTER, OPT_EXPIRED, OPT_FORCE,
	    OPT_CHECK_QUEUE, OPT_THRESHOLD, OPT_SYSLOG, OPT_CHECK_DNSBL,
	    OPT_SERVER, OPT_ZONES, OPT_CHECK_DNS, OPT_DOMAIN, OPT_SELECTOR,
	    OPT_DNS_RECORDS, OPT_CHECK_MAIL, OPT_SINCE, OPT_LIST_STEPS };
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "plain", no_argument, NULL, 'p' },
		{ "only", required_argument, NULL, 'o' },
		{ "apply", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "audit", no_argument, NULL, 'A' },
		{ "rollback", no_argument, NULL, 'R' },
		{ "history", no_argument, NULL, 'H' },
		{ "confirm", no_argument, NULL, 'c' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "check-queue", no_argument, NULL, OPT_CHECK_QUEUE },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "check-dnsbl", no_argument, NULL, OPT_CHECK_DNSBL },
		{ "server", required_argument, NULL, OPT_SERVER },
		{ "zones", required_argument, NULL, OPT_ZONES },
		{ "check-dns", no_argument, NULL, OPT_CHECK_DNS },
		{ "dns-records", no_argument, NULL, OPT_DNS_RECORDS },
		{ "check-mail", no_argument, NULL, OPT_CHECK_MAIL },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "domain", required_argument, NULL, OPT_DOMAIN },
		{ "selector", required_argument, NULL, OPT_SELECTOR },
		{ "rollback-unconfirmed", required_argument, NULL,
		    OPT_ROLLBACK_UNCONFIRMED },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "rollback-expired", no_argument, NULL, OPT_EXPIRED },
		{ "list-steps", no_argument, NULL, OPT_LIST_STEPS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, modes;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o->root = optarg; break;
		case 'p': o->plain = true; break;
		case 'o': o->only = optarg; break;
		case 'a': o->apply = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'j': o->json = true; break;
		case 'A': o->audit = true; break;
		case 'R': o->rollback = true; break;
		case 'H': o->history = true; break;
		case 'c': o->confirm = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_CHECK_QUEUE: o->check_queue = true; break;
		case OPT_THRESHOLD: {
			char *end;

			o->threshold = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    o->threshold < 0) {
				errmsg(_("--threshold '%s': a number of "
				    "messages"), optarg);
				return -1;
			}
			o->threshold_set = true;
			break;
		}
		case OPT_SYSLOG: o->syslog = true; break;
		case OPT_CHECK_DNSBL: o->check_dnsbl = true; break;
		case OPT_SERVER: o->server = optarg; break;
		case OPT_ZONES: o->zones = optarg; break;
		case OPT_CHECK_DNS: o->check_dns = true; break;
		case OPT_DNS_RECORDS: o->dns_records = true; break;
		case OPT_CHECK_MAIL: o->check_mail = true; break;
		case OPT_SINCE: o->since = optarg; break;
		case OPT_DOMAIN: o->domain = optarg; break;
		case OPT_SELECTOR: o->selector = optarg; break;
		case OPT_ROLLBACK_UNCONFIRMED: o->unconfirmed_id = optarg;
			break;
		case OPT_EXPIRED: o->expired = true; break;
		case OPT_AFTER: o->after = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case OPT_LIST_STEPS: list_steps(); exit(EXIT_OK);
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("hardenwiz %s\n", HW_VERSION); exit(EXIT_OK);
		default: usage(stderr); return -1;
		}
	}
	/* "--rollback ID": the id is the one operand allowed. */
	if (o->rollback && optind < argc)
		o->rollback_id = argv[optind++];
	/* "--check-dnsbl IP ...", "--check-dns IP ...": the addresses. */
	if (o->check_dnsbl || o->check_dns || o->dns_records) {
		o->ips = argv + optind;
		o->nips = (size_t)(argc - optind);
		optind = argc;
	}
	if (optind < argc) {
		errmsg(_("unexpected argument '%s'"), argv[optind]);
		usage(stderr);
		return -1;
	}
	modes = (o->apply != NULL) + o->audit + o->rollback + o->history +
	    o->confirm + (o->unconfirmed_id != NULL) + o->check_queue +
	    o->expired + o->check_dnsbl + o->check_dns + o->dns_records +
	    o->check_mail;
	if (modes > 1) {
		errmsg("%s", _("choose one of --apply, --audit, --rollback, "
		    "--history, --confirm, --rollback-expired, --check-queue, "
		    "--check-dnsbl, --check-dns, --dns-records, --check-mail"));
		return -1;
	}
	if (o->threshold_set && !o->check_queue && !o->check_mail) {
		errmsg("%s", _("--threshold goes with --check-queue or "
		    "--check-mail"));
		return -1;
	}
	if (o->syslog && !o->check_queue && !o->check_dnsbl &&
	    !o->check_mail) {
		errmsg("%s", _("--syslog goes with --check-queue, "
		    "--check-dnsbl or --check-mail"));
		return -1;
	}
	if (o->server != NULL && !o->check_dnsbl && !o->check_dns &&
	    !o->dns_records) {
		errmsg("%s", _("--server goes with --check-dnsbl, --check-dns "
		    "or --dns-records"));
		return -1;
	}
	if (o->zones != NULL && !o->check_dnsbl) {
		errmsg("%s", _("--zones goes with --check-dnsbl"));
		return -1;
	}
	if (o->since != NULL && !o->check_mail) {
		errmsg("%s", _("--since goes with --check-mail"));
		return -1;
	}
	if (o->selector != NULL && !o->check_dns) {
		errmsg("%s", _("--selector goes with --check-dns"));
		return -1;
	}
	if (o->domain != NULL && !o->check_dns && !o->dns_records) {
		errmsg("%s", _("--domain goes with --check-dns or "
		    "--dns-records"));
		return -1;
	}
	if (o->dry_run && o->apply == NULL) {
		errmsg("%s", _("--dry-run goes with --apply FILE"));
		return -1;
	}
	if (o->json && modes == 0) {
		errmsg("%s", _("--json goes with --apply, --audit or "
		    "--history; the wizard is interactive"));
		return -1;
	}
	if (o->force && !o->rollback) {
		errmsg("%s", _("--force goes with --rollback"));
		return -1;
	}
	return 0;
}

static int
resolve_root(struct options *o, char **owned)
{
	struct stat st;

	if (o->root == NULL)
		o->root = "/";
	*owned = realpath(o->root, NULL);
	if (*owned == NULL || stat(*owned, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errmsg(_("--root '%s': %s"), o->root, *owned == NULL ?
		    strerror(errno) : _("not a directory"));
		return -1;
	}
	o->root = *owned;
	return 0;
}

static void
print_result(const struct apply_result *res)
{
	for (size_t i = 0; i < res->log.n; i++)
		errmsg("%s", res->log.v[i]);
	for (size_t i = 0; i < res->warnings.n; i++)
		errmsg("%s: %s", _("warning"), res->warnings.v[i]);
}

/* The steps of the recipe, in table order, restricted by --only. */
static int
recipe_steps(const struct options *o, const struct recipe *r,
    const struct step ***steps, const struct settings ***settings,
    size_t *n, char **cause)
{
	const struct step **all;
	size_t nall;

	if (steps_select(o->only, &all, &nall, cause) != 0)
		return -1;
	*steps = xcalloc(nall, sizeof **steps);
	*settings = xcalloc(nall, sizeof **settings);
	*n = 0;
	for (size_t i = 0; i < nall; i++) {
		const struct recipe_section *sec = recipe_section(r,
		    all[i]->id);

		if (sec == NULL)
			continue;
		(*steps)[*n] = all[i];
		(*settings)[*n] = &sec->settings;
		(*n)++;
	}
	free(all);
	return 0;
}

/* --apply's gauge: a line on standard error at each tenth, and each wait. */
static void
say_progress(void *arg, int percent, const char *what)
{
	if (!progress_tenth(arg, percent))
		return;
	if (percent >= 0)
		fprintf(stderr, "hardenwiz: %3d%% %s\n", percent, what);
	else
		fprintf(stderr, "hardenwiz: %s\n", what);
}

/*
 * The steps' work before planning (an upgrade): done, or only said in a
 * dry run; each line printed as it is in the preview, "# " first.
 */
static int
apply_before(const struct options *o, const struct step *const *steps,
    const struct settings *const *settings, size_t n, struct strv *before,
    char **cause)
{
	int last = -1;
	struct progress pr = { say_progress, &last };

	if (before_steps(o->root, steps, settings, n, o->dry_run, &pr, before,
	    cause) != 0)
		return -1;
	for (size_t i = 0; !o->json && i < before->n; i++)
		printf("# %s\n", before->v[i]);
	fflush(stdout);
	return 0;
}

static int
mode_apply(const struct options *o)
{
	const char *mode = o->dry_run ? "dry-run" : "apply";
	struct recipe r;
	struct plan p;
	struct apply_result res;
	const struct step **steps = NULL;
	const struct settings **settings = NULL;
	size_t n = 0;
	char *cause = NULL;
	int code = EXIT_OK;
	enum apply_status st;
	unsigned int timeout;
	int planned;
	struct strv before;

	strv_init(&before);
	recipe_init(&r);
	plan_init(&p, o->root);
	apply_result_init(&res);
	/* Checked again under the lock; here it is said before planning. */
	if (txn_refuse_interrupted(o->root, &cause) != 0) {
		if (!o->dry_run) {
			code = fail(o, mode, EXIT_RUNTIME, cause);
			goto out;
		}
		errmsg("%s: %s", _("warning"), cause);
		free(cause);
		cause = NULL;
	}
	if (recipe_load(o->apply, strcmp(o->root, "/") == 0, &r, &cause) != 0 ||
	    recipe_steps(o, &r, &steps, &settings, &n, &cause) != 0) {
		code = fail(o, mode, EXIT_USAGE, cause);
		goto out;
	}
	if (apply_before(o, steps, settings, n, &before, &cause) != 0) {
		code = fail(o, mode, EXIT_RUNTIME, cause);
		goto out;
	}
	if ((planned = plan_steps(o->root, steps, settings, n, &p,
	    &cause)) != 0) {
		code = fail(o, mode, planned == PLAN_REFUSED ? EXIT_INVALID :
		    EXIT_RUNTIME, cause);
		goto out;
	}
	if (p.refusal != NULL) {
		code = fail(o, mode, EXIT_GUARD, p.refusal);
		goto out;
	}
	/* The longest dead-man timer any STEP_CONFIRM step asks for. */
	timeout = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned int t = step_confirm_timeout(steps[i], settings[i]);

		timeout = t > timeout ? t : timeout;
	}
	if (o->dry_run) {
		struct apply_opts ao = { .dry_run = true };

		st = apply_plan(&p, &ao, &res, &cause);
	} else
		st = txn_apply(&p, timeout, o->self, NULL, &res, &cause);
	if (!o->json) {
		print_plan(stdout, &p);
		if (plan_is_empty(&p))
			printf("# %s\n", _("nothing to change"));
		else if (o->dry_run && st == APPLY_OK)
			printf("# %s\n", _("dry run: nothing was changed"));
		fflush(stdout);
	}
	print_result(&res);
	if (st != APPLY_OK) {
		code = fail(o, mode, (int)st, cause);
		goto out;
	}
	if (o->json) {
		json_t *doc = json_doc(o, mode);

		json_object_set_new(doc, "changed", json_boolean(!o->dry_run &&
		    !plan_is_empty(&p)));
		if (res.id != NULL)
			json_object_set_new(doc, "transaction",
			    json_string(res.id));
		if (res.pending)
			json_object_set_new(doc, "pending", json_true());
		if (before.n > 0) {
			json_t *lines = json_array();

			for (size_t i = 0; i < before.n; i++)
				json_array_append_new(lines,
				    json_string(before.v[i]));
			json_object_set_new(doc, "before", lines);
		}
		json_plan_steps(doc, &p, steps, n, !o->dry_run);
		json_print(doc);
		json_decref(doc);
	}
	if (res.id != NULL) {
		fprintf(stderr, _("hardenwiz: applied as transaction %s; undo "
		    "with: hardenwiz%s%s --rollback %s\n"), res.id,
		    strcmp(o->root, "/") ? " --root " : "",
		    strcmp(o->root, "/") ? o->root : "", res.id);
		if (res.pending)
			fprintf(stderr, _("hardenwiz: log in from a NEW "
			    "terminal now, then run 'hardenwiz --confirm' "
			    "within %u seconds, or this change is rolled "
			    "back\n"), timeout);
	}
out:
	free(cause);
	free(steps);
	free(settings);
	strv_release(&before);
	apply_result_release(&res);
	plan_release(&p);
	recipe_release(&r);
	return code;
}

static int
mode_audit(const struct options *o)
{
	const struct step **steps = NULL;
	struct audit *audits;
	size_t n = 0;
	char *cause = NULL, *interrupted = NULL;
	int code = EXIT_OK;

	if (steps_select(o->only, &steps, &n, &cause) != 0) {
		code = fail(o, "audit", EXIT_USAGE, cause);
		free(cause);
		return code;
	}
	audits = xcalloc(n, sizeof *audits);
	for (size_t i = 0; i < n; i++)
		audit_init(&audits[i]);
	/* A half-applied tree is the first thing to know about it: exit 1. */
	if (txn_refuse_interrupted(o->root, &interrupted) != 0)
		code = EXIT_RUNTIME;
	audit_steps(o->root, steps, n, true, audits);
	/* A step that could not be audited: the report is incomplete. */
	for (size_t i = 0; i < n; i++) {
		if (audits[i].state == STATE_ERROR)
			code = EXIT_RUNTIME;
	}
	if (o->json) {
		json_t *doc = json_doc(o, "audit");
		json_t *arr = json_object_get(doc, "steps");

		if (interrupted != NULL)
			json_errors(doc, interrupted);
		for (size_t i = 0; i < n; i++) {
			json_t *s = json_object(), *f = json_array();

			for (size_t k = 0; k < audits[i].nfindings; k++) {
				json_t *e = json_object();

				json_object_set_new(e, "key", json_string(
				    audits[i].findings[k].key));
				json_object_set_new(e, "current", json_string(
				    audits[i].findings[k].current));
				json_object_set_new(e, "wanted", json_string(
				    audits[i].findings[k].wanted));
				json_array_append_new(f, e);
			}
			if (audits[i].state == STATE_ERROR) {
				char *m = xasprintf("[%s] %s", steps[i]->id,
				    audits[i].notes.n > 0 ? audits[i].notes.v[0]
				    : _("audit failed"));

				json_errors(doc, m);
				free(m);
			}
			json_object_set_new(s, "id", json_string(steps[i]->id));
			json_object_set_new(s, "state", json_string(
			    step_state_name(audits[i].state)));
			json_object_set_new(s, "findings", f);
			/* The same facts as the text audit's "note:" lines. */
			json_object_set_new(s, "notes", strv_json(
			    &audits[i].notes));
			json_object_set_new(s, "files", json_array());
			json_object_set_new(s, "commands", json_array());
			json_array_append_new(arr, s);
		}
		json_print(doc);
		json_decref(doc);
	} else {
		if (interrupted != NULL)
			printf("%s: %s\n\n", _("WARNING"), interrupted);
		print_audit(stdout, steps, audits, n);
	}
	for (size_t i = 0; i < n; i++)
		audit_release(&audits[i]);
	free(interrupted);
	free(audits);
	free(steps);
	free(cause);
	return code;
}

static int
mode_rollback(const struct options *o)
{
	struct strv warnings;
	char *cause = NULL, *rolled = NULL;
	int code = EXIT_OK;

	strv_init(&warnings);
	if (txn_rollback(o->root, o->rollback_id, o->force, false, false, &rolled,
	    &warnings, &cause) != 0)
		code = fail(o, "rollback", EXIT_RUNTIME, cause);
	else
		fprintf(stderr, _("hardenwiz: rolled back transaction %s\n"),
		    rolled);
	for (size_t i = 0; i < warnings.n; i++)
		errmsg("%s: %s", _("warning"), warnings.v[i]);
	if (warnings.n > 0 && code == EXIT_OK)
		code = EXIT_RUNTIME;
	strv_release(&warnings);
	free(rolled);
	free(cause);
	return code;
}

/*
 * The dead-man timer: roll back unless confirmed in time. Every outcome
 * goes to syslog: nobody watches this process.
 */
static int
mode_unconfirmed(const struct options *o)
{
	struct strv warnings;
	char *cause = NULL, *rolled = NULL;
	int r;

	sleep(o->after);
	strv_init(&warnings);
	r = txn_rollback(o->root, o->unconfirmed_id, true, true, true,
	    &rolled, &warnings, &cause);
	if (r == 0 && rolled != NULL)
		deadman_log("transaction %s was not confirmed in time: rolled "
		    "back", rolled);
	else if (r != 0)
		deadman_log("transaction %s was not confirmed in time: %s",
		    o->unconfirmed_id, cause);
	for (size_t i = 0; i < warnings.n; i++)
		deadman_log("%s", warnings.v[i]);
	strv_release(&warnings);
	free(rolled);
	free(cause);
	return r == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* At boot, and by hand: what passed its deadline is rolled back now. */
static int
mode_expired(const struct options *o)
{
	char *cause = NULL;
	int code = EXIT_OK;

	if (txn_expire(o->root, &cause) != 0)
		code = fail(o, "rollback", EXIT_RUNTIME, cause);
	free(cause);
	return code;
}

static int
mode_confirm(const struct options *o)
{
	char *cause = NULL;
	int count = 0, code = EXIT_OK;

	if (txn_confirm(o->root, &count, &cause) != 0)
		code = fail(o, "confirm", EXIT_RUNTIME, cause);
	else if (count == 0)
		fprintf(stderr, "%s\n", _("hardenwiz: no pending transaction "
		    "to confirm"));
	else
		fprintf(stderr, _("hardenwiz: kept %d pending "
		    "transaction(s)\n"), count);
	free(cause);
	return code;
}

/* A pending transaction's deadline, as the journal's times are written. */
static void
print_deadline(const json_t *deadline)
{
	time_t t;
	struct tm tm;
	char stamp[32];

	if (!json_is_integer(deadline))
		return;
	t = (time_t)json_integer_value(deadline);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf(" (%s %s %s)", _("rolled back at"), stamp,
	    _("unless 'hardenwiz --confirm' runs first"));
}

static int
mode_history(const struct options *o)
{
	json_t *list = NULL;
	char *cause = NULL;
	size_t i;
	json_t *e;

	if (journal_history(o->root, &list, &cause) != 0) {
		int code = fail(o, "history", EXIT_RUNTIME, cause);

		free(cause);
		return code;
	}
	if (o->json) {
		json_t *doc = json_doc(o, "history");

		json_object_set(doc, "transactions", list);
		json_print(doc);
		json_decref(doc);
	} else if (json_array_size(list) == 0)
		printf("%s\n", _("no transactions yet"));
	else {
		char *id = tw_pad(_("ID"), 20), *state = tw_pad(_("STATE"), 19),
		    *time = tw_pad(_("TIME"), 20);

		printf("%s %s %s %s\n", id, state, time, _("STEPS / FILES"));
		free(id);
		free(state);
		free(time);
		json_array_foreach(list, i, e) {
			json_t *s = json_object_get(e, "steps"), *f =
			    json_object_get(e, "files"), *v;
			size_t k;

			printf("%-20s %-19s %-20s",
			    json_string_value(json_object_get(e, "id")),
			    json_string_value(json_object_get(e, "state")),
			    json_string_value(json_object_get(e, "time")));
			json_array_foreach(s, k, v)
				printf(" [%s]", json_string_value(v));
			json_array_foreach(f, k, v)
				printf(" %s", json_string_value(v));
			print_deadline(json_object_get(e, "confirm_deadline"));
			putchar('\n');
		}
	}
	json_decref(list);
	return EXIT_OK;
}

/* The locale gettext reads: LC_ALL, else LC_MESSAGES, else LANG; or NULL. */
static const char *
messages_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < nitems(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return v;
	}
	return NULL;
}

/*
 * The language: LANGUAGE, else the messages locale. A fresh VPS often has
 * no zh_CN.UTF-8 locale while the admin's ssh client sends
 * LANG=zh_CN.UTF-8: the locale then falls back to C.UTF-8 (UTF-8, so CJK
 * keeps its width) and the language asked for is still spoken, through
 * LANGUAGE. Hong Kong and Macau read the traditional characters of zh_TW,
 * Singapore the simplified ones of zh_CN.
 */
static void
i18n_language(bool have_locale)
{
	static const struct { const char *from, *to; } alias[] = {
		{ "zh", "zh_CN" }, { "zh_HK", "zh_HK:zh_TW" },
		{ "zh_MO", "zh_MO:zh_TW" }, { "zh_SG", "zh_SG:zh_CN" },
	};
	const char *v = getenv("LANGUAGE");
	char lang[32];
	size_t n;

	if (v != NULL && *v != '\0')
		return;
	v = messages_locale();
	if (v == NULL || (n = strcspn(v, ".@")) == 0 || n >= sizeof lang ||
	    strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0)
		return;
	memcpy(lang, v, n);
	lang[n] = '\0';
	for (size_t i = 0; i < nitems(alias); i++)
		if (strcmp(lang, alias[i].from) == 0) {
			(void)setenv("LANGUAGE", alias[i].to, 1);
			return;
		}
	if (!have_locale)
		(void)setenv("LANGUAGE", lang, 1);
}

/*
 * The messages locale asked for, NAME, is not installed and the locale is
 * C.UTF-8. Up to glibc 2.38 LANGUAGE was then enough; since 2.39
 * (sourceware bug 16621; Debian 13) gettext treats C.UTF-8 like C and
 * ignores LANGUAGE, and the admin would read English. So the messages
 * category takes the name NAME with C.UTF-8's data: for this one
 * setlocale, LOCPATH is a scratch directory where NAME links to
 * C.UTF-8's files. When any of that fails, messages stay as they are.
 */
static void
messages_as(const char *name)
{
	static const char *const cutf8[] = { "/usr/lib/locale/C.utf8",
	    "/usr/lib/locale/C.UTF-8" };
	const char *was = getenv("LOCPATH");
	char *saved = was != NULL ? xstrdup(was) : NULL, *dir, *link;
	size_t i;

	/* A file name in our directory, nothing that could leave it. */
	if (name == NULL || name[0] == '.' || strlen(name) > 64 ||
	    name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789_.@-")] != '\0' ||
	    (dir = fs_scratch_dir("locale", NULL)) == NULL) {
		free(saved);
		return;
	}
	link = xasprintf("%s/%s", dir, name);
	for (i = 0; i < nitems(cutf8); i++)
		if (symlink(cutf8[i], link) == 0 &&
		    setenv("LOCPATH", dir, 1) == 0 &&
		    setlocale(LC_MESSAGES, name) != NULL)
			break;
		else
			(void)unlink(link);
	if (saved != NULL)
		(void)setenv("LOCPATH", saved, 1);
	else
		(void)unsetenv("LOCPATH");
	fs_remove_tree(dir);
	free(link);
	free(dir);
	free(saved);
}

/*
 * The build tree carries its translations beside the binary (make demo,
 * the tests run in the user's language); an installed binary has no
 * locale/ beside it and reads HW_LOCALEDIR.
 */
static void
i18n_start(const char *self)
{
	const char *slash = self != NULL ? strrchr(self, '/') : NULL;
	char *dir = NULL;
	struct stat st;

	bool have_locale = setlocale(LC_ALL, "") != NULL;

	if (!have_locale) {
		(void)setlocale(LC_ALL, "C.UTF-8");
		messages_as(messages_locale());
	}
	i18n_language(have_locale);
	if (slash != NULL)
		dir = xasprintf("%.*s/locale", (int)(slash - self), self);
	bindtextdomain("hardenwiz", dir != NULL && stat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) ? dir : HW_LOCALEDIR);
	textdomain("hardenwiz");
	free(dir);
}

int
main(int argc, char **argv)
{
	struct options o;
	char *root = NULL, *self;
	int code;

	self = realpath("/proc/self/exe", NULL);
	i18n_start(self);
	umask(022);
	fs_scratch_on_signals();
	(void)fs_scratch_sweep();
	memset(&o, 0, sizeof o);
	o.self = self;
	if (parse_args(argc, argv, &o) != 0) {
		free(self);
		return EXIT_USAGE;
	}
	if (resolve_root(&o, &root) != 0) {
		free(self);
		return EXIT_USAGE;
	}
	if (geteuid() != 0 && strcmp(o.root, "/") == 0 && !o.history &&
	    !o.audit && !o.dry_run && !o.check_queue && !o.check_dnsbl &&
	    !o.check_dns && !o.dns_records && !o.check_mail) {
		errmsg("%s", _("changing this system needs root; run with "
		    "sudo, or try it on a copy with --root DIR"));
		free(root);
		free(self);
		return EXIT_USAGE;
	}
	if (o.check_queue)
		code = check_queue_main(&o);
	else if (o.check_dnsbl)
		code = check_dnsbl_main(&o);
	else if (o.check_dns)
		code = check_dns_main(&o);
	else if (o.dns_records)
		code = dns_records_main(&o);
	else if (o.check_mail)
		code = check_mail_main(&o);
	else if (o.apply != NULL)
		code = mode_apply(&o);
	else if (o.audit)
		code = mode_audit(&o);
	else if (o.rollback)
		code = mode_rollback(&o);
	else if (o.history)
		code = mode_history(&o);
	else if (o.confirm)
		code = mode_confirm(&o);
	else if (o.expired)
		code = mode_expired(&o);
	else if (o.unconfirmed_id != NULL)
		code = mode_unconfirmed(&o);
	else
		code = wizard_main(&o);
	free(root);
	free(self);
	return code;
}
