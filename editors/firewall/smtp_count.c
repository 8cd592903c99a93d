/*
 * firewall/smtp_count.c -- counting, per local user, the connections out
 * to port 25 that the outbound block rejects. See smtp_count.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall/smtp_count.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "sysinfo.h"

#define UNIT_PATH	"/etc/systemd/system/" SMTP_COUNT_UNIT
#define TABLE		"hardenwiz"
#define SET		"smtp_out"

static const struct expect_kind smtp_count_loaded = { &nft_checker, true,
	false };

bool
smtp_count_installed(const char *root)
{
	return fs_exists(root, SMTP_COUNT_FILE);
}

/* Where ROOT has nft, or NULL. */
static const char *
nft_path(const char *root)
{
	if (fs_exists(root, "/usr/sbin/nft"))
		return "/usr/sbin/nft";
	if (fs_exists(root, "/sbin/nft"))
		return "/sbin/nft";
	return NULL;
}

/*
 * "table; delete table; table {...}" replaces the table in one
 * transaction whether it was there or not, so loading is idempotent. A
 * SYN without ACK is one connection attempt: the block answers it with a
 * reset, so it is never sent twice. The set keeps a uid until it has
 * been silent for SMTP_COUNT_DAYS days; its counter starts again then.
 */
static char *
table_text(long mta_uid)
{
	char *mta = mta_uid >= 0 ? xasprintf("\t\tmeta skuid %ld return\t"
	    "# the MTA: the block lets it through\n", mta_uid) :
	    xstrdup("");
	char *text = xasprintf("# Written by hardenwiz (firewall): counts, "
	    "per local user, the connections\n# out to port 25 that the "
	    "firewall's outbound block rejects, for\n# \"hardenwiz "
	    "--check-mail\". It only counts; ufw or firewalld rejects.\n"
	    "# Loaded by %s. Remove both to stop counting.\n"
	    "table inet " TABLE "\n"
	    "delete table inet " TABLE "\n"
	    "table inet " TABLE " {\n"
	    "\tset " SET " {\n"
	    "\t\ttype uid\n"
	    "\t\tsize 4096\n"
	    "\t\tflags dynamic,timeout\n"
	    "\t\ttimeout %dd\n"
	    "\t}\n"
	    "\tchain output {\n"
	    "\t\ttype filter hook output priority -1; policy accept;\n"
	    "\t\toifname \"lo\" return\n"
	    "%s"
	    "\t\ttcp dport 25 tcp flags & (syn | ack) == syn "
	    "update @" SET " { meta skuid counter }\n"
	    "\t}\n"
	    "}\n", SMTP_COUNT_UNIT, SMTP_COUNT_DAYS, mta);

	free(mta);
	return text;
}

/*
 * PartOf and ReloadPropagatedFrom: nftables.service's stop and reload
 * flush every table, so this one is loaded again after them.
 */
static char *
unit_text(const char *nft)
{
	return xasprintf("# Written by hardenwiz (firewall).\n"
	    "[Unit]\n"
	    "Description=hardenwiz: count local users' connections out to "
	    "port 25\n"
	    "Documentation=man:hardenwiz(8)\n"
	    "After=nftables.service\n"
	    "PartOf=nftables.service\n"
	    "ReloadPropagatedFrom=nftables.service\n\n"
	    "[Service]\n"
	    "Type=oneshot\n"
	    "RemainAfterExit=yes\n"
	    "ExecStart=%s -f " SMTP_COUNT_FILE "\n"
	    "ExecReload=%s -f " SMTP_COUNT_FILE "\n"
	    "ExecStop=-%s delete table inet " TABLE "\n\n"
	    "[Install]\n"
	    "WantedBy=multi-user.target\n", nft, nft, nft);
}

/* A live kernel without nf_tables (an OpenVZ container) cannot count. */
static bool
kernel_has_nftables(char **why)
{
	char *argv[] = { "nft", "list", "tables", NULL };

	return run_checked(argv, NULL, NULL, why) == 0;
}

/*
 * Loaded now by nft itself. Its inverse removes the table: a rollback
 * removes the unit's file before it runs "systemctl disable --now"
 * (files first), and systemd stops a unit whose file is gone without
 * running its ExecStop.
 */
