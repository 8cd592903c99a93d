/*
 * fsutil.c -- root-confined file access and the one atomic writer.
 * Why our own writer instead of aug_save: aug_save creates new files with
 * 0666 & ~umask, does not fsync the directory, and a failed save marks the
 * tree clean; with our writer the plan decides mode and owner, and apply can
 * compare every file with what was planned just before replacing it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "i18n.h"
#include "fsutil.h"
#include "util.h"

static const char selinux_xattr[] = "security.selinux";

/* Real path of ROOT without a trailing slash ("" for "/"). */
static int
root_real(const char *root, char **out, char **cause)
{
	char *r = realpath(root, NULL);

	if (r == NULL)
		return set_cause(cause, _("cannot use root '%s': %s"), root,
		    strerror(errno));
	if (strcmp(r, "/") == 0)
		r[0] = '\0';
	*out = r;
	return 0;
}

static bool
inside(const char *rroot, const char *hostpath)
{
	size_t n = strlen(rroot);

	if (n == 0)
		return true;
	return strncmp(hostpath, rroot, n) == 0 &&
	    (hostpath[n] == '/' || hostpath[n] == '\0');
}

int
fs_resolve(const char *root, const char *path, char **out, char **cause)
{
	char *rroot = NULL, *joined = NULL, *real = NULL, *dir = NULL;
	char *dcopy = NULL, *bcopy = NULL;
	int r = -1;

	if (path[0] != '/')
		return set_cause(cause, _("internal error: path '%s' is not "
		    "absolute"), path);
	if (root_real(root, &rroot, cause) != 0)
		return -1;
	joined = xasprintf("%s%s", rroot, path);
	real = realpath(joined, NULL);
	if (real != NULL) {
		if (!inside(rroot, real)) {
			set_cause(cause, _("'%s' is a link to '%s', outside "
			    "the root '%s'; refusing to follow it"), joined,
			    real, root);
			goto out;
		}
		*out = real;
		real = NULL;
		r = 0;
		goto out;
	}
	if (errno != ENOENT) {
		set_cause(cause, _("cannot resolve '%s': %s"), joined,
		    strerror(errno));
		goto out;
	}
	/* The file does not exist: its directory must, inside the root. */
	dcopy = xstrdup(joined);
	bcopy = xstrdup(joined);
	dir = realpath(dirname(dcopy), NULL);
	if (dir == NULL && errno == ENOENT && strcmp(path, "/") != 0) {
		/* A directory the plan creates: resolve its parent. */
		char *pcopy = xstrdup(path), *parent = NULL;
		char *slash = strrchr(pcopy, '/');

		if (slash == pcopy)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (fs_resolve(root, pcopy, &parent, cause) == 0) {
			*out = xasprintf("%s/%s", strcmp(parent, "/") == 0 ?
			    "" : parent, slash + 1 + (slash == pcopy));
			r = 0;
		}
		free(parent);
		free(pcopy);
		goto out;
	}
	if (dir == NULL) {
		set_cause(cause, _("cannot resolve the directory of '%s': %s"),
		    joined, strerror(errno));
		goto out;
	}
	if (!inside(rroot, dir)) {
		set_cause(cause, _("the directory of '%s' leads to '%s', "
		    "outside the root '%s'; refusing to follow it"), joined,
		    dir, root);
		goto out;
	}
	{
		struct stat st;

		if (lstat(joined, &st) == 0 && S_ISLNK(st.st_mode)) {
			set_cause(cause, _("'%s' is a dangling link; refusing "
			    "to write through it"), joined);
			goto out;
		}
	}
	*out = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
	    basename(bcopy));
	r = 0;
out:
	free(rroot);
	free(joined);
	free(real);
	free(dir);
	free(dcopy);
	free(bcopy);
	return r;
}

void
fs_file_release(struct fs_file *f)
{
	free(f->data);
	memset(f, 0, sizeof *f);
}

/* FD's bytes; SIZE (its size when known, else 0) sizes the buffer. */
static int
read_fd(int fd, const char *name, size_t size, char **data, size_t *len,
    char **cause)
{
	struct buf b;
	char chunk[65536];
	ssize_t n;

	buf_init(&b);
	buf_reserve(&b, size < FS_MAX_FILE ? size : 0);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_release(&b);
			return set_cause(cause, _("cannot read '%s': %s"), name,
			    strerror(errno));
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > FS_MAX_FILE) {
			buf_release(&b);
			return set_cause(cause, _("cannot read '%s': larger "
			    "than %d bytes"), name, FS_MAX_FILE);
		}
		buf_add(&b, chunk, (size_t)n);
	}
	*data = buf_detach(&b, len);
	return 0;
}

