/*
 * output.c -- text and JSON renderings of plans, audits and results.
 */
#include <stdlib.h>
#include <string.h>

#include "hardenwiz.h"
#include "i18n.h"

void
fputs_visible(const char *s, FILE *f)
{
	char *v = ctl_visible(s);

	fputs(v, f);
	free(v);
}

void
print_plan(FILE *f, const struct plan *p)
{
	struct buf b;

	buf_init(&b);
	plan_render(p, NULL, &b);
	if (b.len > 0)
		fputs_visible(b.data, f);
	buf_release(&b);
	for (size_t i = 0; i < p->notes.n; i++) {
		char *m = plan_mask(p, p->notes.v[i]);

		fputs("# note: ", f);
		fputs_visible(m, f);
		fputc('\n', f);
		free(m);
	}
}

void
print_audit(FILE *f, const struct step *const *steps, const struct audit *a,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%-18s %-15s %s\n", steps[i]->id,
		    step_state_name(a[i].state), _(steps[i]->title));
		for (size_t k = 0; k < a[i].nfindings; k++)
			fprintf(f, "    %s: %s -> %s\n", a[i].findings[k].key,
			    a[i].findings[k].current, a[i].findings[k].wanted);
		for (size_t k = 0; k < a[i].notes.n; k++)
			fprintf(f, "    %s: %s\n", _("note"), a[i].notes.v[k]);
	}
}

json_t *
json_doc(const struct options *o, const char *mode)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(doc, "root", json_string(o->root));
	json_object_set_new(doc, "mode", json_string(mode));
	json_object_set_new(doc, "changed", json_false());
	json_object_set_new(doc, "steps", json_array());
	json_object_set_new(doc, "errors", json_array());
	return doc;
}

void
json_errors(json_t *doc, const char *message)
{
	json_t *errs = json_object_get(doc, "errors");
	const char *s = message;

	/* One entry per line: a recipe can have many errors. */
	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		char *line = xstrndup(s, n);

		json_array_append_new(errs, json_string(line));
		free(line);
		s += n + (s[n] == '\n');
	}
}

static json_t *
commands_of(const struct plan *p, const char *step)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nchanges; i++) {
		const struct change *c = &p->changes[i];
		json_t *argv;

		if (c->kind != CHANGE_COMMAND || strcmp(c->step, step) != 0)
			continue;
		argv = json_array();
		for (size_t k = 0; c->argv[k] != NULL; k++) {
			char *m = plan_mask(p, c->argv[k]);

			json_array_append_new(argv, json_string(m));
			free(m);
		}
		json_array_append_new(a, argv);
	}
	return a;
}

void
json_plan_steps(json_t *doc, const struct plan *p,
    const struct step *const *steps, size_t n, bool applied)
{
	json_t *arr = json_object_get(doc, "steps");

	for (size_t i = 0; i < n; i++) {
		json_t *s = json_object(), *findings = json_array();
		json_t *files = json_array();
		struct strv fl;
		bool changes = plan_step_changes(p, steps[i]->id);

		strv_init(&fl);
		plan_step_files(p, steps[i]->id, &fl);
		for (size_t k = 0; k < fl.n; k++)
			json_array_append_new(files, json_string(fl.v[k]));
		strv_release(&fl);
		for (size_t k = 0; k < p->nexpect; k++) {
			const struct expectation *e = &p->expect[k];
			json_t *f;
			char *current, *wanted;

			/* A check to run, not a setting (and it holds the
			 * password). */
			if (strcmp(e->step, steps[i]->id) != 0 ||
			    e->kind->probe)
				continue;
			current = plan_mask(p, e->current);
			wanted = plan_mask(p, e->value);
			f = json_object();
			json_object_set_new(f, "key", json_string(e->label));
			json_object_set_new(f, "current", json_string(current));
			json_object_set_new(f, "wanted", json_string(wanted));
			json_array_append_new(findings, f);
			free(current);
			free(wanted);
		}
		json_object_set_new(s, "id", json_string(steps[i]->id));
		json_object_set_new(s, "state", json_string(
		    strv_contains(&p->not_applicable, steps[i]->id) ?
		    "not-applicable" : !changes ? "ok" : applied ? "changed" :
		    "needs-change"));
		json_object_set_new(s, "findings", findings);
		json_object_set_new(s, "files", files);
		json_object_set_new(s, "commands", commands_of(p,
		    steps[i]->id));
		json_array_append_new(arr, s);
	}
}

json_t *
json_text(const char *s)
{
	/* jansson refuses bytes that are not UTF-8: they are shown as \xNN,
	 * never dropped with the whole string. */
	char *valid = utf8_escape(s, strlen(s), false);
	json_t *j = json_string(valid);

	free(valid);
	return j;
}

json_t *
strv_json(const struct strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_text(sv->v[i]));
	return a;
}

void
json_print(json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	fflush(stdout);
}
