/*
 * values.c -- the value types shared by recipe.conf and the wizard's forms,
 * so a value typed into a form is checked exactly like one in a recipe.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/resolver.h"
#include "i18n.h"
#include "sshd/sshkey.h"
#include "postfix/postfix.h"
#include "step.h"

static const char *const bool_yes[] = { "yes", "true", "on", NULL };
static const char *const bool_no[] = { "no", "false", "off", NULL };

static bool
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcasecmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

/* Decimal number, all digits, within [min, max]. */
static bool
number(const char *s, size_t len, long min, long max, long *out)
{
	char *copy, *end;
	long v;

	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	copy = xstrndup(s, len);
	errno = 0;
	v = strtol(copy, &end, 10);
	free(copy);
	if (errno != 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* An IP address, as it was given. */
static int
parse_ip_item(const char *item, struct buf *out, char **why)
{
	char *rev = dns_reverse(item);

	if (rev == NULL)
		return set_cause(why, _("'%s' is not an IP address"), item);
	free(rev);
	buf_addf(out, "%s%s", out->len ? " " : "", item);
	return 0;
}

/* The items of list IN, each through ITEM, space-separated into *OUT. */
static int
parse_items(const char *in, int (*item)(const char *, struct buf *, char **),
    char **out, char **why)
{
	struct strv items;
	struct buf b;
	int r = 0;

	strv_init(&items);
	buf_init(&b);
	buf_add(&b, "", 0);
	split_list(in, &items);
	for (size_t i = 0; i < items.n && r == 0; i++)
		r = item(items.v[i], &b, why);
	strv_release(&items);
	if (r != 0) {
		buf_release(&b);
		return -1;
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

static int
parse_port_item(const char *item, struct buf *out, char **why)
{
	const char *slash = strchr(item, '/');
	size_t numlen = slash ? (size_t)(slash - item) : strlen(item);
	const char *proto = slash ? slash + 1 : "tcp";
	const char *dash = memchr(item, '-', numlen);
	long lo, hi;

	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return set_cause(why, _("'%s': protocol must be tcp or udp"),
		    item);
	if (dash != NULL) {
		if (!number(item, (size_t)(dash - item), 1, 65535, &lo) ||
		    !number(dash + 1, numlen - (size_t)(dash - item) - 1, 1,
		    65535, &hi) || hi <= lo)
			return set_cause(why, _("'%s': a range is N-M with "
			    "1 <= N < M <= 65535"), item);
		buf_addf(out, "%s%ld-%ld/%s", out->len ? " " : "", lo, hi,
		    proto);
		return 0;
	}
	if (!number(item, numlen, 1, 65535, &lo))
		return set_cause(why, _("'%s': a port is a number from 1 to "
		    "65535, optionally /tcp or /udp"), item);
	buf_addf(out, "%s%ld/%s", out->len ? " " : "", lo, proto);
	return 0;
}

static int
parse_duration(const char *in, char **out, char **why)
{
	size_t len = strlen(in);
	long n, mult = 1;

	if (len > 0 && strchr("smhd", in[len - 1]) != NULL) {
		static const long m[] = { 1, 60, 3600, 86400 };

		mult = m[strchr("smhd", in[len - 1]) - "smhd"];
		len--;
	}
	if (!number(in, len, 0, 10L * 365 * 86400, &n))
		return set_cause(why, _("'%s' is not a duration (N seconds, "
		    "or Ns, Nm, Nh, Nd)"), in);
	*out = xasprintf("%ld", n * mult);
	return 0;
}

static int
parse_user(const char *in, char **out, char **why)
{
	size_t len = strlen(in);

	if (len == 0 || len > 32 || in[0] == '-')
		return set_cause(why, _("'%s' is not a user name"), in);
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)in[i]) && strchr("._-$", in[i]) ==
		    NULL)
			return set_cause(why, _("'%s' is not a user name"),
			    in);
	}
	*out = xstrdup(in);
	return 0;
}

