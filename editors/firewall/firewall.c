/*
 * firewall.c -- choosing the backend, the port model, and what is common to
 * both backends. Rules of the road (docs/design.md, "Firewall"):
 *  - one firewall: auto picks the active one and refuses to guess between
 *    two active ones (an ACCEPT in one does not override a DROP in the
 *    other);
 *  - the ports that must stay open are allowed before anything enables or
 *    reloads the firewall;
 *  - every command has an inverse, and the rule stores it rewrites are
 *    journaled, so a rollback is byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "firewall/fw_backend.h"
#include "i18n.h"
#include "run.h"

int
fw_ports_parse(const char *s, struct fw_ports *p)
{
	char *end;
	unsigned long lo, hi;

	memset(p, 0, sizeof *p);
	errno = 0;
	lo = strtoul(s, &end, 10);
	if (end == s || errno != 0 || lo < 1 || lo > 65535)
		return -1;
	hi = lo;
	if (*end == '-' || *end == ':') {
		const char *h = end + 1;

		hi = strtoul(h, &end, 10);
		if (end == h || hi < lo || hi > 65535)
			return -1;
	}
	if (*end == '\0' || strcmp(end, "/tcp") == 0)
		p->udp = false;
	else if (strcmp(end, "/udp") == 0)
		p->udp = true;
	else
		return -1;
	p->lo = (unsigned int)lo;
	p->hi = (unsigned int)hi;
	return 0;
}

char *
fw_ports_string(const struct fw_ports *p)
{
	if (p->lo == p->hi)
		return xasprintf("%u/%s", p->lo, p->udp ? "udp" : "tcp");
	return xasprintf("%u-%u/%s", p->lo, p->hi, p->udp ? "udp" : "tcp");
}

bool
fw_ports_cover(const struct fw_ports *a, const struct fw_ports *b)
{
	return a->udp == b->udp && a->lo <= b->lo && b->hi <= a->hi;
}

static bool
ports_meet(const struct fw_ports *a, const struct fw_ports *b)
{
	return a->udp == b->udp && a->lo <= b->hi && b->lo <= a->hi;
}

struct fw_opener *
fw_add_opener(struct firewall *fw, const char *label)
{
	struct fw_opener *o;

	fw->open = xreallocarray(fw->open, fw->nopen + 1, sizeof *fw->open);
	o = &fw->open[fw->nopen++];
	memset(o, 0, sizeof *o);
	o->label = xstrdup(label);
	strv_init(&o->touches);
	return o;
}

void
fw_opener_port(struct fw_opener *o, const struct fw_ports *p)
{
	o->ports = xreallocarray(o->ports, o->nports + 1, sizeof *o->ports);
	o->ports[o->nports++] = *p;
}

struct change *
fw_command(struct plan *p, const char *step, char *const *argv,
    char *const *undo, const char *why, const char *touch1,
    const char *touch2)
{
	struct change *c = plan_command(p, step, argv, undo, why);
	const char *touch[] = { touch1, touch2 };

	for (size_t i = 0; i < nitems(touch); i++) {
		char *old;

		if (touch[i] == NULL)
			continue;
		plan_touches(c, touch[i]);
		/* firewalld keeps the previous version of an XML file. */
		if (str_has_suffix(touch[i], ".xml")) {
			old = xasprintf("%s.old", touch[i]);
			plan_touches(c, old);
			free(old);
		}
	}
	return c;
}

