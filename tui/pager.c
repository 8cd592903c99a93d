/*
 * pager.c -- the ncurses diff viewer: colours, scrolling, next/previous
 * hunk and file, wide characters clipped by display width. It runs between
 * newtSuspend() and newtResume(), so it owns SIGWINCH while it runs and puts
 * the previous handler back (ncurses installs its own only once per
 * process; notes 4.4).
 */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <wchar.h>

#include "diffview.h"
#include "frontend.h"
#include "i18n.h"
#include "textwidth.h"
#include "util.h"

enum { C_ADD = 1, C_DEL, C_HUNK, C_HEADER, C_META, C_STATUS };

static volatile sig_atomic_t got_winch;

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/*
 * Draw S (LEN bytes of UTF-8) on row Y from column LEFT of the text on,
 * clipped to WIDTH columns. A line cut at the right edge ends in a
 * reverse ">", one scrolled past on the left starts with "<": a cut
 * warning must never read as whole (the port to open in the provider's
 * firewall was cut at 80 columns).
 */
static void
draw_line(int y, const char *s, size_t len, int width, size_t left)
{
	mbstate_t st;
	size_t col = 0;
	int x = 0;
	bool cut = false;

	memset(&st, 0, sizeof st);
	move(y, 0);
	while (len > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2) {
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		} else if (n == 0)
			n = 1;
		w = wc == L'\t' ? 8 - (int)(col % 8) : wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		s += n;
		len -= n;
		if (col < left) {	/* scrolled away on the left */
			col += (size_t)w;
			continue;
		}
		if (x + w > width - (len > 0 ? 1 : 0)) {
			cut = true;
			break;
		}
		if (wc == L'\t')
			for (int k = 0; k < w; k++)
				addch(' ');
		else {
			cchar_t cc;
			wchar_t str[2] = { wc, 0 };

			setcchar(&cc, str, A_NORMAL, 0, NULL);
			add_wch(&cc);
		}
		x += w;
		col += (size_t)w;
	}
	clrtoeol();
	if (cut) {
		mvaddch(y, width - 1, '>' | A_REVERSE);
	}
	if (left > 0 && col > left - 1 && (x > 0 || cut))
		mvaddch(y, 0, '<' | A_REVERSE);
}

static int
color_of(enum dv_kind k)
{
	switch (k) {
	case DV_ADD: return C_ADD;
	case DV_DEL: return C_DEL;
	case DV_HUNK: return C_HUNK;
	case DV_HEADER: return C_HEADER;
	case DV_META: return C_META;
	default: return 0;
	}
}

/* The viewer's state: where it is, what it pins, what was searched. */
struct pager {
	const struct diffview	*dv;
	const char		*title;
	size_t			 top;
	size_t			 left;	/* columns scrolled to the right */
	char			*pattern;	/* the last search, or NULL */
	size_t			 hit;	/* its line, or (size_t)-1 */
	struct strv		 pins;	/* the notes, wrapped to the screen */
	int			 npins;	/* rows they take, separator too */
	const char		*flash;	/* said once on the status line */
};

static const char note_mark[] = "# note: ";

/*
 * The notes (what to do before closing this session, why something was
 * left alone) stand above the diff, wrapped, where they are seen first;
 * at most a third of the screen, the rest at the end of the diff as
 * always.
 */
static void
pin_notes(struct pager *pg)
{
	size_t cap = (size_t)(LINES / 3 > 1 ? LINES / 3 : 1), total = 0;

	strv_release(&pg->pins);
	strv_init(&pg->pins);
	for (size_t i = 0; i < pg->dv->n; i++) {
		const struct dv_line *l = &pg->dv->lines[i];
		size_t m = sizeof note_mark - 1;
		char *text, *flowed, *line, *save = NULL;

		if (l->kind != DV_META || l->len < m ||
		    memcmp(l->s, note_mark, m) != 0)
			continue;
		text = xasprintf("%s %.*s", "*", (int)(l->len - m), l->s + m);
		flowed = tw_wrap(text, COLS > 4 ? (size_t)COLS - 2 : 2, NULL,
		    NULL);
		for (line = strtok_r(flowed, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save), total++)
			if (total < cap)
				strv_add(&pg->pins, line);
		free(flowed);
		free(text);
	}
	if (total > cap && pg->pins.n > 0) {
		free(pg->pins.v[pg->pins.n - 1]);
		pg->pins.v[pg->pins.n - 1] = xstrdup(_("  (more notes at the "
		    "end: G)"));
	}
	pg->npins = pg->pins.n > 0 ? (int)pg->pins.n + 1 : 0;
}

