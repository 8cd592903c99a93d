/*
 * newt.c -- the newt (libnewt) frontend. Traps from the notes (4.3): no
 * newtSetHelpCallback (it crashes under TERM=xterm*: F1 is a hotkey here),
 * SIGWINCH is reset after every form run (restored from a saved copy),
 * windows stay 4 rows shorter than the screen, and the ncurses viewer runs
 * between newtSuspend() and newtResume().
 */
#include <newt.h>
#include <slang.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "fsutil.h"
#include "i18n.h"
#include "textwidth.h"

static struct sigaction newt_winch;
static volatile sig_atomic_t newt_active;

static void
fix_signals(void)
{
	sigaction(SIGWINCH, &newt_winch, NULL);
}

/* Ctrl-C, SIGTERM, SIGHUP: give the terminal back before dying. */
static void
on_fatal(int sig)
{
	if (newt_active)
		newtFinished();
	fs_scratch_cleanup_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
on_suspend(void *data)
{
	(void)data;
	newtSuspend();
	raise(SIGTSTP);
	newtResume();
	fix_signals();
}

#define KEY_CTRL_C 3

/*
 * Run FORM. S-Lang's raw mode turns Ctrl-C into a key, not SIGINT, so it is
 * a hotkey on every form: the terminal is restored and we leave. No form
 * runs while a transaction is being applied.
 */
static void
form_run(newtComponent form, struct newtExitStruct *es)
{
	newtFormAddHotKey(form, KEY_CTRL_C);
	newtFormRun(form, es);
	fix_signals();
	if (es->reason == NEWT_EXIT_HOTKEY && es->u.key == KEY_CTRL_C) {
		newtFinished();
		fputs(_("hardenwiz: interrupted; nothing was changed by "
		    "this dialog\n"), stderr);
		exit(130);
	}
}

static void
screen(int *cols, int *rows)
{
	newtGetScreenSize(cols, rows);
	if (*cols < 40)
		*cols = 40;
	if (*rows < 16)
		*rows = 16;
}

/* S cut to COLS columns with "…" when wider; a label's whole text is in the F1 help. */
static char *
clip(const char *s, int cols)
{
	size_t n;

	if (cols < 2 || tw_width(s) <= (size_t)cols)
		return xstrdup(s);
	n = tw_fit(s, (size_t)cols - 1);
	return xasprintf("%.*s%s", (int)n, s, MB_CUR_MAX > 1 ? "…" : "~");
}

/*
 * NO_COLOR (no-color.org): no colour codes at all. newt has its own
 * monochrome palette for NEWT_MONO (reverse video for the focus and the
 * selected item, bold and underline elsewhere): asked for before
 * newtInit reads it.
 */
static void
no_color(void)
{
	const char *v = getenv("NO_COLOR");

	if (v != NULL && *v != '\0')
		(void)setenv("NEWT_MONO", "1", 1);
}

/* The screen behind the windows: the title and the line of keys, both
 * cut to the screen's width. */
static void
draw_background(void)
{
	int cols, rows;
	char *root, *help;

	screen(&cols, &rows);
	root = clip(_("hardenwiz - harden a new server; every change is "
	    "shown first and can be rolled back"), cols - 2);
	help = clip(_(" <Tab> next field | <Space> select | <F1> help | "
	    "<F12> next | <Esc> back"), cols - 1);
	newtCls();
	newtDrawRootText(1, 0, root);
	newtPopHelpLine();
	newtPushHelpLine(help);
	newtRefresh();
	free(root);
	free(help);
}

/*
 * After a resize, with no window open (each page rebuilds itself on
 * NEWT_KEY_RESIZE): newtResizeScreen() keeps S-Lang's screen at its first
 * size (its SLsmg_reinit_smg() is commented out), which cut every later
 * window of a grown terminal at the old size and lost the key line of a
 * shrunk one. The screen is made anew at the new size.
 */
static void
resize_screen(void)
{
	SLtt_get_screen_size();
	SLsmg_reinit_smg();
	draw_background();
}

static int
newt_start(void)
{
	struct sigaction sa;

	no_color();
	if (newtInit() != 0) {
		fputs(_("hardenwiz: cannot start the terminal interface; "
		    "try --plain\n"), stderr);
		return -1;
	}
	newt_active = 1;
	sigaction(SIGWINCH, NULL, &newt_winch);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	newtSetSuspendCallback(on_suspend, NULL);
	newtCls();
	newtPushHelpLine(NULL);
	draw_background();
	return 0;
}

static void
newt_stop(void)
{
	if (newt_active) {
		newtFinished();
		newt_active = 0;
	}
	fs_scratch_on_signals();
}

/*
 * TEXT flowed for a box in a window W wide, at most MAXH rows: its width,
 * height and flags. Longer text scrolls, and newt adds the scroll bar's two
 * columns to the width given: the text is flowed narrower for it.
 */
struct flow {
	char	*text;
	int	 width, height, flags;
};

/*
 * TEXT wrapped to WIDTH columns: newt's own reflow breaks only at spaces
 * and counts CJK characters as one column each in places; tw_wrap breaks
 * Chinese between characters and measures in columns. The textboxes get
 * the lines as they are (no NEWT_FLAG_WRAP), so newt never wraps again.
 */
static char *
reflow(const char *text, int width, int *w, int *h)
{
	size_t cw, ch;
	char *r = tw_wrap(text, width > 1 ? (size_t)width : 1, &cw, &ch);

	*w = (int)cw;
	*h = (int)ch;
	return r;
}

static void
flow_text(struct flow *f, const char *text, int w, int maxh)
{
	int tw = 0, th = 0;

	f->width = w - 2;
	f->flags = 0;
	f->text = reflow(text, f->width, &tw, &th);
	if (th > maxh) {
		free(f->text);
		f->width = w - 4;
		f->flags |= NEWT_FLAG_SCROLL;
		f->text = reflow(text, f->width, &tw, &th);
	}
	f->height = th < maxh ? th : maxh;
	if (f->height < 1)
		f->height = 1;
}

/* The box for F at row Y; F's text is copied. */
static newtComponent
flow_box(struct flow *f, int y)
{
	newtComponent tb = newtTextbox(1, y, f->width, f->height, f->flags);

	newtTextboxSetText(tb, f->text);
	free(f->text);
	f->text = NULL;
	return tb;
}

/* A scrolling message window that fits the screen. */
static void
show_text(const char *title, const char *text)
{
	int cols, rows, w, h;
	struct flow fl;
	newtComponent form, tb, ok;
	struct newtExitStruct es;

	screen(&cols, &rows);
	w = cols - 10 > 72 ? 72 : cols - 10;
	flow_text(&fl, text, w, rows - 10);
	h = fl.height;
	newtCenteredWindow(w, h + 4, title);
	tb = flow_box(&fl, 1);
	ok = newtCompactButton((w - 6) / 2, h + 2, _("OK"));
	form = newtForm(NULL, NULL, 0);
	newtFormAddComponents(form, tb, ok, NULL);
	newtFormAddHotKey(form, NEWT_KEY_ESCAPE);
	newtFormSetCurrent(form, ok);
	form_run(form, &es);
	newtFormDestroy(form);
	newtPopWindow();
}

static void
newt_message(const char *title, const char *text)
{
	show_text(title, text);
}

static bool
newt_confirm(const char *title, const char *text)
{
	int cols, rows, w, th;
	struct flow fl;
	newtComponent form, tb, yes, no;
	struct newtExitStruct es;
	bool answer;

	screen(&cols, &rows);
	w = cols - 10 > 64 ? 64 : cols - 10;
	flow_text(&fl, text, w, rows - 10);
	th = fl.height;
	newtCenteredWindow(w, th + 4, title);
	tb = flow_box(&fl, 1);
	yes = newtCompactButton(w / 2 - 12, th + 2, _("Yes"));
	no = newtCompactButton(w / 2 + 4, th + 2, _("No"));
	form = newtForm(NULL, NULL, 0);
	newtFormAddComponents(form, tb, yes, no, NULL);
	newtFormAddHotKey(form, NEWT_KEY_ESCAPE);
	newtFormSetCurrent(form, no);	/* the safe answer is the default */
	form_run(form, &es);
	answer = es.reason == NEWT_EXIT_COMPONENT && es.u.co == yes;
	newtFormDestroy(form);
	newtPopWindow();
	return answer;
}

/* A menu's window and form, while it is on the screen. */
struct menu_win {
	newtComponent	 form, lb, sel;
	size_t		 n;
	char		*flowed;
	bool		 open;
};

/*
 * The draft (frontend.h) stays open until the menu that follows runs in
 * it: opening a window makes newt flush what was typed (newtOpenWindow
 * calls newtFlushInput), so a new window would lose the admin's keys.
 */
static struct menu_win drafted;

static void
menu_build(struct menu_win *m, const char *title, const char *text,
    char *const *items, size_t n, size_t choice)
{
	int cols, rows, w, lh, tw = 0, th = 0, cap;
	bool scroll;
	newtComponent tb, back;

	screen(&cols, &rows);
	w = cols - 8 > 72 ? 72 : cols - 8;
	m->flowed = reflow(text, w - 2, &tw, &th);
	/*
	 * A report longer than the screen (the mail views) scrolls in its
	 * box, leaving room for at least three items and the buttons.
	 */
	cap = rows - 10 - ((int)n < 3 ? (int)n : 3);
	if (cap < 2)
		cap = 2;
	scroll = th > cap;
	if (scroll) {
		free(m->flowed);
		m->flowed = reflow(text, w - 4, &tw, &th);
		th = cap;
	}
	lh = (int)n < rows - 10 - th ? (int)n : rows - 10 - th;
	if (lh < 3)
		lh = 3;
	newtCenteredWindow(w, th + lh + 4, title);
	tb = newtTextbox(1, 0, w - 2, th, scroll ? NEWT_FLAG_SCROLL : 0);
	newtTextboxSetText(tb, m->flowed);
	m->lb = newtListbox(1, th + 1, lh, NEWT_FLAG_RETURNEXIT |
	    ((int)n > lh ? NEWT_FLAG_SCROLL : 0));
	newtListboxSetWidth(m->lb, w - 2);
	for (size_t i = 0; i < n; i++)
		newtListboxAppendEntry(m->lb, items[i], (void *)(uintptr_t)i);
	newtListboxSetCurrent(m->lb, (int)choice);
	m->sel = newtCompactButton(w / 2 - 14, th + lh + 2, _("Select"));
	back = newtCompactButton(w / 2 + 4, th + lh + 2, _("Back"));
	m->form = newtForm(NULL, NULL, 0);
	newtFormAddComponents(m->form, tb, m->lb, m->sel, back, NULL);
	newtFormAddHotKey(m->form, NEWT_KEY_ESCAPE);
	newtFormAddHotKey(m->form, NEWT_KEY_RESIZE);
	newtFormSetCurrent(m->form, m->lb);
	m->n = n;
	m->open = true;
}

/* REFRESH: the screen shows what was under it at once, else later. */
static void
menu_close(struct menu_win *m, bool refresh)
{
	if (!m->open)
		return;
	newtFormDestroy(m->form);
	if (refresh)
		newtPopWindow();
	else
		newtPopWindowNoRefresh();
	free(m->flowed);
	memset(m, 0, sizeof *m);
}

static void
newt_menu_draft(const char *title, const char *text, char *const *items,
    size_t n, size_t choice)
{
	menu_close(&drafted, false);
	menu_build(&drafted, title, text, items, n, choice);
	newtDrawForm(drafted.form);
	newtRefresh();
}

static enum fe_answer
menu_once(const char *title, const char *text, char *const *items, size_t n,
    size_t *choice, bool *resized)
{
	struct menu_win m;
	struct newtExitStruct es;
	enum fe_answer answer = FE_BACK;

	if (drafted.open && drafted.n == n) {
		/* The same menu, its states filled in: keys typed are kept. */
		m = drafted;
		memset(&drafted, 0, sizeof drafted);
		for (size_t i = 0; i < n; i++)
			newtListboxSetEntry(m.lb, (int)i, items[i]);
	} else {
		menu_close(&drafted, false);
		menu_build(&m, title, text, items, n, *choice);
	}
	form_run(m.form, &es);
	*resized = es.reason == NEWT_EXIT_HOTKEY && es.u.key ==
	    NEWT_KEY_RESIZE;
	if (*resized)
		*choice = (size_t)(uintptr_t)newtListboxGetCurrent(m.lb);
	else if ((es.reason == NEWT_EXIT_COMPONENT && (es.u.co == m.lb ||
	    es.u.co == m.sel)) || (es.reason == NEWT_EXIT_HOTKEY &&
	    es.u.key == NEWT_KEY_F12)) {
		*choice = (size_t)(uintptr_t)newtListboxGetCurrent(m.lb);
		answer = FE_OK;
	}
	menu_close(&m, true);
	return answer;
}

/* The menu, rebuilt at the new size whenever the terminal is resized. */
static enum fe_answer
newt_menu(const char *title, const char *text, char *const *items, size_t n,
    size_t *choice)
{
	for (;;) {
		bool resized;
		enum fe_answer r = menu_once(title, text, items, n, choice,
		    &resized);

		if (!resized)
			return r;
		resize_screen();
	}
}

static void
form_help(const struct form *f)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "%s\n\n", _(f->step->help));
	for (size_t i = 0; i < f->n; i++) {
		buf_addf(&b, _("%s: %s"), _(f->questions[i]->label),
		    _(f->questions[i]->help));
		buf_adds(&b, "\n\n");
	}
	show_text(_("Help"), b.data);
	buf_release(&b);
}

