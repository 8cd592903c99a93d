/*
 * fw_firewalld.c -- the firewalld backend. The permanent configuration is
 * read from its XML under the root (a zone in /etc/firewalld/zones
 * overrides the stock one in /usr/lib/firewalld/zones; services likewise),
 * which is what firewall-cmd --info-service reports and works offline too.
 * Changes are permanent: "firewall-cmd --permanent" and one --reload when
 * the daemon runs, "firewall-offline-cmd" when it does not (notes F4-F6).
 *
 * A port can be open through a service (smtp, smtps, smtp-submission), a
 * port entry or a rich rule, in any zone that filters traffic, so closing
 * it means removing all of them; --remove-port of a port that was never
 * added "succeeds" and closes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "firewall/fw_backend.h"
#include "i18n.h"

#define FWD_CONF	"/etc/firewalld/firewalld.conf"
#define FWD_DIRECT	"/etc/firewalld/direct.xml"
#define FWD_ETC		"/etc/firewalld"
#define FWD_LIB		"/usr/lib/firewalld"
#define FWD_UNIT_LINK	"/etc/systemd/system/multi-user.target.wants/" \
			"firewalld.service"

static void
firewalld_probe(const char *root, struct fw_probe *pr)
{
	pr->installed = fs_exists(root, "/usr/sbin/firewalld");
	pr->running = false;
	/* Offline: what will filter after the next boot. */
	pr->active = pr->installed && fs_lexists(root, FWD_UNIT_LINK);
	if (pr->installed && strcmp(root, "/") == 0) {
		char *argv[] = { "firewall-cmd", "--state", NULL }, *out;

		pr->running = fw_query(argv, &out, &pr->error) == 0;
		pr->active = pr->running;
		free(out);
	}
}

/* The value of attribute NAME inside the element starting at EL. */
static char *
xml_attr(const char *el, const char *name)
{
	const char *end = strchr(el, '>'), *a = el;
	size_t n = strlen(name);

	while (end != NULL && (a = strstr(a, name)) != NULL && a < end) {
		if ((a[-1] == ' ' || a[-1] == '\t' || a[-1] == '\n') &&
		    a[n] == '=' && (a[n + 1] == '"' || a[n + 1] == '\'')) {
			const char *v = a + n + 2, *q = strchr(v, a[n + 1]);

			return q != NULL ? xstrndup(v, (size_t)(q - v)) : NULL;
		}
		a += n;
	}
	return NULL;
}

/* Call FN for each <TAG ...> element of TEXT. */
static void
xml_each(const char *text, const char *tag, void (*fn)(const char *, void *),
    void *arg)
{
	char *open = xasprintf("<%s", tag);
	size_t n = strlen(open);

	for (const char *e = strstr(text, open); e != NULL;
	    e = strstr(e + n, open)) {
		if (e[n] == ' ' || e[n] == '/' || e[n] == '>' || e[n] == '\t' ||
		    e[n] == '\n')
			fn(e, arg);
	}
	free(open);
}

/* The text of zone or service NAME (KIND "zones"/"services"); "" if none. */
static char *
fwd_xml(const char *root, const char *kind, const char *name)
{
	char *path = xasprintf(FWD_ETC "/%s/%s.xml", kind, name), *text;

	if (!fs_exists(root, path)) {
		free(path);
		path = xasprintf(FWD_LIB "/%s/%s.xml", kind, name);
	}
	text = fw_read_text(root, path);
	free(path);
	return text;
}

struct port_acc {
	struct fw_opener	*o;
};

static void
add_port_el(const char *el, void *arg)
{
	struct port_acc *acc = arg;
	char *port = xml_attr(el, "port"), *proto = xml_attr(el, "protocol");
	struct fw_ports p;

	if (port != NULL && proto != NULL && (strcmp(proto, "tcp") == 0 ||
	    strcmp(proto, "udp") == 0) && fw_ports_parse(port, &p) == 0) {
		p.udp = strcmp(proto, "udp") == 0;
		fw_opener_port(acc->o, &p);
	}
	free(port);
	free(proto);
}