static int
body_rows(const struct pager *pg)
{
	int rows = LINES - 1 - pg->npins;

	return rows > 1 ? rows : 1;
}

static void
draw_status(const struct pager *pg)
{
	const struct diffview *dv = pg->dv;
	const struct dv_line *cur;
	char *status;

	cur = dv->n > 0 ? &dv->lines[pg->top < dv->n ? pg->top : dv->n - 1]
	    : NULL;
	if (pg->flash != NULL)
		status = xasprintf(" %s", pg->flash);
	else
		status = xasprintf(_(" %s  file %d/%d  hunk %d/%d  line "
		    "%zu/%zu  |  a apply  q back  / search  ? keys "),
		    pg->title, cur && cur->file >= 0 ? cur->file + 1 : 0,
		    dv->nfiles, cur && cur->hunk >= 0 ? cur->hunk + 1 : 0,
		    dv->nhunks, dv->n ? pg->top + 1 : 0, dv->n);
	attrset(COLOR_PAIR(C_STATUS) | A_REVERSE);
	draw_line(LINES - 1, status, strlen(status), COLS, 0);
	/* The reverse bar spans the screen. */
	for (int x = getcurx(stdscr); x < COLS && x > 0; x++)
		addch(' ');
	attrset(A_NORMAL);
	free(status);
}

static void
draw(const struct pager *pg)
{
	const struct diffview *dv = pg->dv;
	int rows = body_rows(pg), y0 = pg->npins;

	attrset(COLOR_PAIR(C_META) | A_BOLD);
	for (size_t i = 0; i < pg->pins.n; i++)
		draw_line((int)i, pg->pins.v[i], strlen(pg->pins.v[i]), COLS,
		    0);
	attrset(A_NORMAL);
	if (pg->npins > 0)
		mvhline_set(pg->npins - 1, 0, WACS_HLINE, COLS);
	for (int y = 0; y < rows; y++) {
		size_t i = pg->top + (size_t)y;

		if (i >= dv->n) {
			move(y0 + y, 0);
			clrtoeol();
			continue;
		}
		attrset(COLOR_PAIR(color_of(dv->lines[i].kind)) |
		    (dv->lines[i].kind == DV_HEADER ? A_BOLD : 0) |
		    (i == pg->hit ? A_REVERSE : 0));
		draw_line(y0 + y, dv->lines[i].s, dv->lines[i].len, COLS,
		    pg->left);
		attrset(A_NORMAL);
	}
	draw_status(pg);
	refresh();
}

static void
setup_colors(void)
{
	if (!has_colors() || getenv("NO_COLOR") != NULL)
		return;
	start_color();
	use_default_colors();
	init_pair(C_ADD, COLOR_GREEN, -1);
	init_pair(C_DEL, COLOR_RED, -1);
	init_pair(C_HUNK, COLOR_CYAN, -1);
	init_pair(C_HEADER, COLOR_YELLOW, -1);
	init_pair(C_META, COLOR_MAGENTA, -1);
	init_pair(C_STATUS, -1, -1);
}

static size_t
clamp_top(const struct pager *pg, long top)
{
	long max = (long)pg->dv->n - body_rows(pg);

	if (max < 0)
		max = 0;
	if (top > max)
		top = max;
	return top < 0 ? 0 : (size_t)top;
}