/* One widget per question, and the check list of its picks. */
struct field {
	const struct question	*q;
	newtComponent		 co;
	newtComponent		 picks;
	const struct audit	*a;
};

#define PICKS_MAX_ROWS 5

static bool
has_picks(const struct question *q, const struct audit *a)
{
	return a->pick_key != NULL && strcmp(a->pick_key, q->key) == 0 &&
	    a->pick_values.n > 0;
}

static int
picks_height(const struct audit *a)
{
	return a->pick_values.n < PICKS_MAX_ROWS ? (int)a->pick_values.n :
	    PICKS_MAX_ROWS;
}

/* A check list of A's picks, checked where VALUE lists them. */
static newtComponent
make_picks(const struct audit *a, const char *value, int x, int y, int w)
{
	newtComponent tree = newtCheckboxTree(x, y, picks_height(a),
	    (int)a->pick_values.n > PICKS_MAX_ROWS ? NEWT_FLAG_SCROLL : 0);
	struct strv have;

	strv_init(&have);
	split_list(value != NULL ? value : "", &have);
	newtCheckboxTreeSetWidth(tree, w);
	for (size_t i = 0; i < a->pick_values.n; i++) {
		newtCheckboxTreeAddItem(tree, a->pick_labels.v[i],
		    (void *)(uintptr_t)(i + 1), 0, NEWT_ARG_APPEND, NEWT_ARG_LAST);
		newtCheckboxTreeSetEntryValue(tree, (void *)(uintptr_t)(i + 1),
		    strv_contains(&have, a->pick_values.v[i]) ? '*' : ' ');
	}
	strv_release(&have);
	return tree;
}

