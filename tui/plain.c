/*
 * plain.c -- the line frontend for dumb terminals and pipes: numbered
 * menus, one prompt per question, the diff printed as is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <termios.h>
#include <unistd.h>

#include "frontend.h"
#include "i18n.h"

static char *ask(const char *);

/* A line typed without echo (a password); NULL at end of input. */
static char *
ask_secret(const char *prompt)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line;

	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	line = ask(prompt);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		putchar('\n');
	}
	return line;
}

/* One line of input without its newline; NULL at end of input. */
/*
 * FMT with two strings (%s, %s), the second from files or the system: its
 * control characters are made visible, never sent to the terminal.
 */
static void
show(const char *fmt, const char *a, const char *b)
{
	char *va = ctl_visible(a), *vb = ctl_visible(b);

	printf(fmt, va, vb);
	free(va);
	free(vb);
}

static char *
ask(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	fputs(prompt, stdout);
	fflush(stdout);
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

static int
plain_start(void)
{
	return 0;
}

static void
plain_stop(void)
{
}

/*
 * The items whose name starts with what the admin typed (ASCII case
 * folded; the padding and "[state]" after a name are part of the item, so
 * "ssh" picks "SSH access  [needs-change]"). Returns how many match; the
 * first is in *choice.
 */
static size_t
match_items(const char *typed, char *const *items, size_t n, size_t *choice)
{
	size_t len = strlen(typed), hits = 0;

	for (size_t i = 0; i < n && len > 0; i++) {
		const char *item = items[i];

		item += strspn(item, " ");
		if (strncasecmp(item, typed, len) != 0)
			continue;
		if (hits++ == 0)
			*choice = i;
	}
	return hits;
}

static enum fe_answer
plain_menu(const char *title, const char *text, char *const *items, size_t n,
    size_t *choice)
{
	for (;;) {
		char *line, *end;
		unsigned long k;
		size_t hits;

		show("\n== %s ==\n%s\n", title, text);
		/* The numbers right-aligned, so the names line up. */
		int digits = n >= 100 ? 3 : n >= 10 ? 2 : 1;

		for (size_t i = 0; i < n; i++) {
			char *num = xasprintf("%*zu", digits, i + 1);

			show("  %s) %s\n", num, items[i]);
			free(num);
		}
		line = ask(_("Choice (a number or the start of a name; q to go "
		    "back): "));
		if (line == NULL)
			return FE_QUIT;
		if (strcmp(line, "q") == 0) {
			free(line);
			return FE_BACK;
		}
		k = strtoul(line, &end, 10);
		if (*line != '\0' && *end == '\0' && k >= 1 && k <= n) {
			free(line);
			*choice = k - 1;
			return FE_OK;
		}
		hits = *line != '\0' && *end != '\0' ?
		    match_items(line, items, n, choice) : 0;
		if (hits == 1) {
			free(line);
			return FE_OK;
		}
		if (hits > 1)
			printf(_("'%s' starts more than one name: type more of "
			    "it, or its number.\n"), line);
		else
			printf(_("Type a number from 1 to %zu, or the start of "
			    "a name.\n"), n);
		free(line);
	}
}

static enum fe_answer
ask_question(const struct question *q, struct settings *answers)
{
	for (;;) {
		const char *dflt = settings_get(answers, q->key);
		char *prompt, *line, *canon = NULL, *why = NULL;

		prompt = xasprintf(_("%s [%s] (? for help): "), _(q->label),
		    dflt == NULL ? "" : (q->flags & Q_SECRET) && dflt[0] ?
		    "********" : dflt);
		line = (q->flags & Q_SECRET) ? ask_secret(prompt) :
		    ask(prompt);
		free(prompt);
		if (line == NULL)
			return FE_QUIT;
		if (strcmp(line, "?") == 0) {
			printf("  %s\n", _(q->help));
			if (q->choices != NULL) {
				for (size_t i = 0; q->choices[i]; i++)
					printf("    %s\n", q->choices[i]);
			}
			free(line);
			continue;
		}
		if (line[0] == '\0') {
			free(line);
			return FE_OK;	/* keep the default */
		}
		if (strcmp(line, "-") == 0 && (q->type == V_PUBKEY ||
		    q->type == V_TEXT)) {
			settings_set(answers, q->key, "");
			free(line);
			return FE_OK;
		}
		if (value_parse(q, line, &canon, &why) == 0) {
			settings_set(answers, q->key, canon);
			free(canon);
			free(line);
			return FE_OK;
		}
		printf("  %s\n", why);
		free(why);
		free(line);
	}
}

static enum fe_answer
plain_form(const struct form *f, struct settings *answers)
{
	char *summary = audit_summary(f->audit);

	printf("\n== %s ==\n%s\n", _(f->step->title), _(f->step->help));
	show("%s%s", "", summary);
	free(summary);
	printf("%s\n", _("Press Enter to keep a value in brackets."));
	for (size_t i = 0; i < f->n; i++) {
		if (ask_question(f->questions[i], answers) != FE_OK)
			return FE_BACK;
	}
	return FE_OK;
}

static bool
yes_no(const char *question)
{
	char *line = ask(question);
	bool yes = line != NULL && (strcmp(line, "y") == 0 ||
	    strcmp(line, "yes") == 0 || strcmp(line, "Y") == 0);

	free(line);
	return yes;
}

static enum fe_answer
plain_preview(const char *title, const char *diff)
{
	/* The wizard asks for confirmation next; no question here. */
	show("\n== %s ==\n%s", title, diff);
	return FE_OK;
}

static bool
plain_confirm(const char *title, const char *text)
{
	/* TRANSLATORS: the answers stay y and n. */
	char *q = xasprintf(_("%s: %s [y/N] "), title, text);
	bool yes = yes_no(q);

	free(q);
	return yes;
}

static void
plain_message(const char *title, const char *text)
{
	show("\n== %s ==\n%s\n", title, text);
	fflush(stdout);
}

/* The percent last printed: a line at each tenth, not at each package. */
static int plain_gauge_last = -1;

static void
plain_gauge_open(const char *title)
{
	plain_gauge_last = -1;
	show("\n== %s ==\n%s\n", title, "");
	fflush(stdout);
}

static void
plain_gauge(int percent, const char *what)
{
	if (!progress_tenth(&plain_gauge_last, percent))
		return;
	if (percent >= 0)
		printf("%3d%% ", percent);
	show("%s%s\n", what, "");
	fflush(stdout);
}

static void
plain_gauge_close(void)
{
	plain_gauge_last = -1;
}

const struct frontend plain_frontend = {
	.name = "plain",
	.start = plain_start,
	.stop = plain_stop,
	.menu = plain_menu,
	.form = plain_form,
	.preview = plain_preview,
	.confirm = plain_confirm,
	.message = plain_message,
	.gauge_open = plain_gauge_open,
	.gauge = plain_gauge,
	.gauge_close = plain_gauge_close,
};