static void
plan_load(struct plan *p, const char *step, const char *nft)
{
	char *load[] = { (char *)nft, "-f", SMTP_COUNT_FILE, NULL };
	char *unload[] = { (char *)nft, "delete", "table", "inet", TABLE,
	    NULL };

	plan_command(p, step, load, unload, _("start counting outgoing SMTP "
	    "per user"));
}

static void
plan_start(struct plan *p, const char *step, bool was_installed,
    const char *nft)
{
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	char *enable[] = { "systemctl", "enable", "--now", SMTP_COUNT_UNIT,
	    NULL };
	char *disable[] = { "systemctl", "disable", "--now", SMTP_COUNT_UNIT,
	    NULL };
	char *again[] = { "systemctl", "try-restart", SMTP_COUNT_UNIT, NULL };

	plan_command(p, step, reload, reload, _("systemd reads the new "
	    "unit"));
	plan_load(p, step, nft);
	if (!was_installed)
		plan_command(p, step, enable, disable, _("load it at every "
		    "boot"));
	/* After a rollback: systemd forgets, or loads the old table. */
	plan_resync(p, reload);
	if (was_installed)
		plan_resync(p, again);
}

int
smtp_count_plan(struct plan *p, const char *step, long mta_uid,
    char **cause)
{
	const char *nft = nft_path(p->root);
	bool was = smtp_count_installed(p->root), systemd;
	size_t before = p->nchanges;
	char *table, *unit, *why = NULL;
	int r;

	if (nft == NULL) {
		plan_note(p, "%s", _("nft is not installed: outgoing SMTP is "
		    "blocked, but who tried is not counted (install nftables "
		    "and run the firewall step again)"));
		return 0;
	}
	if (!p->offline && !kernel_has_nftables(&why)) {
		plan_note(p, _("this kernel has no nftables (%s): outgoing "
		    "SMTP is blocked, but who tried is not counted"), why);
		free(why);
		return 0;
	}
	systemd = p->offline || systemd_running(p->root);
	table = table_text(mta_uid);
	unit = unit_text(nft);
	plan_parents(p, step, SMTP_COUNT_FILE);
	r = plan_file(p, step, SMTP_COUNT_FILE, table, strlen(table), 0644,
	    0, 0, &nft_checker, cause);
	if (r == 0 && systemd)
		r = plan_file(p, step, UNIT_PATH, unit, strlen(unit), 0644, 0,
		    0, NULL, cause);
	if (r == 0 && p->nchanges > before && systemd)
		plan_start(p, step, was, nft);
	else if (r == 0 && p->nchanges > before) {
		/* A container's own init: loaded now, and not at boot. */
		plan_load(p, step, nft);
		plan_note(p, _("systemd does not run here: the table that "
		    "counts outgoing SMTP per user is loaded now, not at boot "
		    "(load it with nft -f %s)"), SMTP_COUNT_FILE);
	}
	if (r == 0)
		plan_expect(p, step, &smtp_count_loaded, "inet " TABLE " "
		    SET, _("outgoing SMTP counted per user"), "yes", NULL,
		    NULL);
	free(table);
	free(unit);
	return r;
}

/* ---- reading ---- */