/* VALUE's words that are not picks: the check list shows the others. */
static char *
without_picks(const struct audit *a, const char *value)
{
	struct strv words;
	struct buf b;

	strv_init(&words);
	split_list(value != NULL ? value : "", &words);
	buf_init(&b);
	buf_adds(&b, "");
	for (size_t i = 0; i < words.n; i++) {
		if (!strv_contains(&a->pick_values, words.v[i]))
			buf_addf(&b, "%s%s", b.len ? " " : "", words.v[i]);
	}
	strv_release(&words);
	return buf_detach(&b, NULL);
}

/* The entry's words minus every pick, plus the checked picks. */
static char *
merge_picks(const struct field *f, const char *typed)
{
	char *rest = without_picks(f->a, typed);
	struct buf b;

	buf_init(&b);
	buf_adds(&b, rest);
	free(rest);
	for (size_t i = 0; i < f->a->pick_values.n; i++) {
		if (newtCheckboxTreeGetEntryValue(f->picks,
		    (void *)(uintptr_t)(i + 1)) == '*')
			buf_addf(&b, "%s%s", b.len ? " " : "",
			    f->a->pick_values.v[i]);
	}
	return buf_detach(&b, NULL);
}

static int
field_height(const struct question *q)
{
	size_t n = 0;

	if (q->type != V_CHOICE)
		return 1;
	while (q->choices[n] != NULL)
		n++;
	return (int)n;
}