/* The tool that changes the permanent configuration. */
static void
fwd_argv(const struct firewall *fw, const char *zone, const char *op,
    const char *what, char **argv)
{
	size_t n = 0;

	if (fw->running) {
		argv[n++] = xstrdup("firewall-cmd");
		argv[n++] = xstrdup("--permanent");
	} else
		argv[n++] = xstrdup("firewall-offline-cmd");
	argv[n++] = xasprintf("--zone=%s", zone);
	/* Offline --remove-service is a lokkit option (notes F4). */
	if (!fw->running && strcmp(op, "remove-service") == 0)
		argv[n++] = xasprintf("--remove-service-from-zone=%s", what);
	else
		argv[n++] = xasprintf("--%s=%s", op, what);
	argv[n] = NULL;
}

static void
opener_commands(const struct firewall *fw, struct fw_opener *o,
    const char *zone, const char *rm, const char *add, const char *what)
{
	char *v[6];

	fwd_argv(fw, zone, rm, what, v);
	o->remove = argv_dup(v);
	argv_free_items(v);
	fwd_argv(fw, zone, add, what, v);
	o->readd = argv_dup(v);
	argv_free_items(v);
	strv_addf(&o->touches, FWD_ETC "/zones/%s.xml", zone);
}

struct zone_acc {
	const char		*root;
	struct firewall		*fw;
	const char		*zone;
};

/*
 * The ports of service NAME into ACC: its own, and those of the services it
 * includes (firewalld 2: smtp-submission is only <include
 * service="submission"/>), DEPTH levels deep at most against a loop.
 */
struct service_acc {
	const char		*root;
	struct port_acc		*acc;
	int			 depth;
};

static void service_ports(const char *root, const char *name,
    struct port_acc *acc, int depth);

static void
include_el(const char *el, void *arg)
{
	struct service_acc *s = arg;
	char *name = xml_attr(el, "service");

	if (name != NULL)
		service_ports(s->root, name, s->acc, s->depth);
	free(name);
}

static void
service_ports(const char *root, const char *name, struct port_acc *acc,
    int depth)
{
	char *text;
	struct service_acc s = { root, acc, depth - 1 };

	if (depth <= 0)
		return;
	text = fwd_xml(root, "services", name);
	xml_each(text, "port", add_port_el, acc);
	xml_each(text, "include", include_el, &s);
	free(text);
}

static void
zone_service(const char *el, void *arg)
{
	struct zone_acc *z = arg;
	char *name = xml_attr(el, "name"), *label;
	struct port_acc acc;

	if (name == NULL)
		return;
	label = xasprintf(_("firewalld service '%s' in zone %s"), name,
	    z->zone);
	acc.o = fw_add_opener(z->fw, label);
	service_ports(z->root, name, &acc, 4);
	opener_commands(z->fw, acc.o, z->zone, "remove-service",
	    "add-service", name);
	free(label);
	free(name);
}

static void
zone_port(const char *el, void *arg)
{
	struct zone_acc *z = arg;
	char *port = xml_attr(el, "port"), *proto = xml_attr(el, "protocol");
	char *label, *what;
	struct port_acc acc;

	if (port == NULL || proto == NULL) {
		free(port);
		free(proto);
		return;
	}
	what = xasprintf("%s/%s", port, proto);
	label = xasprintf(_("firewalld port %s in zone %s"), what, z->zone);
	acc.o = fw_add_opener(z->fw, label);
	add_port_el(el, &acc);
	opener_commands(z->fw, acc.o, z->zone, "remove-port", "add-port",
	    what);
	free(label);
	free(what);
	free(port);
	free(proto);
}

/* A rich rule <rule ...>...</rule> at EL: its text, or NULL. */
static char *
rule_text(const char *el)
{
	const char *end = strstr(el, "</rule>");

	return end != NULL ? xstrndup(el, (size_t)(end - el)) : NULL;
}