/*
 * A login for a relay, as sasl_passwd holds it through Augeas's
 * Postfix_Passwordmap lens (/[A-Za-z0-9@_+*.-]+/): anything else used to
 * reach the admin as Augeas's "Failed to match tree".
 */
static int
parse_login(const char *in, char **out, char **why)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789@_+*.-";

	if (in[0] == '\0' || strspn(in, ok) != strlen(in))
		return set_cause(why, _("'%s' is not a login name hardenwiz "
		    "can write for the relay: use letters A-Z, digits and "
		    "@ _ + * . -"), in);
	*out = xstrdup(in);
	return 0;
}

int
value_parse(const struct question *q, const char *in, char **out, char **why)
{
	long n;

	*out = NULL;
	if (*in == '\0' && q->type != V_TEXT && q->type != V_LIST &&
	    q->type != V_PORTS && q->type != V_IPS)
		return set_cause(why, "%s", _("missing value"));
	switch (q->type) {
	case V_BOOL:
		if (in_list(in, bool_yes))
			*out = xstrdup("yes");
		else if (in_list(in, bool_no))
			*out = xstrdup("no");
		else
			return set_cause(why, _("'%s' is not a boolean (yes, "
			    "no, true, false, on, off)"), in);
		return 0;
	case V_INT:
		if (!number(in, strlen(in), q->min, q->max, &n))
			return set_cause(why, _("'%s' is not a number from "
			    "%ld to %ld"), in, q->min, q->max);
		*out = xasprintf("%ld", n);
		return 0;
	case V_PORT:
		if (!number(in, strlen(in), 1, 65535, &n) &&
		    !(str_has_suffix(in, "/tcp") && number(in, strlen(in) - 4,
		    1, 65535, &n)))
			return set_cause(why, _("'%s' is not a TCP port (1 to "
			    "65535)"), in);
		*out = xasprintf("%ld", n);
		return 0;
	case V_PORTS:
		return parse_items(in, parse_port_item, out, why);
	case V_DURATION:
		return parse_duration(in, out, why);
	case V_LIST: {
		struct strv items;
		struct buf b;

		strv_init(&items);
		buf_init(&b);
		buf_add(&b, "", 0);
		split_list(in, &items);
		for (size_t i = 0; i < items.n; i++)
			buf_addf(&b, "%s%s", i ? " " : "", items.v[i]);
		strv_release(&items);
		*out = buf_detach(&b, NULL);
		return 0;
	}
	case V_CHOICE:
		for (size_t i = 0; q->choices[i] != NULL; i++) {
			if (strcmp(in, q->choices[i]) == 0) {
				*out = xstrdup(in);
				return 0;
			}
		}
		{
			struct buf b;

			buf_init(&b);
			for (size_t i = 0; q->choices[i] != NULL; i++)
				buf_addf(&b, "%s%s", i ? ", " : "",
				    q->choices[i]);
			set_cause(why, _("'%s' is not one of: %s"), in, b.data);
			buf_release(&b);
			return -1;
		}
	case V_TEXT:
		*out = xstrdup(in);
		return 0;
	case V_USER:
		return parse_user(in, out, why);
	case V_LOGIN:
		return parse_login(in, out, why);
	case V_PUBKEY: {
		struct sshkey k;
		const char *reason;

		if (sshkey_parse(in, &k, &reason) != 0)
			return set_cause(why, "%s", _(reason));
		*out = xstrdup(in);
		sshkey_release(&k);
		return 0;
	}
	case V_IPS:
		return parse_items(in, parse_ip_item, out, why);
	case V_PATH:
		if (in[0] != '/')
			return set_cause(why, _("'%s' is not an absolute "
			    "path"), in);
		*out = xstrdup(in);
		return 0;
	}
	return set_cause(why, _("internal error: unknown value type"));
}

void
settings_init(struct settings *s)
{
	strv_init(&s->keys);
	strv_init(&s->values);
}

