/*
 * testutil.h -- helpers for the cmocka unit tests: a private temporary
 * directory per test and small file helpers.
 */
#ifndef HW_TESTUTIL_H
#define HW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"

static inline void
run_quiet(char *const *argv)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static inline char *
tmpdir_new(void)
{
	char tmpl[] = "/tmp/hwtest.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return xstrdup(d);
}

static inline void
tmpdir_free(char *d)
{
	char *argv[] = { "rm", "-rf", d, NULL };

	run_quiet(argv);
	free(d);
}

static inline void
put_file(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char *p = xasprintf("%s%s", dir, rel);
	char *slash = strrchr(p, '/');
	int fd;

	*slash = '\0';
	{
		char *argv[] = { "mkdir", "-p", p, NULL };

		run_quiet(argv);
	}
	*slash = '/';
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(p);
}

/* Content of DIR/REL, or NULL when it does not exist; caller frees. */
static inline char *
get_file(const char *dir, const char *rel)
{
	char *p = xasprintf("%s%s", dir, rel), *data = NULL;
	size_t len;

	if (fs_slurp(p, &data, &len, NULL) != 0)
		data = NULL;
	free(p);
	return data;
}

#endif
