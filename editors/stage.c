/*
 * stage.c -- staging a configuration directory for a checker. See stage.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fsutil.h"
#include "i18n.h"
#include "stage.h"

struct staging {
	const char		*root;
	const struct plan	*plan;	/* or NULL */
	const struct stage_rules *rules;
	const char		*top;	/* the stage */
};

void
stage_backdate(const char *path)
{
	struct timespec t[2];

	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= 60;
	t[1] = t[0];
	(void)utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
}

/* A link at REL pointing at the live file through LINK_BASE. */
static int
link_live(const struct staging *s, const char *rel, const char *to,
    char **cause)
{
	struct buf target;
	int r = 0;

	buf_init(&target);
	for (const char *c = rel; (c = strchr(c, '/')) != NULL; c++)
		buf_adds(&target, "../");
	buf_addf(&target, "%s/%s", s->rules->link_base, rel);
	if (symlink(buf_str(&target), to) != 0)
		r = set_cause(cause, _("cannot stage '%s': %s"), to,
		    strerror(errno));
	buf_release(&target);
	return r;
}

static int
copy_live(const struct staging *s, const char *path, const char *to,
    char **cause)
{
	bool exists;

	if (fs_copy_scratch(s->root, path, to, &exists, cause) != 0)
		return -1;
	if (exists)
		stage_backdate(to);
	return 0;
}

/* The live files under REL ("" for the top), without planned ones. */
static int
stage_live(const struct staging *s, const char *rel, char **cause)
{
	const struct stage_rules *rules = s->rules;
	char *dir = xasprintf("%s%s%s", rules->dir, *rel ? "/" : "", rel);
	struct strv names;
	int r;

	strv_init(&names);
	r = fs_list(s->root, dir, &names, cause);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		char *sub = xasprintf("%s%s%s", rel, *rel ? "/" : "",
		    names.v[i]);
		char *path = xasprintf("%s/%s", rules->dir, sub);
		char *to = xasprintf("%s/%s", s->top, sub);
		enum stage_how how = rules->how != NULL ?
		    rules->how(sub, rules->arg) : STAGE_COPY;

		if (fs_is_dir(s->root, path)) {
			if (rules->recurse && mkdir(to, 0700) != 0)
				r = set_cause(cause, _("cannot stage '%s': %s"),
				    to, strerror(errno));
			else if (rules->recurse)
				r = stage_live(s, sub, cause);
		} else if (how == STAGE_SKIP || (s->plan != NULL &&
		    plan_find_file((struct plan *)s->plan, path) != NULL)) {
			/* Skipped, or the candidate comes next. */
		} else if (how == STAGE_LINK) {
			r = link_live(s, sub, to, cause);
		} else {
			r = copy_live(s, path, to, cause);
		}
		free(to);
		free(path);
		free(sub);
	}
	strv_release(&names);
	free(dir);
	return r;
}

/* mkdir -p of the directories above TO inside the stage. */
static void
parents(const struct staging *s, char *to)
{
	for (char *c = to + strlen(s->top) + 1; (c = strchr(c, '/')) != NULL;
	    c++) {
		*c = '\0';
		(void)mkdir(to, 0700);
		*c = '/';
	}
}

static int
stage_candidates(const struct staging *s, char **cause)
{
	const struct stage_rules *rules = s->rules;
	size_t dirlen = strlen(rules->dir);

	for (size_t i = 0; s->plan != NULL && i < s->plan->nchanges; i++) {
		const struct change *c = &s->plan->changes[i];
		const char *rel = c->path + dirlen + 1;
		char *to;
		int r;

		if (c->kind != CHANGE_FILE || strncmp(c->path, rules->dir,
		    dirlen) != 0 || c->path[dirlen] != '/' ||
		    (!rules->recurse && strchr(rel, '/') != NULL))
			continue;
		to = xasprintf("%s/%s", s->top, rel);
		parents(s, to);
		r = rules->candidate != NULL ? rules->candidate(c, to,
		    rules->arg, cause) : fs_write_scratch(to, c->new_text,
		    c->new_len, cause);
		if (r == 0)
			stage_backdate(to);
		free(to);
		if (r != 0)
			return -1;
	}
	return 0;
}

int
stage_make(const char *root, const struct plan *p,
    const struct stage_rules *rules, char **stage, char **cause)
{
	struct staging s = { root, p, rules, NULL };

	if ((*stage = fs_scratch_dir(rules->what, cause)) == NULL)
		return -1;
	s.top = *stage;
	if (stage_live(&s, "", cause) != 0 || stage_candidates(&s,
	    cause) != 0) {
		stage_remove(*stage);
		*stage = NULL;
		return -1;
	}
	return 0;
}

int
stage_file(struct plan *p, const char *path, char **stage, char **copy,
    bool *exists, char **cause)
{
	const char *name = strrchr(path, '/') != NULL ?
	    strrchr(path, '/') + 1 : path;
	char *text = NULL;
	size_t len = 0;
	int r = -1;

	*stage = *copy = NULL;
	*exists = false;
	if (plan_text_after(p, path, &text, &len, exists, cause) != 0)
		return -1;
	if ((*stage = fs_scratch_dir(name, cause)) != NULL) {
		*copy = xasprintf("%s/%s", *stage, name);
		r = fs_write_scratch(*copy, text, len, cause);
	}
	if (r != 0) {
		stage_remove(*stage);
		free(*copy);
		*stage = *copy = NULL;
	}
	free(text);
	return r;
}

void
stage_remove(char *stage)
{
	if (stage == NULL)
		return;
	fs_remove_tree(stage);
	free(stage);
}

/* A file's bytes into MD; -1 when it cannot be read to its end. */
static int
digest_file(EVP_MD_CTX *md, const char *path)
{
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 ||
	    (n < 0 && errno == EINTR))
		if (n > 0)
			EVP_DigestUpdate(md, chunk, (size_t)n);
	close(fd);
	return n == 0 ? 0 : -1;
}

static int
digest_dir(EVP_MD_CTX *md, const char *top, const char *rel)
{
	char *dir = xasprintf("%s%s", top, rel);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort), r = n < 0 ? -1 : 0;

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *sub = xasprintf("%s/%s", rel, name);
		char *path = xasprintf("%s%s", top, sub), target[4096];
		struct stat st;
		ssize_t len;

		if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") !=
		    0) {
			if (lstat(path, &st) != 0)
				r = -1;
			else {
				unsigned int mode = (unsigned int)st.st_mode;

				/* The NUL ends the name: no two paths run
				 * together into one. */
				EVP_DigestUpdate(md, sub, strlen(sub) + 1);
				EVP_DigestUpdate(md, &mode, sizeof mode);
			}
			if (r == 0 && S_ISREG(st.st_mode))
				r = digest_file(md, path);
			else if (r == 0 && S_ISLNK(st.st_mode)) {
				len = readlink(path, target, sizeof target);
				if (len < 0)
					r = -1;
				else
					EVP_DigestUpdate(md, target, (size_t)len);
			} else if (r == 0 && S_ISDIR(st.st_mode))
				r = digest_dir(md, top, sub);
		}
		free(path);
		free(sub);
		free(names[i]);
	}
	free(names);
	free(dir);
	return r;
}

int
stage_digest(const char *stage, unsigned char *digest)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;
	int r = -1;

	if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    digest_dir(md, stage, "") == 0 &&
	    EVP_DigestFinal_ex(md, digest, &len) == 1 &&
	    len == STAGE_DIGEST_LEN)
		r = 0;
	EVP_MD_CTX_free(md);
	return r;
}
