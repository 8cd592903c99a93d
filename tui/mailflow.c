/*
 * mailflow.c -- the wizard's "Mail health" view: --check-mail's report of
 * the last hour, and for each login, sender or client that looks like
 * abuse, the remedies an admin reaches for first. Each remedy is a plan,
 * shown, checked and applied as one transaction, so each can be rolled
 * back from "History and rollback":
 *
 *   hold its queued mail   postsuper -h ID ... (undo: postsuper -H ID ...)
 *   lock the login         usermod -L USER     (undo: usermod -U USER)
 *   block its addresses    the postfix-blocklist step's client map
 *   block the sender       the postfix-blocklist step's sender map
 *
 * Holding and locking run commands, so they are offered on the live
 * system only; blocking edits files and works under --root too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "hardenwiz.h"
#include "i18n.h"
#include "mailreport.h"
#include "postfix/postqueue.h"
#include "step.h"

#define MAX_HOLD	1000	/* queue ids on one postsuper command line */

enum who { WHO_LOGIN, WHO_SENDER, WHO_CLIENT };

/* The queued messages of the login or sender C, as the live queue has them. */
static void
queued_ids(const struct mail_report *r, const struct ml_count *c,
    enum who who, struct strv *ids)
{
	struct mailqueue q;
	struct strv logged;

	mailqueue_init(&q);
	strv_init(&logged);
	if (mailqueue_read("/", &q, NULL) == 0) {
		if (who == WHO_SENDER)	/* the queue's name for <> */
			mailqueue_ids_of(&q, strcmp(c->name, "<>") == 0 ?
			    "<> (bounces)" : c->name, NULL, ids);
		else {
			/* The log ties a message to its login; the queue
			   says which are still there. */
			maillog_queued_of(&r->m, c->name, &logged);
			for (size_t i = 0; i < q.n; i++)
				if (strv_contains(&logged, q.v[i].id))
					strv_add(ids, q.v[i].id);
		}
	}
	strv_release(&logged);
	mailqueue_release(&q);
}

static int
plan_hold(struct plan *p, const struct strv *ids, char **cause)
{
	size_t n = ids->n < MAX_HOLD ? ids->n : MAX_HOLD;
	char **hold = xcalloc(2 * n + 2, sizeof *hold);
	char **release = xcalloc(2 * n + 2, sizeof *release);

	if (n == 0) {
		free(hold);
		free(release);
		return set_cause(cause, _("none of its mail is in the queue "
		    "now"));
	}
	hold[0] = release[0] = "postsuper";
	for (size_t i = 0; i < n; i++) {
		hold[1 + 2 * i] = "-h";
		release[1 + 2 * i] = "-H";
		hold[2 + 2 * i] = release[2 + 2 * i] = ids->v[i];
	}
	plan_command(p, "mailqueue", hold, release, _("keep its queued mail "
	    "undelivered until released"));
	if (ids->n > n)
		plan_note(p, _("%zu more of its messages stay in the queue: "
		    "hold them from the Mail queue view"), ids->n - n);
	free(hold);
	free(release);
	return 0;
}

/* The session's own user (SUDO_USER, the terminal's login), or NULL. */
static bool
session_user(const char *user)
{
	const char *sudo = getenv("SUDO_USER"), *login = getlogin();

	return (sudo != NULL && strcmp(sudo, user) == 0) ||
	    (login != NULL && strcmp(login, user) == 0);
}

/*
 * The system account LOGIN authenticates as: the login itself, else its
 * local part ("bob@example.com": Dovecot's usual %n). NULL with *CAUSE
 * when there is none or it may not be locked.
 */
static const struct account *
lock_target(const struct mail_report *r, const char *login, char **cause)
{
	const struct account *a = accounts_find(&r->acc, login);
	char *local = xstrndup(login, strcspn(login, "@"));

	if (a == NULL)
		a = accounts_find(&r->acc, local);
	free(local);
	if (a == NULL)
		set_cause(cause, _("%s is not a system account: change its "
		    "password where the SASL passwords are kept (Dovecot's "
		    "passdb, sasldb)"), login);
	else if (a->uid == 0 || session_user(a->name))
		set_cause(cause, _("%s is root or the account of this session: "
		    "locking it could lock you out; change its password "
		    "instead"), a->name);
	else if (account_password_usable("/", a->name) != 1)
		set_cause(cause, _("%s has no usable password to lock (it is "
		    "already locked, or has none)"), a->name);
	else
		return a;
	return NULL;
}

