/*
 * steps.c -- the table of hardening steps, in the order the wizard shows
 * them and the order they are planned and applied. Adding a step: one new
 * file in recipes/ and one line here.
 */
#include <string.h>

#include "step.h"

/*
 * The steps in the order the wizard and a recipe run them, one line each:
 * adding a step is one line here.
 */
#define STEP_LIST(X) \
	X(firewall) \
	X(ssh) \
	X(fail2ban) \
	X(postfix_sasl) \
	X(postfix_ratelimit) \
	X(postfix_relay) \
	X(postfix_blocklist) \
	X(mailqueue)

#define DECLARE(name)	extern const struct step step_##name;
#define ENTRY(name)	&step_##name,
STEP_LIST(DECLARE)

const struct step *const step_table[] = {
	STEP_LIST(ENTRY)
};

const size_t step_count = nitems(step_table);

/* SPEC's sections, built or not: lets the parser say "not available yet". */
const char *const spec_sections[] = {
	"firewall", "ssh", "fail2ban", "postfix-sasl", "postfix-ratelimit",
	"postfix-relay", "postfix-blocklist", "dns", "dnsbl", "mailqueue",
	"updates", NULL
};

const struct step *
step_find(const char *id)
{
	for (size_t i = 0; i < step_count; i++) {
		if (strcmp(step_table[i]->id, id) == 0)
			return step_table[i];
	}
	return NULL;
}

const struct question *
step_question(const struct step *s, const char *key)
{
	for (size_t i = 0; i < s->nquestions; i++) {
		if (strcmp(s->questions[i].key, key) == 0)
			return &s->questions[i];
	}
	return NULL;
}

unsigned int
step_confirm_timeout(const struct step *s, const struct settings *set)
{
	if (set == NULL || (s->flags & STEP_CONFIRM) == 0)
		return 0;
	for (size_t i = 0; i < s->nquestions; i++) {
		if (s->questions[i].flags & Q_CONFIRM_TIMEOUT)
			return (unsigned int)settings_long(set,
			    s->questions[i].key, 0);
	}
	return 0;
}
