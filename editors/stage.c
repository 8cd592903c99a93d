/*
 * stage.c -- staging a configuration directory for a checker. See stage.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "fsutil.h"
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