static int
plan_lock(const struct mail_report *r, struct plan *p, const char *login,
    char **cause)
{
	const struct account *a = lock_target(r, login, cause);
	char *lock[] = { "usermod", "-L", NULL, NULL };
	char *unlock[] = { "usermod", "-U", NULL, NULL };

	if (a == NULL)
		return -1;
	lock[2] = unlock[2] = a->name;
	plan_command(p, "postfix-sasl", lock, unlock, _("its password stops "
	    "working (SSH keys still do)"));
	plan_note(p, _("when Dovecot or saslauthd checks passwords in a "
	    "passdb of their own (passwd-file, SQL), change it there too"));
	return 0;
}

/*
 * The addresses of SV worth blocking, space separated: not loopback,
 * where webmail and local programs submit from (blocking it before
 * permit_mynetworks would refuse all of them).
 */
static char *
blockable(const struct strv *sv)
{
	struct strv keep;
	char *s;

	strv_init(&keep);
	for (size_t i = 0; i < sv->n; i++)
		if (!str_has_prefix(sv->v[i], "127.") && strcmp(sv->v[i],
		    "::1") != 0 && !str_has_prefix(sv->v[i], "::ffff:127."))
			strv_add(&keep, sv->v[i]);
	s = strv_join(&keep, " ");
	strv_release(&keep);
	return s;
}

/* The postfix-blocklist step with CLIENTS or SENDERS added. */
static int
plan_block(const struct options *o, struct plan *p, const char *clients,
    const char *senders, char **cause)
{
	const struct step *s = step_find("postfix-blocklist");
	struct settings set;
	const struct settings *setp = &set;
	int r;

	settings_init(&set);
	settings_set(&set, "clients", clients);
	settings_set(&set, "senders", senders);
	/* Before permit_sasl_authenticated: a stolen login is the point. */
	settings_set(&set, "before_mynetworks", "yes");
	r = plan_steps(o->root, &s, &setp, 1, p, cause);
	settings_release(&set);
	return r;
}

/* Block the client C, or the client addresses of the login C. */
static int
plan_addresses(const struct options *o, struct plan *p,
    const struct ml_count *c, enum who who, char **cause)
{
	struct strv self;
	char *ips;
	int r;

	strv_init(&self);
	strv_add(&self, c->name);
	ips = blockable(who == WHO_CLIENT ? &self : &c->clients);
	if (ips[0] == '\0')
		r = set_cause(cause, _("its addresses are loopback: local "
		    "programs and webmail submit from there"));
	else
		r = plan_block(o, p, ips, "", cause);
	free(ips);
	strv_release(&self);
	return r;
}

/* Plan remedy CHOICE for C and review it. */
static void
remedy(const struct frontend *fe, const struct options *o,
    const struct mail_report *r, const struct ml_count *c, enum who who,
    int action)
{
	struct plan p;
	struct strv ids;
	char *cause = NULL;
	int rc;

	plan_init(&p, o->root);
	strv_init(&ids);
	switch (action) {
	case 'h':
		queued_ids(r, c, who, &ids);
		rc = plan_hold(&p, &ids, &cause);
		break;
	case 'l':
		rc = plan_lock(r, &p, c->name, &cause);
		break;
	case 'b':
		rc = who == WHO_SENDER ? plan_block(o, &p, "", c->name,
		    &cause) : plan_addresses(o, &p, c, who, &cause);
		break;
	default:
		rc = -1;
	}
	if (rc != 0)
		fe->message(_("Not possible"), cause);
	else
		(void)review_and_apply(fe, o, &p, _("Mail health"), 0);
	free(cause);
	strv_release(&ids);
	plan_release(&p);
}

