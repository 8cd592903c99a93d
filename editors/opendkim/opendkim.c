/*
 * opendkim/opendkim.c -- OpenDKIM's own "opendkim -n" as the checker, and
 * facts about the OpenDKIM under the root. See opendkim.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsutil.h"
#include "i18n.h"
#include "listening.h"
#include "opendkim/dkimkey.h"
#include "opendkim/opendkim.h"
#include "run.h"

bool
opendkim_present(const char *root)
{
	return fs_exists(root, "/usr/sbin/opendkim") &&
	    fs_exists(root, OPENDKIM_CONF);
}

const char *
opendkim_key_dir(const struct osinfo *os)
{
	return os->family == OS_RHEL ? "/etc/opendkim/keys" : "/etc/dkimkeys";
}

int
opendkim_user(const char *root, const char *userid, uid_t *uid, gid_t *gid,
    char **cause)
{
	/* UserID is "user" or "user:group"; the key needs the user's. */
	char *name = xstrndup(userid != NULL ? userid : "opendkim",
	    userid != NULL ? strcspn(userid, ":") : strlen("opendkim"));
	struct accounts a;
	const struct account *ac;
	int r = -1;

	if (accounts_load(root, &a, cause) == 0) {
		if ((ac = accounts_find(&a, name)) == NULL)
			set_cause(cause, _("OpenDKIM runs as '%s', which is not "
			    "in /etc/passwd: its key could not be given to it"),
			    name);
		else {
			*uid = ac->uid;
			*gid = ac->gid;
			r = 0;
		}
		accounts_release(&a);
	}
	free(name);
	return r;
}

char *
opendkim_milter_address(const char *socket)
{
	const char *port, *at;

	if (socket == NULL || (!str_has_prefix(socket, "inet:") &&
	    !str_has_prefix(socket, "inet6:")))
		return NULL;
	port = strchr(socket, ':') + 1;
	at = strchr(port, '@');
	if (at == NULL || at[1] == '\0' || strcmp(at + 1, "*") == 0)
		/* Every address: Postfix reaches it on loopback. */
		return xasprintf("inet:127.0.0.1:%.*s", (int)strcspn(port, "@"),
		    port);
	if (strcmp(at + 1, "localhost") == 0)
		return xasprintf("inet:127.0.0.1:%.*s", (int)(at - port), port);
	return xasprintf("inet:%s:%.*s", at + 1, (int)(at - port), port);
}

int
opendkim_plan_restart(struct plan *p, const char *step, bool socket_moves,
    char **cause)
{
	char *restart[] = { "systemctl", "restart", "opendkim", NULL };
	struct fs_file f;
	int r = 0;

	if (p->offline || systemd_running(p->root)) {
		plan_command(p, step, restart, restart, _("OpenDKIM reads its "
		    "configuration and keys again"))->order = ORDER_ACTIVATE;
		return 0;
	}
	/* No systemd (a container): OpenDKIM rereads on SIGUSR1. */
	if (fs_read(p->root, OPENDKIM_PID, &f, cause) != 0)
		return -1;
	if (!f.exists || !pidfile_alive(p->root, OPENDKIM_PID))
		r = set_cause(cause, _("OpenDKIM is not running and there is "
		    "no systemd to start it: start it (opendkim -x %s) and "
		    "run again"), OPENDKIM_CONF);
	else if (socket_moves)
		r = set_cause(cause, _("OpenDKIM must listen on %s, which "
		    "needs a restart, and there is no systemd to restart it: "
		    "restart it yourself with that Socket, or set Socket "
		    "%s in %s, and run again"), OPENDKIM_SOCKET,
		    OPENDKIM_SOCKET, OPENDKIM_CONF);
	else {
		char *pid = xstrndup(f.data, strcspn(f.data, "\n"));
		char *argv[] = { "kill", "-USR1", pid, NULL };

		plan_command(p, step, argv, argv, _("OpenDKIM reads its "
		    "configuration and keys again"))->order = ORDER_ACTIVATE;
		free(pid);
	}
	fs_file_release(&f);
	return r;
}

/* ---- the checker ---- */

const char *
opendkim_file_table(const char *spec)
{
	if (spec[0] == '/')
		return spec;
	if (str_has_prefix(spec, "file:/"))
		return spec + strlen("file:");
	if (str_has_prefix(spec, "refile:/"))
		return spec + strlen("refile:");
	return NULL;
}

/* Key and value of an opendkim.conf LINE ("Key value # c"), or false. */
static bool
conf_line(const char *line, char **key, char **value)
{
	size_t k, v;

	line += strspn(line, " \t");
	if (*line == '#' || *line == '\0')
		return false;
	k = strcspn(line, " \t");
	v = strspn(line + k, " \t");
	*key = xstrndup(line, k);
	*value = xstrndup(line + k + v, strcspn(line + k + v, "#"));
	(void)trim(*value);
	return true;
}

/*
 * Every key file the KeyTable TEXT names exists once P is done: a signer
 * pointing at a missing key fails every message it signs.
 */