/*
 * PATH inside ROOT opened for reading into *FD (-1: there is no such
 * file, not an error): a regular file, not through a final link, at most
 * FS_MAX_FILE bytes. *HOST gets its host path (the caller frees it).
 */
static int
open_regular(const char *root, const char *path, int *fd, struct stat *st,
    char **host, char **cause)
{
	*fd = -1;
	*host = NULL;
	if (fs_resolve(root, path, host, cause) != 0)
		return -1;
	if ((*fd = open(*host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ENOENT ? 0 : set_cause(cause,
		    _("cannot open '%s': %s"), *host, strerror(errno));
	if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode))
		set_cause(cause, _("'%s' is not a regular file"), *host);
	else if (st->st_size > FS_MAX_FILE)
		set_cause(cause, _("cannot read '%s': larger than %d bytes"),
		    *host, FS_MAX_FILE);
	else
		return 0;
	close(*fd);
	*fd = -1;
	return -1;
}

int
fs_read(const char *root, const char *path, struct fs_file *f, char **cause)
{
	char *host = NULL;
	struct stat st;
	int fd = -1, r = -1;

	memset(f, 0, sizeof *f);
	if (open_regular(root, path, &fd, &st, &host, cause) != 0)
		goto out;
	if (fd < 0) {
		r = 0;
		goto out;
	}
	if (read_fd(fd, host, (size_t)st.st_size, &f->data, &f->len,
	    cause) != 0)
		goto out;
	f->exists = true;
	f->mode = st.st_mode & 07777;
	f->uid = st.st_uid;
	f->gid = st.st_gid;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(host);
	return r;
}

/*
 * FD (HOST in messages) read a chunk at a time, each handed to EACH with
 * ARG until EACH returns non-zero (it set *CAUSE when that is an error);
 * the end of the file ends it with 0.
 */
static int
each_chunk(int fd, const char *host, int (*each)(void *, const char *,
    size_t, char **), void *arg, char **cause)
{
	char chunk[65536];
	ssize_t n;
	int r;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return set_cause(cause, _("cannot read '%s': %s"), host,
			    strerror(errno));
		if ((r = each(arg, chunk, (size_t)n, cause)) != 0)
			return r;
	}
	return 0;
}

/* fs_same's comparison: the next bytes of DATA, or 1 to stop (differ). */
struct same_state {
	const char	*data;
	size_t		 len, at;
};

static int
same_chunk(void *arg, const char *chunk, size_t n, char **cause)
{
	struct same_state *st = arg;

	(void)cause;
	if (n > st->len - st->at || memcmp(chunk, st->data + st->at, n) != 0)
		return 1;
	st->at += n;
	return 0;
}

int
fs_same(const char *root, const char *path, bool exists, const char *data,
    size_t len, bool *same, char **cause)
{
	struct same_state st = { data, len, 0 };
	struct stat sb;
	char *host = NULL;
	int fd = -1, r;

	*same = false;
	if (open_regular(root, path, &fd, &sb, &host, cause) != 0) {
		free(host);
		return -1;
	}
	if (fd < 0)
		*same = !exists;
	else if (exists && (r = each_chunk(fd, host, same_chunk, &st,
	    cause)) <= 0) {
		if (r < 0) {
			close(fd);
			free(host);
			return -1;
		}
		*same = st.at == len;
	}
	if (fd >= 0)
		close(fd);
	free(host);
	return 0;
}

int
fs_slurp_fd(int fd, const char *name, char **data, size_t *len,
    char **cause)
{
	return read_fd(fd, name, 0, data, len, cause);
}