/* What can be done about C; the remedies' keys into KEYS. */
static void
remedies(const struct options *o, const struct ml_count *c, enum who who,
    struct strv *items, char *keys)
{
	bool live = strcmp(o->root, "/") == 0;
	size_t n = 0;

	if (live && who != WHO_CLIENT) {
		strv_add(items, _("Hold its queued mail (postsuper -h)"));
		keys[n++] = 'h';
	}
	if (live && who == WHO_LOGIN) {
		strv_add(items, _("Lock the login (usermod -L)"));
		keys[n++] = 'l';
	}
	if (who == WHO_LOGIN && c->clients.n > 0) {
		strv_addf(items, _("Block its %zu client addresses in Postfix"),
		    c->clients.n);
		keys[n++] = 'b';
	} else if (who == WHO_CLIENT || (who == WHO_SENDER &&
	    strcmp(c->name, "<>") != 0)) {
		/* Never the null sender: that would refuse every bounce. */
		strv_add(items, who == WHO_CLIENT ? _("Block this address in "
		    "Postfix") : _("Block this sender in Postfix"));
		keys[n++] = 'b';
	}
	strv_add(items, _("Back"));
	keys[n] = '\0';
}

static void
entry_flow(const struct frontend *fe, const struct options *o,
    const struct mail_report *r, const struct ml_count *c, enum who who)
{
	struct strv items;
	struct buf text;
	char keys[4];
	size_t choice = 0;

	strv_init(&items);
	buf_init(&text);
	buf_addf(&text, "%s: %zu", c->name, c->n);
	for (size_t i = 0; i < c->reasons.n; i++)
		buf_addf(&text, "\n- %s", c->reasons.v[i]);
	if (who == WHO_LOGIN && c->clients.n > 0) {
		char *ips = strv_join(&c->clients, " ");

		buf_addf(&text, "\n%s %s", _("Client addresses:"), ips);
		free(ips);
	}
	remedies(o, c, who, &items, keys);
	if (fe->menu(_("Mail health"), text.data, items.v, items.n,
	    &choice) == FE_OK && keys[choice] != '\0')
		remedy(fe, o, r, c, who, keys[choice]);
	buf_release(&text);
	strv_release(&items);
}

/* The flagged entries of C into ITEMS, with where they are. */
static void
add_flagged(const struct ml_counts *c, enum who who, const char *label,
    struct strv *items, struct strv *refs)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].reasons.n > 0) {
			strv_addf(items, "%s %s", label, c->v[i].name);
			strv_addf(refs, "%d %zu", (int)who, i);
		}
}

void
mail_flow(const struct frontend *fe, const struct options *o)
{
	for (;;) {
		struct mail_report r;
		struct strv items, refs;
		struct buf text;
		char *cause = NULL;
		size_t choice = 0, index;
		int who;
		bool back;

		if (mail_report_read(o, MAIL_WINDOW, 0, &r, &cause) != 0) {
			fe->message(_("Cannot read the mail log"), cause);
			free(cause);
			mail_report_release(&r);
			return;
		}
		strv_init(&items);
		strv_init(&refs);
		buf_init(&text);
		mail_report_text(&r, &text);
		add_flagged(&r.m.logins, WHO_LOGIN, _("login"), &items, &refs);
		add_flagged(&r.m.senders, WHO_SENDER, _("sender"), &items,
		    &refs);
		add_flagged(&r.m.auth_failed, WHO_CLIENT, _("client"), &items,
		    &refs);
		if (refs.n == 0)
			buf_addf(&text, "\n%s\n", _("Nothing looks like abuse."));
		strv_add(&items, _("Back"));
		back = fe->menu(_("Mail health"), text.data, items.v, items.n,
		    &choice) != FE_OK || choice >= refs.n;
		if (!back && sscanf(refs.v[choice], "%d %zu", &who,
		    &index) == 2) {
			const struct ml_counts *c = who == WHO_LOGIN ?
			    &r.m.logins : who == WHO_SENDER ? &r.m.senders :
			    &r.m.auth_failed;

			entry_flow(fe, o, &r, &c->v[index], (enum who)who);
		}
		buf_release(&text);
		strv_release(&refs);
		strv_release(&items);
		mail_report_release(&r);
		if (back)
			return;
	}
}
