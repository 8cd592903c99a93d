/*
 * validate.c -- run every checker a plan names, in the order the plan
 * first names them (step order), each once.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "i18n.h"
#include "plan.h"
#include "validate.h"

int
checker_without_tool(struct plan *p, bool candidates, bool after_install,
    const char *prog, const char *what, char **cause)
{
	if (candidates && after_install) {
		plan_note(p, _("%s is not installed here yet: %s is checked "
		    "after the install"), prog, what);
		return CHECK_OK;
	}
	if (p->offline) {
		plan_note(p, _("%s is not installed on this machine: %s is not "
		    "checked"), prog, what);
		return CHECK_OK;
	}
	set_cause(cause, _("cannot check %s: %s is not installed; install "
	    "it and run hardenwiz again"), what, prog);
	return CHECK_FAILED;
}

char *
dump_value(const char *dump, const char *key)
{
	size_t klen = strlen(key);

	for (const char *l = dump; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, key, klen) == 0 && l[klen] == '=')
			return xstrndup(l + klen + 1, nl != NULL ?
			    (size_t)(nl - l) - klen - 1 : strlen(l + klen + 1));
		l = nl != NULL ? nl + 1 : NULL;
	}
	return NULL;
}

int
dump_expected(struct plan *p, const struct expect_kind *kind,
    const char *dump, const char *who, const char *file, char **cause)
{
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];
		char *got;

		if (e->kind != kind)
			continue;
		got = dump_value(dump, e->key);
		if (got == NULL || strcmp(got, e->value) != 0) {
			set_cause(cause, _("%s reads %s in %s as '%s', not "
			    "'%s'"), who, e->label, file, got != NULL ? got :
			    _("(unset)"), e->value);
			free(got);
			return CHECK_REJECTED;
		}
		free(got);
	}
	return CHECK_OK;
}

/* The checker of P's I-th item: its changes, then its expectations. */
static const struct checker *
checker_at(const struct plan *p, size_t i)
{
	if (i < p->nchanges)
		return p->changes[i].kind == CHANGE_FILE ?
		    p->changes[i].checker : NULL;
	return p->expect[i - p->nchanges].kind->checker;
}

static bool
named_before(const struct plan *p, size_t i, const struct checker *c)
{
	for (size_t k = 0; k < i; k++) {
		if (checker_at(p, k) == c)
			return true;
	}
	return false;
}

static int
run_checkers(struct plan *p, bool candidates, char **cause)
{
	size_t total = p->nchanges + p->nexpect;
	int r;

	for (size_t i = 0; i < total; i++) {
		const struct checker *c = checker_at(p, i);

		if (c != NULL && !named_before(p, i, c) &&
		    (r = c->check(p, candidates, cause)) != CHECK_OK)
			return r;
	}
	return CHECK_OK;
}

int
validate_plan(struct plan *p, char **cause)
{
	return run_checkers(p, true, cause);
}

int
validate_live(struct plan *p, char **cause)
{
	return run_checkers(p, false, cause);
}
