/*
 * fsutil.h -- every file the tool touches is named by its path inside the
 * target root ("/etc/ssh/sshd_config") and reached through these helpers,
 * which refuse symbolic links that lead out of the root and replace files
 * atomically with their mode, owner and SELinux label kept.
 */
#ifndef HW_FSUTIL_H
#define HW_FSUTIL_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util.h"

/*
 * Largest file we read into memory: configuration files and the text maps
 * they name (a ban list of a million lines is 40 MB), not databases. A
 * file is read into a buffer of its own size, never twice that.
 */
#define FS_MAX_FILE (256 * 1024 * 1024)

/*
 * Host path of PATH (absolute, inside ROOT) with links resolved; the final
 * component may not exist. Fails, naming the link, when a link leads out of
 * ROOT. *out is the caller's to free.
 */
int	 fs_resolve(const char *root, const char *path, char **out, char **cause);

struct fs_file {
	bool	 exists;
	char	*data;		/* owned; NUL-terminated; NULL when !exists */
	size_t	 len;
	mode_t	 mode;		/* permission bits only */
	uid_t	 uid;
	gid_t	 gid;
};
void	 fs_file_release(struct fs_file *);
/* Read PATH inside ROOT; a missing file is not an error (exists = false). */
int	 fs_read(const char *root, const char *path, struct fs_file *,
	    char **cause);
/*
 * *SAME: PATH inside ROOT exists as EXISTS says and holds exactly the LEN
 * bytes of DATA. Compared as it is read, so a large file is not held twice.
 */
int	 fs_same(const char *root, const char *path, bool exists,
	    const char *data, size_t len, bool *same, char **cause);

/*
 * Replace PATH inside ROOT with DATA: temp file in the same directory,
 * fchown, fchmod, fsync, rename, fsync of the directory. The old file's
 * SELinux label is kept. On failure the old file is untouched.
 */
int	 fs_write_atomic(const char *root, const char *path, const void *data,
	    size_t len, mode_t mode, uid_t uid, gid_t gid, char **cause);
/*
 * Remove the temporary files fs_write_atomic leaves in DIR when killed
 * between creating and renaming one (".hardenwiz." and six letters or
 * digits, regular files only: nothing else is ours). Returns how many.
 */
int	 fs_remove_temps(const char *root, const char *dir);
int	 fs_chmod_chown(const char *root, const char *path, mode_t mode,
	    uid_t uid, gid_t gid, char **cause);
int	 fs_unlink(const char *root, const char *path, char **cause);
int	 fs_mkdir(const char *root, const char *path, mode_t mode, uid_t uid,
	    gid_t gid, char **cause);
int	 fs_rmdir(const char *root, const char *path, char **cause);
/* mkdir -p of a directory under ROOT with MODE for the ones it creates. */
int	 fs_mkdir_p(const char *root, const char *path, mode_t mode,
	    char **cause);
bool	 fs_exists(const char *root, const char *path);
/* PATH is a directory, links inside the root followed. */
bool	 fs_is_dir(const char *root, const char *path);
/*
 * The names in directory PATH that do not start with '.', sorted, into
 * NAMES. A missing directory has none; -1 when it cannot be read.
 */
int	 fs_list(const char *root, const char *path, struct strv *names,
	    char **cause);
/* PATH itself exists, a link not followed (enable links of systemd units). */
bool	 fs_lexists(const char *root, const char *path);

/*
 * Write a private working copy at HOSTPATH (mode 0600, no fsync: scratch
 * and staging trees only, never a target file). Fails on a link.
 */
/*
 * Copy PATH inside ROOT to the scratch file TO (as fs_write_scratch), a
 * chunk at a time: a large map is not read into memory. *EXISTS: PATH was
 * there (else nothing is written and 0 returned).
 */
int	 fs_copy_scratch(const char *root, const char *path, const char *to,
	    bool *exists, char **cause);
int	 fs_write_scratch(const char *hostpath, const void *data, size_t len,
	    char **cause);

/* rm -r of a host directory we created (scratch and staging copies). */
void	 fs_remove_tree(const char *hostdir);
/*
 * A new private directory for working copies, on tmpfs (/dev/shm) where
 * there is one: the tools run there fsync, and a disk makes that slow.
 * Caller removes it (fs_remove_tree) and frees the path.
 */
char	*fs_scratch_dir(const char *what, char **cause);
/*
 * Scratch copies may hold a candidate password map: none outlives the
 * process. fs_scratch_on_signals makes SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * remove them before the process dies (fs_scratch_cleanup_now is the
 * async-signal-safe removal, for other handlers); fs_scratch_sweep removes
 * those of a hardenwiz that was killed (SIGKILL, power), recognised by the
 * ".owner" marker naming a process that no longer exists, ours only.
 */
void	 fs_scratch_on_signals(void);
void	 fs_scratch_cleanup_now(void);
int	 fs_scratch_sweep(void);

/* Read a whole host file (not root-relative); for recipes and secrets. */
int	 fs_slurp(const char *hostpath, char **data, size_t *len, char **cause);
/* The same from an open FD (NAME for messages): what was checked is read. */
int	 fs_slurp_fd(int fd, const char *name, char **data, size_t *len,
	    char **cause);

/* All LEN bytes of DATA to FD (short writes and EINTR retried); 0 or -1
 * with errno. */
int	 write_all(int fd, const void *data, size_t len);

#endif
