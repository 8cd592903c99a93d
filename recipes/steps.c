/*
 * steps.c -- the table of hardening steps, in the order the wizard shows
 * them and the order they are planned and applied. Adding a step: one new
 * file in recipes/ and one line here.
 */
#include <string.h>

#include "step.h"

extern const struct step step_firewall;
extern const struct step step_ssh;
extern const struct step step_fail2ban;
extern const struct step step_postfix_sasl;
extern const struct step step_postfix_ratelimit;
extern const struct step step_postfix_relay;
extern const struct step step_postfix_blocklist;
extern const struct step step_mailqueue;

const struct step *const step_table[] = {
	&step_firewall,
	&step_ssh,
	&step_fail2ban,
	&step_postfix_sasl,
	&step_postfix_ratelimit,
	&step_postfix_relay,
	&step_postfix_blocklist,
	&step_mailqueue,
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