int
fs_slurp(const char *hostpath, char **data, size_t *len, char **cause)
{
	int fd = open(hostpath, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return set_cause(cause, _("cannot open '%s': %s"), hostpath,
		    strerror(errno));
	r = read_fd(fd, hostpath, 0, data, len, cause);
	close(fd);
	return r;
}

int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fsync_dir_of(const char *host)
{
	char *copy = xstrdup(host);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = -1;

	if (fd >= 0) {
		r = fsync(fd);
		close(fd);
	}
	free(copy);
	return r;
}

/* Give the new file the old one's SELinux label, where there is one. */
static void
copy_label(const char *from, int tofd)
{
	char label[1024];
	ssize_t n = lgetxattr(from, selinux_xattr, label, sizeof label);

	if (n > 0)
		(void)fsetxattr(tofd, selinux_xattr, label, (size_t)n, 0);
}

/* NAME is a temporary file of fs_write_atomic: ".hardenwiz." + 6 chars. */
static bool
our_temp(const char *name)
{
	static const char prefix[] = ".hardenwiz.";

	if (strncmp(name, prefix, sizeof prefix - 1) != 0 ||
	    strlen(name) != sizeof prefix - 1 + 6)
		return false;
	for (const char *c = name + sizeof prefix - 1; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9')))
			return false;
	}
	return true;
}

int
fs_remove_temps(const char *root, const char *dir)
{
	char *host = NULL;
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (fs_resolve(root, dir, &host, NULL) != 0)
		return 0;
	if ((d = opendir(host)) == NULL) {
		free(host);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (our_temp(de->d_name) && fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	free(host);
	return n;
}

int
fs_write_atomic(const char *root, const char *path, const void *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid, char **cause)
{
	char *host = NULL, *tmp = NULL, *copy = NULL;
	int fd = -1, r = -1;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	copy = xstrdup(host);
	tmp = xasprintf("%s/.hardenwiz.XXXXXX", dirname(copy));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		set_cause(cause, _("cannot create a temporary file next to "
		    "'%s': %s"), host, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (write_all(fd, data, len) != 0) {
		set_cause(cause, _("cannot write '%s': %s"),
		    tmp, strerror(errno));
		goto out;
	}
	/* chown first: it clears set-id bits that chmod then sets. */
	if (fchown(fd, uid, gid) != 0) {
		set_cause(cause, _("cannot set the owner of '%s': %s"), tmp,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) != 0) {
		set_cause(cause, _("cannot set the mode of '%s': %s"), tmp,
		    strerror(errno));
		goto out;
	}
	copy_label(host, fd);
	if (fsync(fd) != 0) {
		set_cause(cause, _("cannot sync '%s': %s"),
		    tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		set_cause(cause, _("cannot close '%s': %s"),
		    tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, host) != 0) {
		set_cause(cause, _("cannot replace '%s': %s"), host,
		    strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if (fsync_dir_of(host) != 0) {
		set_cause(cause, _("cannot sync the directory of '%s': %s"),
		    host,
		    strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(copy);
	free(host);
	return r;
}

int
fs_chmod_chown(const char *root, const char *path, mode_t mode, uid_t uid,
    gid_t gid, char **cause)
{
	char *host = NULL;
	int r = -1;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	if (chown(host, uid, gid) != 0)
		set_cause(cause, _("cannot set the owner of '%s': %s"), host,
		    strerror(errno));
	else if (chmod(host, mode) != 0)
		set_cause(cause, _("cannot set the mode of '%s': %s"), host,
		    strerror(errno));
	else
		r = 0;
	free(host);
	return r;
}

/* Remove a file or an empty directory; one that is gone already is fine. */
static int
remove_entry(const char *root, const char *path, bool dir, char **cause)
{
	char *host = NULL;
	int r = 0;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	if ((dir ? rmdir(host) : unlink(host)) != 0 && errno != ENOENT)
		r = set_cause(cause, _("cannot remove %s'%s': %s"), dir ?
		    "directory " : "", host, strerror(errno));
	else
		(void)fsync_dir_of(host);
	free(host);
	return r;
}

int
fs_unlink(const char *root, const char *path, char **cause)
{
	return remove_entry(root, path, false, cause);
}

int
fs_rmdir(const char *root, const char *path, char **cause)
{
	return remove_entry(root, path, true, cause);
}

int
fs_mkdir(const char *root, const char *path, mode_t mode, uid_t uid,
    gid_t gid, char **cause)
{
	char *host = NULL;
	int r;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	r = mkdir(host, mode);
	if (r != 0)
		set_cause(cause, _("cannot create directory '%s': %s"), host,
		    strerror(errno));
	free(host);
	/* mkdir's mode went through the umask: set it exactly. */
	return r != 0 ? -1 : fs_chmod_chown(root, path, mode, uid, gid, cause);
}

int
fs_mkdir_p(const char *root, const char *path, mode_t mode, char **cause)
{
	char *copy = xstrdup(path), *p;
	int r = 0;

	for (p = copy + 1; r == 0; p++) {
		char saved = *p;
		char *host = NULL;

		if (*p != '/' && *p != '\0')
			continue;
		*p = '\0';
		if (fs_resolve(root, copy, &host, cause) != 0)
			r = -1;
		else if (mkdir(host, mode) != 0 && errno != EEXIST)
			r = set_cause(cause,
			    _("cannot create directory '%s': %s"),
			    host, strerror(errno));
		free(host);
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return r;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The scratch directories this process holds, for a removal from a signal
 * handler (fixed storage: nothing there may allocate).
 */
#define SCRATCH_MAX 16
static char scratch_live[SCRATCH_MAX][256];

/* tmpfs first where there is one: the tools run there fsync. */
static const char *const scratch_bases[] = { "/dev/shm", "/tmp" };
#define NBASES (sizeof scratch_bases / sizeof *scratch_bases)

static void
scratch_register(const char *dir)
{
	for (size_t i = 0; i < SCRATCH_MAX; i++) {
		if (scratch_live[i][0] == '\0' && strlen(dir) <
		    sizeof scratch_live[i]) {
			memcpy(scratch_live[i], dir, strlen(dir) + 1);
			return;
		}
	}
}

static void
scratch_unregister(const char *dir)
{
	for (size_t i = 0; i < SCRATCH_MAX; i++) {
		if (strcmp(scratch_live[i], dir) == 0)
			scratch_live[i][0] = '\0';
	}
}

/*
 * Our pid namespace: a pid means something only there (the tests, and
 * containers sharing /dev/shm, run hardenwiz in others).
 */
static unsigned long
pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long)st.st_ino :
	    0;
}

/* Ours, by a marker: ".owner" saying "hardenwiz PID PIDNS". */
static int
scratch_mark(const char *dir)
{
	char *path = xasprintf("%s/.owner", dir), *text;
	int r;

	text = xasprintf("hardenwiz %ld %lu\n", (long)getpid(), pid_ns());
	r = fs_write_scratch(path, text, strlen(text), NULL);
	free(text);
	free(path);
	return r;
}

char *
fs_scratch_dir(const char *what, char **cause)
{
	sigset_t all, old;

	/* Made, listed and marked with signals held: none left unlisted. */
	sigfillset(&all);
	for (size_t i = 0; i < NBASES; i++) {
		char *d = xasprintf("%s/hardenwiz-%s.XXXXXX", scratch_bases[i],
		    what);

		sigprocmask(SIG_BLOCK, &all, &old);
		if (mkdtemp(d) != NULL) {
			scratch_register(d);
			if (scratch_mark(d) == 0) {
				sigprocmask(SIG_SETMASK, &old, NULL);
				return d;
			}
			fs_remove_tree(d);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		free(d);
	}
	set_cause(cause, _("cannot create a scratch directory in /dev/shm or "
	    "/tmp: %s"), strerror(errno));
	return NULL;
}

void
fs_scratch_cleanup_now(void)
{
	static const char *const rm[] = { "/usr/bin/rm", "/bin/rm" };

	for (size_t i = 0; i < SCRATCH_MAX; i++) {
		pid_t pid;
		int status;

		if (scratch_live[i][0] == '\0')
			continue;
		/* fork, execve and waitpid are async-signal-safe. */
		if ((pid = fork()) == 0) {
			char *argv[] = { "rm", "-rf", "--", scratch_live[i],
			    NULL };
			char *envp[] = { NULL };

			for (size_t k = 0; k < 2; k++)
				execve(rm[k], argv, envp);
			_exit(127);
		}
		if (pid > 0)
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
		scratch_live[i][0] = '\0';
	}
}

static void
on_fatal_signal(int sig)
{
	fs_scratch_cleanup_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
fs_scratch_on_signals(void)
{
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * The pid in DIR's marker, when the marker is hardenwiz's and from our pid
 * namespace; else 0 (not ours to judge).
 */
static long
scratch_owner(const char *dir)
{
	char *path = xasprintf("%s/.owner", dir), *data = NULL, *end;
	size_t len = 0;
	long pid = 0;

	if (fs_slurp(path, &data, &len, NULL) == 0 && str_has_prefix(data,
	    "hardenwiz ")) {
		pid = strtol(data + strlen("hardenwiz "), &end, 10);
		if (strtoul(end, NULL, 10) != pid_ns() || pid_ns() == 0)
			pid = 0;
	}
	free(data);
	free(path);
	return pid;
}

int
fs_scratch_sweep(void)
{
	int n = 0;

	for (size_t b = 0; b < NBASES; b++) {
		DIR *d = opendir(scratch_bases[b]);
		struct dirent *de;

		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char *dir;
			struct stat st;
			long pid;

			if (!str_has_prefix(de->d_name, "hardenwiz-"))
				continue;
			dir = xasprintf("%s/%s", scratch_bases[b], de->d_name);
			if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
			    st.st_uid == geteuid() && (pid = scratch_owner(dir))
			    > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
				fs_remove_tree(dir);
				n++;
			}
			free(dir);
		}
		closedir(d);
	}
	return n;
}

int
fs_list(const char *root, const char *path, struct strv *names, char **cause)
{
	char *host = NULL;
	DIR *d;
	struct dirent *de;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	d = opendir(host);
	if (d == NULL) {
		int e = errno;

		free(host);
		return e == ENOENT ? 0 : set_cause(cause, _("cannot read "
		    "'%s': %s"), path, strerror(e));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			strv_add(names, de->d_name);
	}
	closedir(d);
	free(host);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof *names->v, name_cmp);
	return 0;
}

bool
fs_is_dir(const char *root, const char *path)
{
	char *host = NULL;
	struct stat st;
	bool dir;

	if (fs_resolve(root, path, &host, NULL) != 0)
		return false;
	dir = stat(host, &st) == 0 && S_ISDIR(st.st_mode);
	free(host);
	return dir;
}

bool
fs_exists(const char *root, const char *path)
{
	char *host = NULL;
	struct stat st;
	bool found;

	if (fs_resolve(root, path, &host, NULL) != 0)
		return false;
	found = lstat(host, &st) == 0;
	free(host);
	return found;
}

bool
fs_lexists(const char *root, const char *path)
{
	char *copy = xstrdup(path), *slash = strrchr(copy, '/'), *dir = NULL;
	char *host;
	struct stat st;
	bool found = false;

	if (slash != NULL && slash != copy) {
		*slash = '\0';
		if (fs_resolve(root, copy, &dir, NULL) == 0) {
			host = xasprintf("%s/%s", dir, slash + 1);
			found = lstat(host, &st) == 0;
			free(host);
		}
	}
	free(dir);
	free(copy);
	return found;
}

void
fs_remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..")
		    == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			fs_remove_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
	/* Only now: a signal half way through still finds it listed. */
	scratch_unregister(dir);
}

/* fs_copy_scratch's copying: each chunk written to FD (TO). */
struct copy_state {
	int		 fd;
	const char	*to;
};

static int
copy_chunk(void *arg, const char *chunk, size_t n, char **cause)
{
	const struct copy_state *cs = arg;

	if (write_all(cs->fd, chunk, n) == 0)
		return 0;
	return set_cause(cause, _("cannot write the working copy '%s': %s"),
	    cs->to, strerror(errno));
}

int
fs_copy_scratch(const char *root, const char *path, const char *to,
    bool *exists, char **cause)
{
	char *host = NULL;
	int in = -1, out = -1, r = -1;
	struct stat st;

	*exists = false;
	/* The scratch copy is often tmpfs, which is memory too: the size
	 * limit of a read holds. */
	if (open_regular(root, path, &in, &st, &host, cause) != 0)
		goto out;
	if (in < 0) {
		r = 0;
		goto out;
	}
	*exists = true;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (out < 0) {
		set_cause(cause, _("cannot write the working copy '%s': %s"),
		    to, strerror(errno));
		goto out;
	}
	{
		struct copy_state cs = { out, to };

		r = each_chunk(in, host, copy_chunk, &cs, cause);
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(host);
	return r;
}

int
fs_write_scratch(const char *hostpath, const void *data, size_t len,
    char **cause)
{
	int fd = open(hostpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	int r = 0;

	if (fd < 0 || write_all(fd, data, len) != 0)
		r = set_cause(cause,
		    _("cannot write the working copy '%s': %s"),
		    hostpath, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}
