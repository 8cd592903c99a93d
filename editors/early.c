/*
 * early.c -- programs started before they are needed. See early.h.
 */
#include <stdlib.h>
#include <string.h>

#include "early.h"

struct early_job {
	char		*key;
	struct run_job	*job;
	struct buf	 err;		/* standard error, when kept apart */
	void		(*done)(void *);
	void		*arg;
};

/* Each job on its own: the program's options point at its err buffer. */
struct early {
	struct early_job **v;
	size_t		   n;
};

struct early *
early_new(void)
{
	return xcalloc(1, sizeof(struct early));
}

static struct early_job *
find(struct early *e, const char *key)
{
	for (size_t i = 0; e != NULL && i < e->n; i++) {
		if (strcmp(e->v[i]->key, key) == 0)
			return e->v[i];
	}
	return NULL;
}

static void
job_end(struct early_job *j)
{
	if (j->done != NULL)
		j->done(j->arg);
	buf_release(&j->err);
	free(j->key);
	free(j);
}

static void
forget(struct early *e, struct early_job *j)
{
	for (size_t i = 0; i < e->n; i++) {
		if (e->v[i] == j) {
			e->v[i] = e->v[--e->n];
			break;
		}
	}
	job_end(j);
}

void
early_start(struct early *e, const char *key, char *const *argv,
    const struct run_opts *opts, bool apart, void (*done)(void *), void *arg)
{
	struct run_opts o = opts != NULL ? *opts : (struct run_opts){ 0 };
	struct early_job *j;

	if (e == NULL || find(e, key) != NULL) {
		if (done != NULL)
			done(arg);
		return;
	}
	j = xcalloc(1, sizeof *j);
	buf_init(&j->err);
	o.err = apart ? &j->err : NULL;
	j->done = done;
	j->arg = arg;
	/* Its error, if it cannot start, is the audit's to meet and tell. */
	if (run_start(argv, &o, &j->job, NULL) != 0) {
		job_end(j);
		return;
	}
	j->key = xstrdup(key);
	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	e->v[e->n++] = j;
}

int
early_take(struct early *e, const char *key, struct buf *out,
    struct buf *err, int *status, char **cause)
{
	struct early_job *j = find(e, key);
	int r;

	if (j == NULL)
		return 1;
	r = run_wait(j->job, out, status, cause);
	if (err != NULL)
		buf_add(err, j->err.data != NULL ? j->err.data : "", j->err.len);
	forget(e, j);
	return r;
}

void
early_free(struct early *e)
{
	if (e == NULL)
		return;
	while (e->n > 0) {
		run_stop(e->v[e->n - 1]->job);
		job_end(e->v[--e->n]);
	}
	free(e->v);
	free(e);
}