void
settings_release(struct settings *s)
{
	strv_release(&s->keys);
	strv_release(&s->values);
}

void
settings_set(struct settings *s, const char *key, const char *value)
{
	for (size_t i = 0; i < s->keys.n; i++) {
		if (strcmp(s->keys.v[i], key) == 0) {
			free(s->values.v[i]);
			s->values.v[i] = xstrdup(value);
			return;
		}
	}
	strv_add(&s->keys, key);
	strv_add(&s->values, value);
}

const char *
settings_get(const struct settings *s, const char *key)
{
	for (size_t i = 0; i < s->keys.n; i++) {
		if (strcmp(s->keys.v[i], key) == 0)
			return s->values.v[i];
	}
	return NULL;
}

bool
settings_bool(const struct settings *s, const char *key, bool dflt)
{
	const char *v = settings_get(s, key);

	return v == NULL ? dflt : strcmp(v, "yes") == 0;
}

long
settings_long(const struct settings *s, const char *key, long dflt)
{
	const char *v = settings_get(s, key);

	return v == NULL ? dflt : strtol(v, NULL, 10);
}

const char *
step_state_name(enum step_state st)
{
	static const char *const names[] = { "ok", "needs-change", "changed",
	    "skipped", "not-applicable", "error" };

	return names[st];
}

char *
setting_ref(const struct plan *p, const struct step *s, const char *key)
{
	const struct question *q = p->wizard ? step_question(s, key) : NULL;

	if (q != NULL)
		/* TRANSLATORS: a form field's label, quoted. */
		return xasprintf(_("\"%s\""), _(q->label));
	return xasprintf("[%s] %s", s->id, key);
}

const char *
step_state_label(enum step_state st)
{
	/* TRANSLATORS: a step's state in the wizard's menu, in brackets. */
	static const char *const labels[] = { N_("ok"), N_("needs-change"),
	    N_("changed"), N_("skipped"), N_("not-applicable"), N_("error") };

	return _(labels[st]);
}

void
audit_init(struct audit *a)
{
	memset(a, 0, sizeof *a);
	settings_init(&a->current);
	strv_init(&a->notes);
	strv_init(&a->pick_values);
	strv_init(&a->pick_labels);
}

void
audit_pick(struct audit *a, const char *value, const char *label)
{
	if (strv_contains(&a->pick_values, value))
		return;
	strv_add(&a->pick_values, value);
	strv_add(&a->pick_labels, label);
}

void
audit_release(struct audit *a)
{
	for (size_t i = 0; i < a->nfindings; i++) {
		free(a->findings[i].key);
		free(a->findings[i].current);
		free(a->findings[i].wanted);
	}
	free(a->findings);
	settings_release(&a->current);
	strv_release(&a->notes);
	strv_release(&a->pick_values);
	strv_release(&a->pick_labels);
	memset(a, 0, sizeof *a);
}

void
audit_finding(struct audit *a, const char *key, const char *current,
    const char *wanted)
{
	struct finding *f;

	a->findings = xreallocarray(a->findings, a->nfindings + 1,
	    sizeof *a->findings);
	f = &a->findings[a->nfindings++];
	f->key = xstrdup(key);
	f->current = xstrdup(current != NULL ? current : "");
	f->wanted = xstrdup(wanted != NULL ? wanted : "");
}

void
postfix_prefetch(struct step_ctx *ctx)
{
	if (postfix_present(ctx->root))
		postfix_table_early(ctx->root, ctx->early);
}

bool
audit_without_postfix(const struct step_ctx *ctx, struct audit *a)
{
	if (postfix_present(ctx->root)) {
		postfix_table_take(ctx->root, ctx->early);
		return false;
	}
	a->state = STATE_NOT_APPLICABLE;
	strv_addf(&a->notes, _("Postfix is not installed (no %s)"),
	    POSTFIX_MAIN);
	return true;
}
