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
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <wchar.h>

#include "diffview.h"
#include "frontend.h"
#include "i18n.h"

enum { C_ADD = 1, C_DEL, C_HUNK, C_HEADER, C_META, C_STATUS };

static volatile sig_atomic_t got_winch;

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/* Draw S (LEN bytes of UTF-8) on row Y, clipped to WIDTH columns. */
static void
draw_line(int y, const char *s, size_t len, int width)
{
	mbstate_t st;
	int x = 0;

	memset(&st, 0, sizeof st);
	move(y, 0);
	while (len > 0 && x < width) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, len, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2) {
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		} else if (n == 0)
			n = 1;
		if (wc == L'\t') {
			do {
				addch(' ');
				x++;
			} while (x % 8 != 0 && x < width);
		} else {
			w = wcwidth(wc);
			if (w < 0) {
				wc = L'?';
				w = 1;
			}
			if (x + w > width)
				break;
			{
				cchar_t cc;
				wchar_t str[2] = { wc, 0 };

				setcchar(&cc, str, A_NORMAL, 0, NULL);
				add_wch(&cc);
			}
			x += w;
		}
		s += n;
		len -= n;
	}
	clrtoeol();
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

static void
draw(const struct diffview *dv, size_t top, const char *title)
{
	int rows = LINES - 1;
	const struct dv_line *cur;
	char status[512];

	for (int y = 0; y < rows; y++) {
		size_t i = top + (size_t)y;

		if (i >= dv->n) {
			move(y, 0);
			clrtoeol();
			continue;
		}
		attrset(COLOR_PAIR(color_of(dv->lines[i].kind)) |
		    (dv->lines[i].kind == DV_HEADER ? A_BOLD : 0));
		draw_line(y, dv->lines[i].s, dv->lines[i].len, COLS);
		attrset(A_NORMAL);
	}
	cur = dv->n > 0 ? &dv->lines[top < dv->n ? top : dv->n - 1] : NULL;
	snprintf(status, sizeof status, _(" %s  file %d/%d  hunk %d/%d  "
	    "line %zu/%zu  |  a apply  q back  n/p hunk  N/P file "), title,
	    cur && cur->file >= 0 ? cur->file + 1 : 0, dv->nfiles,
	    cur && cur->hunk >= 0 ? cur->hunk + 1 : 0, dv->nhunks,
	    dv->n ? top + 1 : 0, dv->n);
	attrset(COLOR_PAIR(C_STATUS) | A_REVERSE);
	mvaddnstr(LINES - 1, 0, status, COLS);
	clrtoeol();
	attrset(A_NORMAL);
	refresh();
}

static void
setup_colors(void)
{
	if (!has_colors())
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
clamp_top(const struct diffview *dv, long top)
{
	long max = (long)dv->n - (LINES - 1);

	if (max < 0)
		max = 0;
	if (top > max)
		top = max;
	return top < 0 ? 0 : (size_t)top;
}

/* Keys: the whole loop; returns the answer. */
static enum fe_answer
pager_loop(const struct diffview *dv, const char *title, FILE *tty)
{
	size_t top = 0;

	for (;;) {
		int ch, page = LINES - 2 > 1 ? LINES - 2 : 1;

		draw(dv, top, title);
		ch = getch();
		if (got_winch) {
			struct winsize ws;

			got_winch = 0;
			if (ioctl(fileno(tty), TIOCGWINSZ, &ws) == 0)
				resizeterm(ws.ws_row, ws.ws_col);
			clearok(curscr, TRUE);
			top = clamp_top(dv, (long)top);
			continue;
		}
		switch (ch) {
		case 'a': case 'A': case 'y':
			return FE_OK;
		case 'q': case 'Q': case 27: case KEY_F(12):
			return FE_BACK;
		case KEY_DOWN: case 'j': case '\n': case KEY_ENTER:
			top = clamp_top(dv, (long)top + 1);
			break;
		case KEY_UP: case 'k':
			top = clamp_top(dv, (long)top - 1);
			break;
		case KEY_NPAGE: case ' ':
			top = clamp_top(dv, (long)top + page);
			break;
		case KEY_PPAGE: case 'b':
			top = clamp_top(dv, (long)top - page);
			break;
		case KEY_HOME: case 'g':
			top = 0;
			break;
		case KEY_END: case 'G':
			top = clamp_top(dv, (long)dv->n);
			break;
		case 'n':
			top = clamp_top(dv, (long)diffview_jump(dv, top,
			    DV_HUNK_UNIT, 1));
			break;
		case 'p':
			top = clamp_top(dv, (long)diffview_jump(dv, top,
			    DV_HUNK_UNIT, -1));
			break;
		case 'N': case ']':
			top = clamp_top(dv, (long)diffview_jump(dv, top,
			    DV_FILE, 1));
			break;
		case 'P': case '[':
			top = clamp_top(dv, (long)diffview_jump(dv, top,
			    DV_FILE, -1));
			break;
		default:
			break;
		}
	}
}

enum fe_answer
pager_run(const char *title, const char *diff)
{
	struct sigaction sa, old_winch;
	struct diffview dv;
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
	answer = pager_loop(&dv, title, tty);
	diffview_release(&dv);
	endwin();
	delscreen(scr);
	fclose(tty);
	sigaction(SIGWINCH, &old_winch, NULL);
	return answer;
}
