/*
 * planner.c -- one session, many steps.
 */
#include <stdlib.h>
#include <string.h>

#include "early.h"
#include "i18n.h"
#include "planner.h"

int
steps_select(const char *only, const struct step ***out, size_t *n,
    char **cause)
{
	const struct step **v = xcalloc(step_count, sizeof *v);
	struct strv ids;

	*n = 0;
	strv_init(&ids);
	if (only != NULL) {
		split_list(only, &ids);
		for (size_t i = 0; i < ids.n; i++) {
			if (step_find(ids.v[i]) == NULL) {
				set_cause(cause, _("--only: unknown step '%s'"),
				    ids.v[i]);
				strv_release(&ids);
				free(v);
				return -1;
			}
		}
	}
	for (size_t i = 0; i < step_count; i++) {
		if (only == NULL || strv_contains(&ids, step_table[i]->id))
			v[(*n)++] = step_table[i];
	}
	strv_release(&ids);
	*out = v;
	return 0;
}

/*
 * The union of the steps' Augeas files (each lens+glob once); for an
 * AUDIT, only those the audits read (not plan_only).
 */
static struct aug_file *
files_of(const struct step *const *steps, size_t n, bool audit,
    size_t *count)
{
	struct aug_file *v = NULL;

	*count = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < steps[i]->nfiles; k++) {
			const struct aug_file *f = &steps[i]->files[k];
			bool dup = false;

			if (audit && f->plan_only)
				continue;
			for (size_t j = 0; j < *count; j++)
				dup |= strcmp(v[j].glob, f->glob) == 0;
			if (dup)
				continue;
			v = xreallocarray(v, *count + 1, sizeof *v);
			v[(*count)++] = *f;
		}
	}
	return v;
}

/* One Augeas session with the files of STEPS, and the target's os-release. */
struct session {
	struct augs	*augs;
	struct osinfo	 os;
	struct aug_file	*files;		/* the session points into it */
};

static int
session_open(struct session *se, const char *root,
    const struct step *const *steps, size_t n, bool audit, char **cause)
{
	size_t nf;

	memset(se, 0, sizeof *se);
	osinfo_load(root, &se->os);
	se->files = files_of(steps, n, audit, &nf);
	return augs_open(&se->augs, root, se->files, nf, cause);
}

static void
session_close(struct session *se)
{
	augs_free(se->augs);
	free(se->files);
	osinfo_release(&se->os);
}

const struct settings *
step_ctx_settings(const struct step_ctx *ctx, const struct step *step)
{
	for (size_t i = 0; i < ctx->nsteps; i++) {
		if (ctx->steps[i] == step)
			return ctx->settings != NULL ? ctx->settings[i] : NULL;
	}
	return NULL;
}

int
plan_steps(const char *root, const struct step *const *steps,
    const struct settings *const *settings, size_t n, struct plan *p,
    char **cause)
{
	struct session se;
	int r = -1;

	if ((r = session_open(&se, root, steps, n, false, cause)) != 0) {
		r = r == AUGS_REFUSED ? PLAN_REFUSED : -1;
		goto out;
	}
	r = -1;
	for (size_t i = 0; i < n; i++) {
		struct step_ctx ctx = { .id = steps[i]->id, .root = root,
		    .augs = se.augs, .os = &se.os, .steps = steps,
		    .settings = settings, .nsteps = n };
		char *err = NULL;

		if (settings[i] == NULL)
			continue;
		if (steps[i]->plan(&ctx, settings[i], p, &err) != 0) {
			/* A recipe's reader needs the section (once: a
			 * message may name it already); the wizard's is in
			 * the step's own form. */
			if (p->wizard || (err[0] == '[' && strncmp(err + 1,
			    steps[i]->id, strlen(steps[i]->id)) == 0))
				set_cause(cause, "%s", err);
			else
				set_cause(cause, "[%s] %s", steps[i]->id, err);
			free(err);
			goto out;
		}
	}
	/* Across steps: maps before the main.cf that names them, reloads last. */
	plan_sort(p);
	r = 0;
out:
	session_close(&se);
	return r;
}

int
before_steps(const char *root, const struct step *const *steps,
    const struct settings *const *settings, size_t n, bool preview,
    const struct progress *progress, struct strv *report, char **cause)
{
	struct osinfo os;
	int r = 0;

	osinfo_load(root, &os);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct step_ctx ctx = { .id = steps[i]->id, .root = root,
		    .os = &os, .steps = steps, .settings = settings,
		    .nsteps = n };
		char *err = NULL;

		if (settings[i] == NULL || steps[i]->before == NULL)
			continue;
		/* Under --root nothing of the live system is done. */
		if ((r = steps[i]->before(&ctx, settings[i], preview ||
		    strcmp(root, "/") != 0, progress, report, &err)) != 0)
			set_cause(cause, "[%s] %s", steps[i]->id, err);
		free(err);
	}
	osinfo_release(&os);
	return r;
}

/*
 * The steps' slow programs started in EARLY before any Augeas load: they
 * run on the other core while the session loads (early.h).
 */
static void
prefetch_steps(const char *root, const struct step *const *steps, size_t n,
    bool effective, struct early *early)
{
	struct osinfo os;

	osinfo_load(root, &os);
	for (size_t i = 0; i < n; i++) {
		struct step_ctx ctx = { .id = steps[i]->id, .root = root,
		    .os = &os, .effective = effective, .early = early };

		if (steps[i]->prefetch != NULL)
			steps[i]->prefetch(&ctx);
	}
	osinfo_release(&os);
}

/* STEPS[I]'s audit in session SE; an error is the audit's, not the run's. */
static void
audit_in(struct session *se, const char *root, const struct step *step,
    bool effective, struct early *early, struct audit *a)
{
	struct step_ctx ctx = { .id = step->id, .root = root,
	    .augs = se->augs, .os = &se->os, .effective = effective,
	    .early = early };
	char *err = NULL;

	if (step->audit(&ctx, a, &err) != 0) {
		a->state = STATE_ERROR;
		strv_add(&a->notes, err ? err : "audit failed");
	}
	free(err);
}

void
audit_steps(const char *root, const struct step *const *steps, size_t n,
    bool effective, struct audit *audits)
{
	struct early *early = early_new();
	struct session se;

	prefetch_steps(root, steps, n, effective, early);
	if (session_open(&se, root, steps, n, true, NULL) == 0) {
		for (size_t i = 0; i < n; i++)
			audit_in(&se, root, steps[i], effective, early,
			    &audits[i]);
		session_close(&se);
		early_free(early);
		return;
	}
	session_close(&se);
	/*
	 * A file one step cannot read (a master.cf the lens does not take)
	 * must not hide the others: each step in a session of its own, and
	 * the one that cannot read its files says why.
	 */
	for (size_t i = 0; i < n; i++) {
		char *err = NULL;

		if (session_open(&se, root, &steps[i], 1, true, &err) == 0)
			audit_in(&se, root, steps[i], effective, early,
			    &audits[i]);
		else {
			audits[i].state = STATE_ERROR;
			strv_add(&audits[i].notes, err ? err :
			    _("cannot read its files"));
		}
		free(err);
		session_close(&se);
	}
	early_free(early);
}