static int
by_attempts(const void *a, const void *b)
{
	const struct smtp_try *x = a, *y = b;

	if (x->attempts != y->attempts)
		return x->attempts < y->attempts ? 1 : -1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* One element of the set: {"elem": {"val", "expires", "counter"}}. */
static void
parse_elem(json_t *e, json_int_t timeout, time_t now, struct smtp_tries *t)
{
	json_t *o = json_object_get(e, "elem"), *val, *c;
	json_int_t expires, to;
	struct smtp_try *s;

	if (!json_is_object(o))
		return;		/* no counter, nothing to tell */
	val = json_object_get(o, "val");
	c = json_object_get(json_object_get(o, "counter"), "packets");
	if (!json_is_integer(val) || !json_is_integer(c))
		return;
	to = json_is_integer(json_object_get(o, "timeout")) ?
	    json_integer_value(json_object_get(o, "timeout")) : timeout;
	expires = json_integer_value(json_object_get(o, "expires"));
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	s = &t->v[t->n++];
	s->uid = (long)json_integer_value(val);
	s->attempts = (unsigned long long)json_integer_value(c);
	/* The timeout restarts at each attempt: what is left dates it. */
	s->last = expires > 0 && expires <= to ? now - (time_t)(to - expires) :
	    now;
}

int
smtp_count_parse(const char *text, time_t now, struct smtp_tries *t,
    char **cause)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err), *items, *it;
	size_t i;

	t->loaded = false;
	items = json_object_get(doc, "nftables");
	if (!json_is_array(items)) {
		json_decref(doc);
		return set_cause(cause, _("nft printed no set in JSON: %s"),
		    doc == NULL ? err.text : _("no \"nftables\" list"));
	}
	json_array_foreach(items, i, it) {
		json_t *set = json_object_get(it, "set"), *elems, *e;
		json_int_t timeout = SMTP_COUNT_DAYS * 86400;
		size_t k;

		if (!json_is_object(set))
			continue;
		t->loaded = true;
		if (json_is_integer(json_object_get(set, "timeout")))
			timeout = json_integer_value(json_object_get(set,
			    "timeout"));
		elems = json_object_get(set, "elem");
		json_array_foreach(elems, k, e)
			parse_elem(e, timeout, now, t);
	}
	json_decref(doc);
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, by_attempts);
	return 0;
}

int
smtp_count_read(struct smtp_tries *t, char **cause)
{
	char *argv[] = { "nft", "-j", "list", "set", "inet", TABLE, SET,
	    NULL };
	struct buf out, err;
	struct run_opts ro = { .err = &err, .timeout = 30 };
	int status = 0, r;

	memset(t, 0, sizeof *t);
	buf_init(&out);
	buf_init(&err);
	r = run_argv(argv, &ro, &out, &status, cause);
	if (r == 0 && status == 0)
		r = smtp_count_parse(buf_str(&out), time(NULL), t, cause);
	else if (r == 0 && strstr(buf_str(&err), "No such file") == NULL)
		r = set_cause(cause, _("'nft list set inet %s %s' failed: %s"),
		    TABLE, SET, trim(buf_str(&err)));
	buf_release(&out);
	buf_release(&err);
	return r;
}

void
smtp_tries_release(struct smtp_tries *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- checker ---- */

/* nft -c: the candidate (or the written file) loads in this kernel. */
static int
check_file(struct plan *p, char **cause)
{
	char *argv[] = { "nft", "-c", "-f", "-", NULL };
	char *text = NULL;
	size_t len = 0;
	bool exists = false;
	struct run_opts ro = { 0 };
	struct buf out;
	int status = 0, r;

	if (plan_text_after(p, SMTP_COUNT_FILE, &text, &len, &exists,
	    cause) != 0)
		return CHECK_FAILED;
	if (!exists) {
		free(text);
		return CHECK_OK;	/* a rollback removed it */
	}
	ro.input = text;
	ro.input_len = len;
	buf_init(&out);
	r = run_argv(argv, &ro, &out, &status, cause);
	if (r != 0)
		r = CHECK_FAILED;
	else if (status != 0) {
		set_cause(cause, _("nft rejects %s: %s"), SMTP_COUNT_FILE,
		    trim(buf_str(&out)));
		r = CHECK_REJECTED;
	}
	buf_release(&out);
	free(text);
	return r;
}

static int
nft_check(struct plan *p, bool candidates, char **cause)
{
	char *tool = run_which("nft");
	struct smtp_tries t;
	int r;

	free(tool);
	if (tool == NULL)
		return checker_without_tool(p, candidates, false, "nft",
		    SMTP_COUNT_FILE, cause);
	if ((r = check_file(p, cause)) != CHECK_OK || candidates ||
	    p->offline)
		return r;
	for (size_t i = 0; i < p->nexpect; i++) {
		if (p->expect[i].kind != &smtp_count_loaded)
			continue;
		if (smtp_count_read(&t, cause) != 0)
			return CHECK_FAILED;
		smtp_tries_release(&t);
		if (!t.loaded) {
			set_cause(cause, _("the counting table is not loaded "
			    "after %s started (see journalctl -u %s)"),
			    SMTP_COUNT_UNIT, SMTP_COUNT_UNIT);
			return CHECK_REJECTED;
		}
	}
	return CHECK_OK;
}

const struct checker nft_checker = { "nft", nft_check };