static newtComponent
make_field(const struct question *q, const char *value, int x, int y, int w)
{
	newtComponent co;

	switch (q->type) {
	case V_BOOL:
		return newtCheckbox(x, y, "", value != NULL &&
		    strcmp(value, "yes") == 0 ? '*' : ' ', " *", NULL);
	case V_CHOICE:
		co = newtListbox(x, y, field_height(q), 0);
		newtListboxSetWidth(co, w);
		for (size_t i = 0; q->choices[i] != NULL; i++) {
			newtListboxAppendEntry(co, q->choices[i],
			    (void *)(uintptr_t)i);
			if (value != NULL && strcmp(value, q->choices[i]) == 0)
				newtListboxSetCurrent(co, (int)i);
		}
		return co;
	default:
		return newtEntry(x, y, value != NULL ? value : "", w, NULL,
		    NEWT_FLAG_SCROLL | ((q->flags & Q_SECRET) ?
		    NEWT_FLAG_PASSWORD : 0));
	}
}

static void
read_field(const struct field *f, struct settings *answers)
{
	switch (f->q->type) {
	case V_BOOL:
		settings_set(answers, f->q->key,
		    newtCheckboxGetValue(f->co) == '*' ? "yes" : "no");
		break;
	case V_CHOICE:
		settings_set(answers, f->q->key, f->q->choices[(uintptr_t)
		    newtListboxGetCurrent(f->co)]);
		break;
	default:
		if (f->picks != NULL) {
			char *v = merge_picks(f, newtEntryGetValue(f->co));

			settings_set(answers, f->q->key, v);
			free(v);
		} else
			settings_set(answers, f->q->key,
			    newtEntryGetValue(f->co));
		break;
	}
}

