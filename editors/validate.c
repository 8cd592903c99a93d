/*
 * validate.c -- run every checker a plan names, in the order the plan
 * first names them (step order), each once.
 */
#include <stdbool.h>
#include <stddef.h>

#include "checker.h"
#include "validate.h"

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