char *
fw_read_text(const char *root, const char *path)
{
	struct fs_file f;
	char *text;

	if (fs_read(root, path, &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		return xstrdup("");
	}
	text = f.data;
	f.data = NULL;
	fs_file_release(&f);
	return text;
}

int
fw_query(char *const *argv, char **out, char **cause)
{
	struct buf b;
	int status = -1;
	char *why = NULL;
	char *prog = run_which(argv[0]);

	*out = NULL;
	if (prog == NULL)
		return -1;
	free(prog);
	buf_init(&b);
	if (run_argv(argv, NULL, &b, &status, &why) != 0) {
		if (cause != NULL)
			set_cause(cause, "%s", why);
		free(why);
		status = -1;
	}
	*out = buf_detach(&b, NULL);
	if (*out == NULL)
		*out = xstrdup("");
	return status;
}

void
fw_release(struct firewall *fw)
{
	for (size_t i = 0; i < fw->nopen; i++) {
		free(fw->open[i].label);
		free(fw->open[i].ports);
		argv_free(fw->open[i].remove);
		argv_free(fw->open[i].readd);
		strv_release(&fw->open[i].touches);
	}
	free(fw->open);
	free(fw->why);
	free(fw->default_zone);
	strv_release(&fw->zones);
	strv_release(&fw->denied);
	strv_release(&fw->notes);
	memset(fw, 0, sizeof *fw);
}

/* Every backend, in the order "auto" prefers them within a family. */
static const struct fw_backend *const fw_backends[] = {
	&fw_backend_ufw,
	&fw_backend_firewalld,
};

const char *
fw_name(const struct firewall *fw)
{
	return fw->backend->name;
}

const char *
fw_banaction(const struct firewall *fw)
{
	return fw->backend->banaction;
}

const char *
fw_outbound_file(const struct firewall *fw)
{
	return fw->backend->outbound_file;
}

/* The family whose firewall a system gets: unknown ones are Debian-like. */
static enum os_family
family_of(const struct osinfo *os)
{
	return os->family == OS_RHEL ? OS_RHEL : OS_DEBIAN;
}

bool
fw_installable(const struct firewall *fw, const struct osinfo *os)
{
	return fw->installed || fw->backend->family == family_of(os);
}

/*
 * The backend auto picks among the probed ones; -1 when two are active,
 * which are then in CLASH.
 */
static int
fw_choose(const struct fw_probe *pr, const struct osinfo *os,
    const char **why, int clash[2])
{
	int active = -1, installed = -1, ninst = 0;

	for (size_t i = 0; i < nitems(fw_backends); i++) {
		if (pr[i].active && active >= 0) {
			clash[0] = active;
			clash[1] = (int)i;
			return -1;
		}
		if (pr[i].active)
			active = (int)i;
		if (pr[i].installed) {
			installed = (int)i;
			ninst++;
		}
	}
	if (active >= 0) {
		*why = _("it is the active firewall");
		return active;
	}
	if (ninst == 1) {
		*why = _("it is the installed firewall");
		return installed;
	}
	*why = _("it is the distribution's firewall");
	for (size_t i = 0; i < nitems(fw_backends); i++) {
		if (fw_backends[i]->family == family_of(os))
			return (int)i;
	}
	return 0;
}

/* A backend whose live state could not be asked: the first, into CAUSE. */
static int
probe_errors(struct fw_probe *pr, char **cause)
{
	int r = 0;

	for (size_t i = 0; i < nitems(fw_backends); i++) {
		if (pr[i].error != NULL && r == 0)
			r = set_cause(cause, _("cannot tell whether %s is "
			    "active: %s; nothing was changed. Try again when "
			    "the system can start programs"),
			    fw_backends[i]->name, pr[i].error);
		free(pr[i].error);
		pr[i].error = NULL;
	}
	return r;
}

int
fw_load(const char *root, const struct osinfo *os, const char *want,
    struct firewall *fw, char **cause)
{
	struct fw_probe pr[nitems(fw_backends)];
	const char *why = _("chosen in the recipe");
	int k = -1, clash[2];

	memset(fw, 0, sizeof *fw);
	strv_init(&fw->zones);
	strv_init(&fw->denied);
	strv_init(&fw->notes);
	fw->live = strcmp(root, "/") == 0;
	memset(pr, 0, sizeof pr);
	for (size_t i = 0; i < nitems(fw_backends); i++) {
		fw_backends[i]->probe(root, &pr[i]);
		if (want != NULL && strcmp(want, fw_backends[i]->name) == 0)
			k = (int)i;
	}
	if (probe_errors(pr, cause) != 0)
		return -1;
	if (k < 0 && (k = fw_choose(pr, os, &why, clash)) < 0)
		return set_cause(cause, _("both %s and %s are active; an "
		    "accept in one does not override a drop in the other. "
		    "Disable one of them, or set backend = %s or %s in "
		    "[firewall]"), fw_backends[clash[0]]->name,
		    fw_backends[clash[1]]->name, fw_backends[clash[0]]->name,
		    fw_backends[clash[1]]->name);
	fw->backend = fw_backends[k];
	fw->why = xstrdup(why);
	fw->installed = pr[k].installed;
	fw->active = pr[k].active;
	fw->running = pr[k].running;
	for (size_t i = 0; i < nitems(fw_backends); i++) {
		if ((int)i != k && pr[i].active)
			strv_addf(&fw->notes, _("%s is active too: its rules "
			    "still drop what %s allows"), fw_backends[i]->name,
			    fw->backend->name);
	}
	return fw->backend->load(root, fw, cause);
}

bool
fw_allows(const struct firewall *fw, const struct fw_ports *want)
{
	for (size_t i = 0; i < fw->nopen; i++) {
		for (size_t k = 0; k < fw->open[i].nports; k++) {
			if (fw_ports_cover(&fw->open[i].ports[k], want))
				return true;
		}
	}
	return false;
}

char *
fw_allowed_list(const struct firewall *fw)
{
	struct strset seen;
	struct buf b;
	char *s;

	strset_init(&seen);
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < fw->nopen; i++) {
		for (size_t k = 0; k < fw->open[i].nports; k++) {
			s = fw_ports_string(&fw->open[i].ports[k]);
			if (strset_add(&seen, s))
				buf_addf(&b, "%s%s", b.len ? " " : "", s);
			free(s);
		}
	}
	strset_release(&seen);
	return buf_detach(&b, NULL);
}

int
fw_plan_install(struct firewall *fw, struct plan *p, const char *step,
    const struct osinfo *os, char **cause)
{
	if (fw->installed)
		return 0;
	if (!fw_installable(fw, os))
		return set_cause(cause, "%s", _(fw->backend->foreign));
	plan_command(p, step, fw->backend->install, fw->backend->uninstall,
	    _(fw->backend->install_why));
	fw->installed = true;
	return 0;
}