/*
 * The labels' column: 28 columns, wider for a longer (translated) label,
 * measured in terminal columns, at most half the window so the fields
 * keep room.
 */
static int
label_width(const struct form *f, int w)
{
	size_t widest = 26;

	for (size_t i = 0; i < f->n; i++) {
		size_t lw = tw_width(_(f->questions[i]->label));

		if (lw > widest)
			widest = lw;
	}
	return (int)widest + 2 < w / 2 ? (int)widest + 2 : w / 2;
}

/* Build and run the form once; FE_OK with answers read, or FE_BACK. */
static enum fe_answer
run_form(const struct form *f, struct settings *answers, bool *again,
    size_t focus)
{
	int cols, rows, w, h = 0, y, lw, info, more;
	bool scroll;
	const struct audit *a = f->audit;
	struct field *fields = xcalloc(f->n + 1, sizeof *fields);
	size_t nf = 0;
	newtComponent form, tb, next, back;
	struct newtExitStruct es;
	enum fe_answer answer = FE_BACK;
	char *status = audit_summary(a), *flowed, *label;

	*again = false;
	screen(&cols, &rows);
	w = cols - 6 > 76 ? 76 : cols - 6;
	lw = label_width(f, w);
	for (size_t i = 0; i < f->n; i++) {
		h += field_height(f->questions[i]);
		if (has_picks(f->questions[i], a))
			h += picks_height(a) + 1;
	}
	/*
	 * The findings take the rows they need, up to what the fields leave.
	 * Longer than that, the box scrolls (newt adds the scroll bar's two
	 * columns to the width given) and the row under it says so.
	 */
	{
		int tw = 0, th = 0, room = rows - 8 - h > 1 ? rows - 8 - h : 1;

		flowed = reflow(status, w - 2, &tw, &th);
		scroll = th > room;
		if (scroll) {
			free(flowed);
			flowed = reflow(status, w - 4, &tw, &th);
		}
		info = th < 1 ? 1 : th > room ? room : th;
		more = th - info;
	}
	newtCenteredWindow(w, h + info + 3, _(f->step->title));
	tb = newtTextbox(1, 0, w - 2 - (scroll ? 2 : 0), info,
	    scroll ? NEWT_FLAG_SCROLL : 0);
	newtTextboxSetText(tb, flowed);
	free(flowed);
	form = newtForm(NULL, NULL, 0);
	newtFormAddComponent(form, tb);
	if (scroll) {
		char *hint = xasprintf(ngettext("(%d more line in the box "
		    "above: Shift-Tab to it, then scroll)", "(%d more lines in "
		    "the box above: Shift-Tab to it, then scroll)", more),
		    more);

		label = clip(hint, w - 2);
		newtFormAddComponent(form, newtLabel(1, info, label));
		free(label);
		free(hint);
	}
	y = info + 1;
	for (size_t i = 0; i < f->n; i++) {
		const struct question *q = f->questions[i];

		label = clip(_(q->label), lw - 1);
		newtFormAddComponent(form, newtLabel(1, y, label));
		free(label);
		fields[nf].q = q;
		if (has_picks(q, a)) {
			char *rest = without_picks(a, settings_get(answers,
			    q->key));

			fields[nf].co = make_field(q, rest, lw + 1, y,
			    w - lw - 3);
			free(rest);
		} else
			fields[nf].co = make_field(q, settings_get(answers,
			    q->key), lw + 1, y, w - lw - 3);
		newtFormAddComponent(form, fields[nf].co);
		y += field_height(q);
		if (has_picks(q, a)) {
			newtFormAddComponent(form, newtLabel(lw + 1, y,
			    _("or check from the list (Space):")));
			fields[nf].a = a;
			fields[nf].picks = make_picks(a, settings_get(answers,
			    q->key), lw + 1, y + 1, w - lw - 3);
			newtFormAddComponent(form, fields[nf].picks);
			y += picks_height(a) + 1;
		}
		nf++;
	}
	next = newtCompactButton(w / 2 - 16, y + 1, _("Preview changes"));
	back = newtCompactButton(w / 2 + 8, y + 1, _("Back"));
	newtFormAddComponents(form, next, back, NULL);
	newtFormAddHotKey(form, NEWT_KEY_F1);
	newtFormAddHotKey(form, NEWT_KEY_ESCAPE);
	newtFormAddHotKey(form, NEWT_KEY_RESIZE);
	/* Back after "Please correct": on the first field to correct. */
	if (nf > 0)
		newtFormSetCurrent(form, fields[focus < nf ? focus : 0].co);
	for (;;) {
		form_run(form, &es);
		if (es.reason == NEWT_EXIT_HOTKEY && es.u.key == NEWT_KEY_F1) {
			form_help(f);
			continue;
		}
		break;
	}
	for (size_t i = 0; i < nf; i++)
		read_field(&fields[i], answers);
	if (es.reason == NEWT_EXIT_HOTKEY && es.u.key == NEWT_KEY_RESIZE)
		*again = true;	/* rebuild at the new size, answers kept */
	else if ((es.reason == NEWT_EXIT_COMPONENT && es.u.co != back) ||
	    (es.reason == NEWT_EXIT_HOTKEY && es.u.key == NEWT_KEY_F12))
		answer = FE_OK;
	newtFormDestroy(form);
	newtPopWindow();
	free(fields);
	free(status);
	return answer;
}