static int
keys_exist(const struct plan *p, const char *text, char **cause)
{
	char *copy = xstrdup(text), *save = NULL, *file;
	int r = 0;

	for (char *l = strtok_r(copy, "\n", &save); l != NULL && r == 0;
	    l = strtok_r(NULL, "\n", &save)) {
		char *v = l + strspn(l, " \t");

		if (*v == '#' || *v == '\0')
			continue;
		v += strcspn(v, " \t");
		v += strspn(v, " \t");
		/* A key given inline (not a path) cannot be missing. */
		if (!dkim_key_spec(v, NULL, NULL, &file))
			continue;
		if (file[0] == '/' && plan_find_file((struct plan *)p,
		    file) == NULL && !fs_exists(p->root, file)) {
			set_cause(cause, _("the KeyTable names the key %s, "
			    "which does not exist: OpenDKIM could not sign "
			    "with it"), file);
			r = CHECK_REJECTED;
		}
		free(file);
	}
	free(copy);
	return r;
}

/*
 * Stage the candidate opendkim.conf in DIR, its file tables beside it;
 * other paths it names are taken under the root. *CONF gets its path.
 * Returns an enum check_status.
 */
static int
stage(struct plan *p, const char *dir, char **conf, char **cause)
{
	char *text = NULL, *save = NULL;
	size_t len;
	bool exists;
	struct buf out;
	int r = 0, n = 0;

	if (plan_text_after(p, OPENDKIM_CONF, &text, &len, &exists,
	    cause) != 0)
		return CHECK_FAILED;
	buf_init(&out);
	for (char *l = strtok_r(text, "\n", &save); l != NULL && r == 0;
	    l = strtok_r(NULL, "\n", &save)) {
		char *key, *value, *table_text = NULL, *to;
		const char *path;
		size_t tlen;
		bool texists;

		if (!conf_line(l, &key, &value)) {
			buf_addf(&out, "%s\n", l);
			continue;
		}
		path = opendkim_file_table(value);
		if (path != NULL && (strcasecmp(key, "KeyTable") == 0 ||
		    strcasecmp(key, "SigningTable") == 0)) {
			to = xasprintf("%s/table%d", dir, n++);
			r = plan_text_after(p, path, &table_text, &tlen,
			    &texists, cause) != 0 ? CHECK_FAILED : 0;
			if (r == 0 && texists && strcasecmp(key,
			    "KeyTable") == 0)
				r = keys_exist(p, table_text, cause);
			if (r == 0 && texists && fs_write_scratch(to,
			    table_text, tlen, cause) != 0)
				r = CHECK_FAILED;
			buf_addf(&out, "%s %.*s%s\n", key,
			    (int)(path - value), value, to);
			free(to);
			free(table_text);
		} else if (path != NULL && strcmp(p->root, "/") != 0 &&
		    fs_exists(p->root, path))
			buf_addf(&out, "%s %.*s%s%s\n", key,
			    (int)(path - value), value, p->root, path);
		else if (path != NULL && strcmp(p->root, "/") != 0 &&
		    strcasecmp(key, "PidFile") != 0)
			/* Not this machine's file, and none under the root. */
			plan_note(p, _("%s: %s %s is not under the root: not "
			    "checked"), OPENDKIM_CONF, key, path);
		else
			buf_addf(&out, "%s %s\n", key, value);
		free(key);
		free(value);
	}
	*conf = xasprintf("%s/opendkim.conf", dir);
	if (r == 0 && fs_write_scratch(*conf, out.data != NULL ? out.data :
	    "", out.len, cause) != 0)
		r = CHECK_FAILED;
	buf_release(&out);
	free(text);
	return r;
}

/* "opendkim -n -x CONF": its words, with the stage's names replaced. */
static int
run_check(const char *conf, const char *shown, char **cause)
{
	char *argv[] = { "opendkim", "-n", "-x", (char *)conf, NULL };
	struct buf out;
	int status = 0, r;

	buf_init(&out);
	r = run_argv(argv, NULL, &out, &status, cause);
	if (r == 0 && status != 0) {
		char *said = str_replace(trim(buf_str(&out)), conf, shown);

		set_cause(cause, _("OpenDKIM refuses the new %s: %s"),
		    OPENDKIM_CONF, said);
		free(said);
		r = CHECK_REJECTED;
	} else if (r != 0)
		r = CHECK_FAILED;
	buf_release(&out);
	return r;
}

static int
opendkim_check(struct plan *p, bool candidates, char **cause)
{
	char *have = run_which("opendkim"), *dir = NULL, *conf = NULL;
	int r;

	free(have);
	if (have == NULL)
		return checker_without_tool(p, candidates, false, "opendkim",
		    OPENDKIM_CONF, cause);
	/* Offline, the files name the root's tables by their paths inside. */
	if (candidates || p->offline) {
		if ((dir = fs_scratch_dir("opendkim", cause)) == NULL)
			return CHECK_FAILED;
		if ((r = stage(p, dir, &conf, cause)) == CHECK_OK)
			r = run_check(conf, OPENDKIM_CONF, cause);
		fs_remove_tree(dir);
		free(dir);
		free(conf);
		return r;
	}
	if ((r = run_check(OPENDKIM_CONF, OPENDKIM_CONF, cause)) != CHECK_OK)
		return r;
	for (size_t i = 0; i < p->nexpect; i++) {
		const struct expectation *e = &p->expect[i];

		if (e->kind == &opendkim_listening && !inet_accepts(e->key, 15)) {
			set_cause(cause, _("OpenDKIM does not accept "
			    "connections on %s after its restart: Postfix would "
			    "send every message unsigned (see its log: "
			    "journalctl -u opendkim)"), e->key);
			return CHECK_REJECTED;
		}
	}
	return CHECK_OK;
}

const struct checker opendkim_checker = { "opendkim", opendkim_check };
const struct expect_kind opendkim_listening = { &opendkim_checker, true,
    false };