/* Line I holds the search pattern (ASCII case folded). */
static bool
line_has(const struct dv_line *l, const char *pattern)
{
	size_t m = strlen(pattern);

	for (size_t i = 0; m > 0 && i + m <= l->len; i++)
		if (strncasecmp(l->s + i, pattern, m) == 0)
			return true;
	return false;
}

/* The next line after (DIR 1) or before (DIR -1) the last hit that holds
 * the pattern, going round the ends; the view moves there. */
static void
search_step(struct pager *pg, int dir)
{
	size_t n = pg->dv->n, from = pg->hit != (size_t)-1 ? pg->hit :
	    pg->top - (dir > 0 ? 1 : 0);

	pg->flash = NULL;
	for (size_t k = 1; n > 0 && k <= n; k++) {
		size_t i = (from + n + (size_t)dir * k) % n;

		if (line_has(&pg->dv->lines[i], pg->pattern)) {
			pg->hit = i;
			if (i < pg->top || i >= pg->top + (size_t)body_rows(pg))
				pg->top = clamp_top(pg, (long)i -
				    body_rows(pg) / 3);
			return;
		}
	}
	pg->hit = (size_t)-1;
	pg->flash = _("not found");
}

/* "/": the pattern is typed on the status line; Enter searches. */
static void
search_prompt(struct pager *pg)
{
	char buf[128];
	int r;

	attrset(A_NORMAL);
	move(LINES - 1, 0);
	clrtoeol();
	addch('/');
	echo();
	curs_set(1);
	timeout(-1);
	r = getnstr(buf, (int)sizeof buf - 1);
	timeout(250);
	curs_set(0);
	noecho();
	if (r == ERR || buf[0] == '\0')
		return;
	free(pg->pattern);
	pg->pattern = xstrdup(buf);
	pg->hit = (size_t)-1;
	search_step(pg, 1);
}

/* "?": the keys, in a box over the diff, until a key is pressed. */
static void
show_keys(void)
{
	const char *text = _("Keys of the change viewer:\n\n"
	    "  Up/Down j/k    one line\n"
	    "  Space/b PgDn/PgUp  one screen\n"
	    "  Left/Right h/l  long lines: scroll sideways\n"
	    "  g/G Home/End   first/last line\n"
	    "  n/p            next/previous hunk\n"
	    "  N/P ] [        next/previous file\n"
	    "  /TEXT Enter    search; then n/N next/previous match\n"
	    "  a or F12       apply (you are asked first)\n"
	    "  q or Esc       back, nothing applied\n\n"
	    "Press any key.");
	size_t w, h;
	char *flowed = tw_wrap(text, COLS > 8 ? (size_t)COLS - 6 : 2, &w, &h);
	const char *line = flowed;
	int y = LINES > (int)h + 2 ? (LINES - (int)h - 2) / 2 : 0;
	int x = COLS > (int)w + 4 ? (COLS - (int)w - 4) / 2 : 0;

	attrset(A_REVERSE);
	for (int r = 0; r < (int)h + 2 && y + r < LINES; r++) {
		move(y + r, x);
		for (int c = 0; c < (int)w + 4 && x + c < COLS; c++)
			addch(' ');
	}
	for (int row = 0; line != NULL && y + 1 + row < LINES; row++) {
		const char *nl = strchr(line, '\n');

		mvaddnstr(y + 1 + row, x + 2, line, nl != NULL ?
		    (int)(nl - line) : -1);
		line = nl != NULL ? nl + 1 : NULL;
	}
	attrset(A_NORMAL);
	refresh();
	timeout(-1);
	(void)getch();
	timeout(250);
	free(flowed);
}