void
fw_plan_allow(struct firewall *fw, struct plan *p, const char *step,
    const struct fw_ports *ports, const char *why)
{
	if (fw_allows(fw, ports))
		return;
	fw->backend->allow(fw, p, step, ports, why);
}

/* Every port of O is one the admin asked to close. */
static bool
opener_all_closed(const struct fw_opener *o, const struct fw_ports *close,
    size_t n)
{
	for (size_t k = 0; k < o->nports; k++) {
		bool covered = false;

		for (size_t i = 0; i < n && !covered; i++)
			covered = fw_ports_cover(&close[i], &o->ports[k]);
		if (!covered)
			return false;
	}
	return true;
}

static bool
opener_meets(const struct fw_opener *o, const struct fw_ports *port)
{
	for (size_t k = 0; k < o->nports; k++) {
		if (ports_meet(&o->ports[k], port))
			return true;
	}
	return false;
}

void
fw_plan_close(struct firewall *fw, struct plan *p, const char *step,
    const struct fw_ports *close, size_t n)
{
	bool *removed = xcalloc(fw->nopen + 1, sizeof *removed);

	for (size_t i = 0; i < fw->nopen; i++) {
		struct fw_opener *o = &fw->open[i];
		char *why;

		for (size_t c = 0; c < n && !removed[i]; c++) {
			if (!opener_meets(o, &close[c]) ||
			    !opener_all_closed(o, close, n))
				continue;
			why = xasprintf(_("close: remove %s"), o->label);
			fw_command(p, step, o->remove, o->readd, why,
			    o->touches.n > 0 ? o->touches.v[0] : NULL,
			    o->touches.n > 1 ? o->touches.v[1] : NULL);
			free(why);
			removed[i] = true;
		}
	}
	for (size_t c = 0; c < n; c++) {
		bool partial = false;

		for (size_t i = 0; i < fw->nopen; i++) {
			if (!removed[i] && opener_meets(&fw->open[i],
			    &close[c])) {
				partial = true;
				plan_note(p, _("%s also opens other ports, so "
				    "it stays; %s"), fw->open[i].label,
				    _(fw->backend->kept_rule));
			}
		}
		if (fw->backend->deny != NULL)
			fw->backend->deny(fw, p, step, &close[c], partial);
	}
	/* What is planned removed no longer opens anything. */
	for (size_t i = 0; i < fw->nopen; i++) {
		if (removed[i])
			fw->open[i].nports = 0;
	}
	free(removed);
}

int
fw_plan_block_outbound(struct firewall *fw, struct plan *p, const char *step,
    struct augs *augs, long mta_uid, const char *mta_name, char **cause)
{
	if (fw->outbound_blocked)
		return 0;
	return fw->backend->block_outbound(fw, p, step, augs, mta_uid,
	    mta_name, cause);
}

void
fw_plan_finish(struct firewall *fw, struct plan *p, const char *step,
    bool enable, bool files_changed)
{
	fw->backend->finish(fw, p, step, enable, files_changed);
}

/* Append EXTRA's commands (with their files and resyncs) to P. */
static void
append_commands(struct plan *p, const struct plan *extra)
{
	for (size_t i = 0; i < extra->nchanges; i++) {
		const struct change *c = &extra->changes[i];
		struct change *n = plan_command(p, c->step, c->argv,
		    c->undo_argv, c->why);

		for (size_t k = 0; k < c->touches.n; k++)
			plan_touches(n, c->touches.v[k]);
	}
	for (size_t i = 0; i < extra->nresync; i++)
		plan_resync(p, extra->resync[i]);
}

int
fw_plan_keep_open(const char *root, const struct osinfo *os, struct plan *p,
    const char *step, const struct fw_ports *port, const char *why,
    char **cause)
{
	struct firewall fw;
	struct plan extra;

	if (fw_load(root, os, "auto", &fw, cause) != 0)
		return -1;
	plan_init(&extra, root);
	if (fw.installed && fw.active && !fw_allows(&fw, port)) {
		fw_plan_allow(&fw, &extra, step, port, why);
		fw_plan_finish(&fw, &extra, step, false, false);
		append_commands(p, &extra);
	}
	plan_release(&extra);
	fw_release(&fw);
	return 0;
}

void
fw_mta_user(const char *root, long *uid, char **name)
{
	static const char *const mtas[] = { "postfix", "Debian-exim", "exim",
	    "smmta" };
	struct accounts acc;

	*uid = -1;
	*name = NULL;
	if (accounts_load(root, &acc, NULL) != 0)
		return;
	for (size_t i = 0; i < nitems(mtas) && *name == NULL; i++) {
		const struct account *a = accounts_find(&acc, mtas[i]);

		if (a != NULL) {
			*uid = (long)a->uid;
			*name = xstrdup(a->name);
		}
	}
	accounts_release(&acc);
}