/* The tag names of TEXT's elements are all in ALLOWED. */
static bool
only_tags(const char *text, const char *const *allowed)
{
	for (const char *t = strchr(text, '<'); t != NULL;
	    t = strchr(t + 1, '<')) {
		size_t n;
		bool ok = false;

		if (t[1] == '/' || t[1] == '?' || t[1] == '!')
			continue;
		n = strcspn(t + 1, " \t\n/>");
		for (size_t i = 0; allowed[i] != NULL && !ok; i++)
			ok = strlen(allowed[i]) == n &&
			    strncmp(t + 1, allowed[i], n) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* ' NAME="VALUE"' of element EL's attribute ATTR into B, when it has one. */
static void
rich_attr(struct buf *b, const char *el, const char *attr)
{
	char *v = el != NULL ? xml_attr(el, attr) : NULL;

	if (v != NULL)
		buf_addf(b, " %s=\"%s\"", attr, v);
	free(v);
}

/*
 * The rich rule TEXT (<rule>...</rule>) in firewall-cmd's language, for
 * --remove-rich-rule and --add-rich-rule, when it is a plain one: accept a
 * service or a port, maybe for one destination, from anywhere. NULL for
 * the rest (a source, logging, limits, other actions): hardenwiz does not
 * write what it cannot say back exactly.
 */
static char *
rich_rule_string(const char *text)
{
	static const char *const plain[] = { "rule", "destination", "service",
	    "port", "accept", NULL };
	const char *dest = strstr(text, "<destination");
	const char *svc = strstr(text, "<service"), *port = strstr(text,
	    "<port");
	struct buf b;
	char *invert;

	if (!only_tags(text, plain) || (svc == NULL) == (port == NULL) ||
	    strstr(text, "<accept") == NULL)
		return NULL;
	if (dest != NULL && (invert = xml_attr(dest, "invert")) != NULL) {
		free(invert);
		return NULL;
	}
	buf_init(&b);
	buf_adds(&b, "rule");
	rich_attr(&b, text, "family");
	rich_attr(&b, text, "priority");
	if (dest != NULL) {
		buf_adds(&b, " destination");
		rich_attr(&b, dest, "address");
		rich_attr(&b, dest, "ipset");
	}
	if (svc != NULL) {
		buf_adds(&b, " service");
		rich_attr(&b, svc, "name");
	} else {
		buf_adds(&b, " port");
		rich_attr(&b, port, "port");
		rich_attr(&b, port, "protocol");
	}
	buf_adds(&b, " accept");
	return b.data;
}

/*
 * A rich rule is its own kind of opener, never taken for the zone's
 * services and ports (firewall-cmd --remove-service would not touch them:
 * the removal would change nothing and be planned again every run). A
 * plain one that accepts a port from anywhere is an opener that
 * --remove-rich-rule takes away when every port it opens is closed; one
 * limited to a source is the admin's deliberate exception, and one that
 * logs or limits is not rewritten: both are reported with what they open.
 */
static void
zone_rich(const char *el, void *arg)
{
	struct zone_acc *z = arg;
	char *text = rule_text(el), *family = xml_attr(el, "family");
	char *rich = NULL;
	struct fw_opener probe = { 0 };
	struct port_acc acc = { &probe };
	struct buf what;

	buf_init(&what);
	if (text != NULL && strstr(text, "<accept") != NULL) {
		char *svc = NULL;
		const char *s = strstr(text, "<service");

		xml_each(text, "port", add_port_el, &acc);
		if (s != NULL && (svc = xml_attr(s, "name")) != NULL)
			service_ports(z->root, svc, &acc, 4);
		for (size_t i = 0; i < probe.nports; i++) {
			char *one = fw_ports_string(&probe.ports[i]);

			buf_addf(&what, "%s%s", what.len ? " " : "", one);
			free(one);
		}
		free(svc);
		if (probe.nports > 0 && strstr(text, "<source") == NULL)
			rich = rich_rule_string(text);
	}
	if (rich != NULL) {
		char *label = xasprintf(_("firewalld rich rule '%s' in zone "
		    "%s"), rich, z->zone);
		struct fw_opener *o = fw_add_opener(z->fw, label);

		for (size_t i = 0; i < probe.nports; i++)
			fw_opener_port(o, &probe.ports[i]);
		opener_commands(z->fw, o, z->zone, "remove-rich-rule",
		    "add-rich-rule", rich);
		free(label);
	} else
		strv_addf(&z->fw->notes, _("zone %s has a rich rule (%s)%s%s: "
		    "hardenwiz leaves rich rules with a source, logging or "
		    "limits alone; check them with firewall-cmd --zone=%s "
		    "--list-rich-rules"), z->zone, family ? family : "any",
		    what.len ? _(" that accepts ") : "", what.len ? what.data :
		    "", z->zone);
	buf_release(&what);
	free(probe.ports);
	free(rich);
	free(family);
	free(text);
}

/* TEXT with every <rule>...</rule> blanked out: the zone's own elements. */
static char *
without_rules(const char *text)
{
	char *copy = xstrdup(text), *r = copy;

	while ((r = strstr(r, "<rule")) != NULL) {
		char *end = strstr(r, "</rule>");
		/* An unclosed rule runs to the end of the file. */
		char *past = end != NULL ? end + strlen("</rule>") :
		    r + strlen(r);

		memset(r, ' ', (size_t)(past - r));
		r = past;
	}
	return copy;
}

static void
load_zone(const char *root, struct firewall *fw, const char *zone)
{
	char *text = fwd_xml(root, "zones", zone);
	char *target, *own;
	struct zone_acc z = { root, fw, zone };
	const char *el = strstr(text, "<zone");

	if (el != NULL && (target = xml_attr(el, "target")) != NULL) {
		if (strcmp(target, "ACCEPT") == 0)
			strv_addf(&fw->notes, _("zone %s accepts everything "
			    "(target ACCEPT)"), zone);
		free(target);
	}
	own = without_rules(text);
	xml_each(own, "service", zone_service, &z);
	xml_each(own, "port", zone_port, &z);
	xml_each(text, "rule", zone_rich, &z);
	free(own);
	free(text);
}

static void
add_zone(struct firewall *fw, const char *zone)
{
	if (zone[0] != '\0' && !strv_contains(&fw->zones, zone))
		strv_add(&fw->zones, zone);
}

/* Zones under /etc bound to an interface or a source filter traffic too. */
static void
bound_zones(const char *root, struct firewall *fw)
{
	struct strv names;

	strv_init(&names);
	if (fs_list(root, FWD_ETC "/zones", &names, NULL) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			char *text, *zone;

			if (!str_has_suffix(names.v[i], ".xml"))
				continue;
			zone = xstrndup(names.v[i], strlen(names.v[i]) - 4);
			text = fwd_xml(root, "zones", zone);
			if (strstr(text, "<interface") != NULL ||
			    strstr(text, "<source") != NULL)
				add_zone(fw, zone);
			free(text);
			free(zone);
		}
	}
	strv_release(&names);
}

/*
 * --reload throws away what was added without --permanent (notes F5): say
 * so before the plan reloads. The SSH ports are made permanent first.
 */
static void
runtime_only_note(struct firewall *fw, const char *zone)
{
	char *z = xasprintf("--zone=%s", zone);
	char *now[] = { "firewall-cmd", z, "--list-all", NULL };
	char *perm[] = { "firewall-cmd", "--permanent", z, "--list-all",
	    NULL };
	char *a = NULL, *b = NULL;

	if (fw_query(now, &a, NULL) == 0 && fw_query(perm, &b, NULL) == 0) {
		/* The first line differs: "public (active)" vs "public". */
		const char *ra = strchr(a, '\n'), *rb = strchr(b, '\n');

		if (ra != NULL && rb != NULL && strcmp(ra, rb) != 0)
			strv_addf(&fw->notes, _("zone %s has runtime rules "
			    "that are not permanent; the reload drops them. "
			    "Keep them first with firewall-cmd "
			    "--runtime-to-permanent"), zone);
	}
	free(a);
	free(b);
	free(z);
}

static int
firewalld_load(const char *root, struct firewall *fw, char **cause)
{
	char *conf, *direct;
	const char *dz;

	if (!fw->installed) {
		/* What a fresh install filters with: the zone "public". */
		fw->default_zone = xstrdup("public");
		strv_add(&fw->zones, "public");
		return 0;
	}
	conf = fw_read_text(root, FWD_CONF);
	dz = strstr(conf, "\nDefaultZone=");
	if (str_has_prefix(conf, "DefaultZone="))
		dz = conf - 1;
	fw->default_zone = dz != NULL ? xstrndup(dz + 13, strcspn(dz + 13,
	    "\n \t")) : xstrdup("public");
	if (fw->default_zone[0] == '\0') {
		free(fw->default_zone);
		fw->default_zone = xstrdup("public");
	}
	free(conf);
	add_zone(fw, fw->default_zone);
	bound_zones(root, fw);
	if (fw->running) {
		char *argv[] = { "firewall-cmd", "--get-active-zones", NULL };
		char *out, *save = NULL, *why = NULL, *word;
		int st = fw_query(argv, &out, &why);

		/* Without the active zones, the zones' rules are a guess. */
		if (st != 0 && why != NULL) {
			set_cause(cause, _("cannot ask firewalld for its "
			    "active zones: %s"), why);
			free(why);
			free(out);
			return -1;
		}
		if (st == 0) {
			for (char *l = strtok_r(out, "\n", &save); l != NULL;
			    l = strtok_r(NULL, "\n", &save)) {
				/* firewalld 2: "public (default)". */
				if (l[0] != ' ' && l[0] != '\t')
					add_zone(fw, strtok_r(l, " \t",
					    &word));
			}
		}
		free(out);
	}
	for (size_t i = 0; i < fw->zones.n; i++) {
		load_zone(root, fw, fw->zones.v[i]);
		if (fw->running)
			runtime_only_note(fw, fw->zones.v[i]);
	}
	direct = fw_read_text(root, FWD_DIRECT);
	fw->outbound_blocked = strstr(direct, "chain=\"OUTPUT\"") != NULL &&
	    strstr(direct, "--dport 25 -j REJECT") != NULL;
	free(direct);
	return 0;
}

static void
firewalld_allow(struct firewall *fw, struct plan *p, const char *step,
    const struct fw_ports *ports, const char *why)
{
	char *what = fw_ports_string(ports);

	/* firewalld writes ranges as N-M, as fw_ports_string does. */
	for (size_t i = 0; i < fw->zones.n; i++) {
		char *v[6], *u[6], *label;
		struct fw_opener *o;

		fwd_argv(fw, fw->zones.v[i], "add-port", what, v);
		fwd_argv(fw, fw->zones.v[i], "remove-port", what, u);
		label = xasprintf(FWD_ETC "/zones/%s.xml", fw->zones.v[i]);
		fw_command(p, step, v, u, why, label, NULL);
		free(label);
		label = xasprintf(_("firewalld port %s in zone %s"), what,
		    fw->zones.v[i]);
		o = fw_add_opener(fw, label);
		fw_opener_port(o, ports);
		free(label);
		argv_free_items(v);
		argv_free_items(u);
	}
	free(what);
}

/*
 * Direct rules, because only they can match the sending user: loopback and
 * the MTA accepted, everyone else rejected at once. With the nftables
 * backend an ACCEPT here ends only this table's evaluation, which is
 * enough: firewalld's own table does not filter output.
 */
static int
firewalld_block_outbound(struct firewall *fw, struct plan *p,
    const char *step, struct augs *augs, long mta_uid, const char *mta_name,
    char **cause)
{
	static const char *const fams[] = { "ipv4", "ipv6" };
	char uidbuf[32];
	const char *lo[] = { "0", "-o", "lo", "-p", "tcp", "--dport", "25",
	    "-j", "ACCEPT", NULL };
	const char *mta[] = { "0", "-p", "tcp", "--dport", "25", "-m",
	    "owner", "--uid-owner", uidbuf, "-j", "ACCEPT", NULL };
	const char *rej[] = { "1", "-p", "tcp", "--dport", "25", "-j",
	    "REJECT", "--reject-with", "tcp-reset", NULL };
	const char *const *rules[] = { lo, mta, rej };

	/* Permanent direct rules: commands, no file of the session. */
	(void)augs;
	(void)cause;
	(void)mta_name;
	snprintf(uidbuf, sizeof uidbuf, "%ld", mta_uid);
	for (size_t f = 0; f < nitems(fams); f++) {
		for (size_t r = 0; r < nitems(rules); r++) {
			char *v[24], *u[24];
			size_t n = 0;

			if (rules[r] == mta && mta_uid < 0)
				continue;
			if (fw->running) {
				v[n] = "firewall-cmd";
				v[n + 1] = "--permanent";
				n += 2;
			} else
				v[n++] = "firewall-offline-cmd";
			v[n++] = "--direct";
			memcpy(u, v, n * sizeof *v);
			v[n] = "--add-rule";
			u[n++] = "--remove-rule";
			v[n] = u[n] = (char *)fams[f];
			n++;
			v[n] = u[n] = "filter";
			n++;
			v[n] = u[n] = "OUTPUT";
			n++;
			for (size_t k = 0; rules[r][k] != NULL; k++, n++)
				v[n] = u[n] = (char *)rules[r][k];
			v[n] = u[n] = NULL;
			fw_command(p, step, v, u, r == 2 ? _("reject new "
			    "outgoing connections to port 25") : _("let the "
			    "MTA and loopback reach port 25"), FWD_DIRECT,
			    NULL);
		}
	}
	return 0;
}

static void
firewalld_finish(struct firewall *fw, struct plan *p, const char *step,
    bool enable, bool files_changed)
{
	char *check[] = { "firewall-cmd", "--check-config", NULL };
	char *reload[] = { "firewall-cmd", "--reload", NULL };
	char *on[] = { "systemctl", "enable", "--now", "firewalld", NULL };
	char *off[] = { "systemctl", "disable", "--now", "firewalld", NULL };

	/* Every change is a firewall-cmd command: it reloads after them. */
	(void)files_changed;
	if (fw->running) {
		plan_command(p, step, check, NULL, _("firewalld checks the "
		    "permanent configuration before it is loaded"));
		plan_command(p, step, reload, NULL, _("load the permanent "
		    "configuration (the SSH ports are allowed above)"));
		plan_resync(p, reload);
		return;
	}
	if (!enable || fw->active)
		return;
	if (fw->live && !systemd_running("/")) {
		plan_note(p, _("firewalld is not running and systemd is not "
		    "the init here: the permanent rules were written; start "
		    "firewalld yourself"));
		return;
	}
	plan_command(p, step, on, off, _("start the firewall now and at "
	    "boot (the SSH ports are allowed above)"));
	fw->active = true;
}

static char *const fwd_install[] = { "dnf", "install", "-y", "firewalld",
    NULL };
static char *const fwd_uninstall[] = { "dnf", "remove", "-y", "firewalld",
    NULL };

const struct fw_backend fw_backend_firewalld = {
	.name = "firewalld",
	.family = OS_RHEL,
	.install = fwd_install,
	.uninstall = fwd_uninstall,
	.install_why = N_("install the firewall; it does not start until "
	    "enabled"),
	/* Debian's postinst starts firewalld at once with only 22. */
	.foreign = N_("firewalld is not installed, and on Debian and Ubuntu "
	    "installing it starts it at once with only port 22 open: install "
	    "it yourself, or use backend = ufw"),
	.banaction = "firewallcmd-rich-rules",
	.kept_rule = N_("remove it yourself to close the port"),
	.probe = firewalld_probe,
	.load = firewalld_load,
	.allow = firewalld_allow,
	.block_outbound = firewalld_block_outbound,
	.finish = firewalld_finish,
};
