/*
 * dnf/dnf.c -- dnf-automatic's own loader as the checker. See dnf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnf/dnf.h"
#include "fsutil.h"
#include "i18n.h"
#include "run.h"
#include "stage.h"

const struct expect_kind dnf_automatic_value = { &dnf_automatic_checker,
	false, false };

/*
 * Run by the system's python3 -I on the copy: exit 2 when dnf-automatic's module is
 * not here, 1 when its loader refuses the file, else every value in
 * effect. A program text, not a shell string: the copy's path is its
 * argument.
 */
static const char loader[] =
    "import sys\n"
    "try:\n"
    "    from dnf.automatic.main import AutomaticConfig\n"
    "except ImportError as e:\n"
    "    print(e)\n"
    "    sys.exit(2)\n"
    "try:\n"
    "    c = AutomaticConfig(sys.argv[1])\n"
    "except Exception as e:\n"
    "    print(e)\n"
    "    sys.exit(1)\n"
    "for s in ('commands', 'emitters', 'email', 'command', "
    "'command_email'):\n"
    "    o = getattr(c, s)\n"
    "    for k in sorted(o._options):\n"
    "        v = getattr(o, k)\n"
    "        if not isinstance(v, (str, bool, int)):\n"
    "            v = ','.join(v)\n"
    "        print('%s.%s=%s' % (s, k, v))\n";

/*
 * The interpreter dnf-automatic itself runs with (its first line), not
 * whichever python3 comes first in PATH (a pyenv's has no dnf): RHEL 8's
 * platform-python, else the system's python3.
 */
static const char *
system_python(void)
{
	return fs_exists("/", "/usr/libexec/platform-python") ?
	    "/usr/libexec/platform-python" : "/usr/bin/python3";
}

bool
dnf_automatic_present(const char *root)
{
	return fs_exists(root, "/usr/bin/dnf-automatic");
}

int
dnf_automatic_dump(const char *root, struct plan *p, struct buf *out,
    bool *rejected, char **cause)
{
	char *stage = NULL, *copy = NULL, *why;
	char *argv[] = { (char *)system_python(), "-I", "-c", (char *)loader,
	    NULL, NULL };
	struct buf err;
	struct run_opts ro = { .timeout = 60, .err = &err };
	struct plan disk;
	bool exists;
	int status = 0, r = -1;

	/* Without a plan, the file as it is. */
	plan_init(&disk, root);
	*rejected = false;
	buf_init(&err);
	/* A missing file reads as dnf-automatic's defaults. */
	if (stage_file(p != NULL ? p : &disk, DNF_AUTOMATIC_CONF, &stage,
	    &copy, &exists, cause) != 0)
		goto out;
	argv[4] = copy;
	if (run_argv(argv, &ro, out, &status, cause) != 0)
		goto out;
	if (status == 2) {
		r = 1;
		goto out;
	}
	if (status != 0) {
		why = str_replace(trim(buf_str(out)), copy,
		    DNF_AUTOMATIC_CONF);
		*rejected = true;
		set_cause(cause, _("dnf-automatic cannot read %s: %s"),
		    DNF_AUTOMATIC_CONF, why);
		free(why);
		goto out;
	}
	r = 0;
out:
	stage_remove(stage);
	free(copy);
	buf_release(&err);
	plan_release(&disk);
	return r;
}

static int
dnf_automatic_check(struct plan *p, bool candidates, char **cause)
{
	struct buf out;
	bool rejected;
	int r;

	if (!fs_exists(p->root, DNF_AUTOMATIC_CONF) &&
	    plan_find_file(p, DNF_AUTOMATIC_CONF) == NULL)
		return CHECK_OK;	/* a rollback removed it */
	buf_init(&out);
	r = dnf_automatic_dump(p->root, candidates ? p : NULL, &out,
	    &rejected, cause);
	if (r == 1)
		r = checker_without_tool(p, candidates, true, "dnf-automatic",
		    _("dnf-automatic's configuration"), cause);
	else if (r != 0)
		r = rejected ? CHECK_REJECTED : CHECK_FAILED;
	else
		r = dump_expected(p, &dnf_automatic_value, buf_str(&out),
		    "dnf-automatic", DNF_AUTOMATIC_CONF, cause);
	buf_release(&out);
	return r;
}

const struct checker dnf_automatic_checker = { "dnf-automatic",
	dnf_automatic_check };
