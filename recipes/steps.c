/*
 * steps.c -- the table of hardening steps, in the order the wizard shows
 * them and the order they are planned and applied. Adding a step: one new
 * file in recipes/ and one line here.
 */
#include <string.h>

#include "i18n.h"
#include "step.h"

/*
 * The steps in the order the wizard and a recipe run them, one line each:
 * adding a step is one line here.
 */
#define STEP_LIST(X) \
	X(updates) \
	X(firewall) \
	X(ssh) \
	X(fail2ban) \
	X(postfix_sasl) \
	X(postfix_ratelimit) \
	X(postfix_relay) \
	X(postfix_blocklist) \
	X(dns) \
	X(dnsbl) \
	X(mailqueue) \
	X(spamfilter) \
	X(services)

#define DECLARE(name)	extern const struct step step_##name;
#define ENTRY(name)	&step_##name,
STEP_LIST(DECLARE)

const struct step *const step_table[] = {
	STEP_LIST(ENTRY)
};

const size_t step_count = nitems(step_table);

const struct step *
step_find(const char *id)
{
	for (size_t i = 0; i < step_count; i++) {
		if (strcmp(step_table[i]->id, id) == 0)
			return step_table[i];
	}
	return NULL;
}

/*
 * SPEC: "confirm_timeout = DURATION may stand in any step's section and
 * applies to the whole transaction". A firewall-only change over SSH needs
 * the dead-man timer as much as an SSH one, so every step knows the key.
 */
static const struct question confirm_question = {
	"confirm_timeout", V_DURATION, N_("Seconds to confirm"),
	N_("On a live system the change is rolled back unless you run "
	   "'hardenwiz --confirm' (from a new login) within this time. 0 "
	   "turns the safety net off."), NULL, 0, 0, 0 };

const struct question *
step_question(const struct step *s, const char *key)
{
	for (size_t i = 0; i < s->nquestions; i++) {
		if (strcmp(s->questions[i].key, key) == 0)
			return &s->questions[i];
	}
	if (strcmp(key, confirm_question.key) == 0)
		return &confirm_question;
	return NULL;
}

unsigned int
step_confirm_timeout(const struct step *s, const struct settings *set)
{
	(void)s;
	return set != NULL ? (unsigned int)settings_long(set,
	    confirm_question.key, 0) : 0;
}

unsigned int
step_confirm_default(const struct step *s)
{
	return s->flags & STEP_CONFIRM ? STEP_CONFIRM_DEFAULT : 0;
}

size_t
step_form_questions(const struct step *s, bool live,
    const struct question **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nquestions; i++) {
		if (!(s->questions[i].flags & Q_RECIPE_ONLY))
			out[n++] = &s->questions[i];
	}
	if (live)
		out[n++] = &confirm_question;
	return n;
}