/* One key; returns FE_OK or FE_BACK to leave, -1 to go on. */
static int
pager_key(struct pager *pg, int ch)
{
	const struct diffview *dv = pg->dv;
	int page = body_rows(pg) - 1 > 1 ? body_rows(pg) - 1 : 1;
	size_t side = COLS / 2 > 8 ? (size_t)COLS / 2 : 8;

	pg->flash = NULL;
	switch (ch) {
	case 'a': case 'A': case 'y': case KEY_F(12):
		return FE_OK;
	case 'q': case 'Q': case 27:
		return FE_BACK;
	case KEY_DOWN: case 'j': case '\n': case KEY_ENTER:
		pg->top = clamp_top(pg, (long)pg->top + 1);
		break;
	case KEY_UP: case 'k':
		pg->top = clamp_top(pg, (long)pg->top - 1);
		break;
	case KEY_NPAGE: case ' ':
		pg->top = clamp_top(pg, (long)pg->top + page);
		break;
	case KEY_PPAGE: case 'b':
		pg->top = clamp_top(pg, (long)pg->top - page);
		break;
	case KEY_RIGHT: case 'l':
		pg->left += side;
		break;
	case KEY_LEFT: case 'h':
		pg->left = pg->left > side ? pg->left - side : 0;
		break;
	case KEY_HOME: case 'g':
		pg->top = 0;
		pg->left = 0;
		break;
	case KEY_END: case 'G':
		pg->top = clamp_top(pg, (long)dv->n);
		break;
	case '/':
		search_prompt(pg);
		break;
	case '?': case KEY_F(1):
		show_keys();
		break;
	case 'n':
		if (pg->pattern != NULL)
			search_step(pg, 1);
		else
			pg->top = clamp_top(pg, (long)diffview_jump(dv,
			    pg->top, DV_HUNK_UNIT, 1));
		break;
	case 'N':
		if (pg->pattern != NULL)
			search_step(pg, -1);
		else
			pg->top = clamp_top(pg, (long)diffview_jump(dv,
			    pg->top, DV_FILE, 1));
		break;
	case 'p':
		pg->top = clamp_top(pg, (long)diffview_jump(dv, pg->top,
		    DV_HUNK_UNIT, -1));
		break;
	case ']':
		pg->top = clamp_top(pg, (long)diffview_jump(dv, pg->top,
		    DV_FILE, 1));
		break;
	case 'P': case '[':
		pg->top = clamp_top(pg, (long)diffview_jump(dv, pg->top,
		    DV_FILE, -1));
		break;
	default:
		break;
	}
	return -1;
}

/* Keys: the whole loop; returns the answer. */
static enum fe_answer
pager_loop(struct pager *pg, FILE *tty)
{
	pin_notes(pg);
	for (;;) {
		int ch, r;

		draw(pg);
		ch = getch();
		if (got_winch || ch == KEY_RESIZE) {
			struct winsize ws;

			got_winch = 0;
			if (ioctl(fileno(tty), TIOCGWINSZ, &ws) == 0)
				resizeterm(ws.ws_row, ws.ws_col);
			clearok(curscr, TRUE);
			pin_notes(pg);
			pg->top = clamp_top(pg, (long)pg->top);
			continue;
		}
		if (ch == ERR)
			continue;
		if ((r = pager_key(pg, ch)) >= 0)
			return (enum fe_answer)r;
	}
}

enum fe_answer
pager_run(const char *title, const char *diff)
{
	struct sigaction sa, old_winch;
	struct diffview dv;
	struct pager pg;
	enum fe_answer answer;
	FILE *tty;
	SCREEN *scr;

	tty = fopen("/dev/tty", "r+");
	if (tty == NULL)
		return FE_BACK;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_winch;	/* no SA_RESTART: getch must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &old_winch);
	scr = newterm(NULL, tty, tty);
	if (scr == NULL) {
		sigaction(SIGWINCH, &old_winch, NULL);
		fclose(tty);
		return FE_BACK;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(50);
	timeout(250);
	setup_colors();
	diffview_load(&dv, diff);
	memset(&pg, 0, sizeof pg);
	pg.dv = &dv;
	pg.title = title;
	pg.hit = (size_t)-1;
	strv_init(&pg.pins);
	answer = pager_loop(&pg, tty);
	strv_release(&pg.pins);
	free(pg.pattern);
	diffview_release(&dv);
	endwin();
	delscreen(scr);
	fclose(tty);
	sigaction(SIGWINCH, &old_winch, NULL);
	return answer;
}
