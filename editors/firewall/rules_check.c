/*
 * firewall/rules_check.c -- iptables-restore --test as the checker of the
 * rule files ufw loads (before.rules, before6.rules).
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "checker.h"
#include "firewall/rules_check.h"
#include "run.h"

/* A private network namespace: the test load cannot touch real tables. */
static int
private_net(void *arg, char *why, size_t whylen)
{
	(void)arg;
	(void)why;
	(void)whylen;
	(void)unshare(CLONE_NEWNET);	/* --test commits nothing anyway */
	return 0;
}

/*
 * iptables-restore --test parses every rule as the kernel load would (a
 * bad option, an unknown user in --uid-owner) without committing it. It
 * cannot know chains ufw defines in other files, so it is a parser check.
 */
static int
check_rules(struct plan *p, const struct change *c, const char *prog,
    char **cause)
{
	char *argv[] = { (char *)prog, "--test", NULL };
	struct run_opts o = { .input = c->new_text, .input_len = c->new_len,
	    .setup = private_net };
	char *path = run_which(prog);
	struct buf out;
	int status = 0, r = 0;

	if (path == NULL)
		return checker_without_tool(p, true, false, prog, c->path,
		    cause);
	free(path);
	buf_init(&out);
	if (run_argv(argv, &o, &out, &status, cause) != 0)
		r = CHECK_FAILED;
	else if (status != 0)
		r = set_cause(cause, _("%s rejects the candidate '%s': %s"),
		    prog,
		    c->path, trim(buf_str(&out)));
	buf_release(&out);
	return r;
}

/* Every candidate this checker owns; the live files need no second look. */
static int
check_all(struct plan *p, const struct checker *self, const char *prog,
    bool candidates, char **cause)
{
	int r;

	for (size_t i = 0; candidates && i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];

		if (c->kind == CHANGE_FILE && c->checker == self &&
		    (r = check_rules(p, c, prog, cause)) != CHECK_OK)
			return r;
	}
	return CHECK_OK;
}

static int
check_v4(struct plan *p, bool candidates, char **cause)
{
	return check_all(p, &iptables_checker, "iptables-restore", candidates,
	    cause);
}

static int
check_v6(struct plan *p, bool candidates, char **cause)
{
	return check_all(p, &ip6tables_checker, "ip6tables-restore",
	    candidates, cause);
}

const struct checker iptables_checker = { "iptables", check_v4 };
const struct checker ip6tables_checker = { "ip6tables", check_v6 };