static enum fe_answer
newt_form(const struct form *f, struct settings *answers)
{
	size_t focus = 0;

	for (;;) {
		bool again;
		char *cause = NULL;
		enum fe_answer r = run_form(f, answers, &again, focus);

		if (again) {
			resize_screen();
			continue;
		}
		if (r != FE_OK)
			return r;
		if (form_check(f, answers, &cause, &focus) == 0)
			return FE_OK;
		show_text(_("Please correct"), cause);
		free(cause);
	}
}

static enum fe_answer
newt_preview(const char *title, const char *diff)
{
	enum fe_answer r;

	newtSuspend();
	r = pager_run(title, diff);
	newtResume();
	resize_screen();
	fix_signals();
	return r;
}

/* The one gauge that can be open: its form, text and scale. */
static struct {
	newtComponent	 form, text, scale;
	int		 width;
} gauge;

static void
newt_gauge_open(const char *title)
{
	int cols, rows;

	screen(&cols, &rows);
	gauge.width = cols - 10 > 64 ? 64 : cols - 10;
	newtCenteredWindow(gauge.width, 4, title);
	gauge.text = newtTextbox(1, 0, gauge.width - 2, 2, 0);
	gauge.scale = newtScale(1, 3, gauge.width - 2, 100);
	gauge.form = newtForm(NULL, NULL, 0);
	newtFormAddComponents(gauge.form, gauge.text, gauge.scale, NULL);
	newtDrawForm(gauge.form);
	newtRefresh();
}

static void
newt_gauge(int percent, const char *what)
{
	/* From apt: its control characters are never sent to the terminal. */
	char *v = ctl_visible(what), *flowed;
	int w, h;

	if (gauge.form == NULL) {
		free(v);
		return;
	}
	flowed = reflow(v, gauge.width - 2, &w, &h);
	newtTextboxSetText(gauge.text, flowed);
	free(flowed);
	if (percent >= 0)
		newtScaleSet(gauge.scale, (unsigned long long)percent);
	newtDrawForm(gauge.form);
	newtRefresh();
	free(v);
}

static void
newt_gauge_close(void)
{
	if (gauge.form == NULL)
		return;
	newtFormDestroy(gauge.form);
	newtPopWindow();
	gauge.form = NULL;
}

const struct frontend newt_frontend = {
	.name = "newt",
	.start = newt_start,
	.stop = newt_stop,
	.menu = newt_menu,
	.menu_draft = newt_menu_draft,
	.form = newt_form,
	.preview = newt_preview,
	.confirm = newt_confirm,
	.message = newt_message,
	.gauge_open = newt_gauge_open,
	.gauge = newt_gauge,
	.gauge_close = newt_gauge_close,
};
