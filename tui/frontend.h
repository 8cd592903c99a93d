/*
 * frontend.h -- what a wizard frontend must do. wizard.c owns the flow
 * (menu -> form -> preview -> confirm -> apply -> result, and history);
 * a frontend only renders and returns small answers. No newt or curses
 * type appears here.
 */
#ifndef HW_FRONTEND_H
#define HW_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>

#include "step.h"

enum fe_answer {
	FE_OK,		/* chosen / next / apply */
	FE_BACK,
	FE_QUIT,
};

/* A step's form: what the audit found and the questions asked, in order. */
struct form {
	const struct step	*step;
	const struct audit	*audit;
	const struct question	**questions;
	size_t			 n;
};

struct frontend {
	const char	*name;
	int		(*start)(void);
	void		(*stop)(void);
	/* Pick one of ITEMS; *choice is the initial and the chosen index. */
	enum fe_answer	(*menu)(const char *title, const char *text,
			    char *const *items, size_t n, size_t *choice);
	/*
	 * Draw the menu and return at once, nothing picked: it stays on the
	 * screen while the audit fills in the states, and keys typed
	 * meanwhile wait for the menu that follows. NULL: no such screen.
	 */
	void		(*menu_draft)(const char *title, const char *text,
			    char *const *items, size_t n, size_t choice);
	/* Ask the form's questions; ANSWERS has the defaults, gets the values. */
	enum fe_answer	(*form)(const struct form *, struct settings *answers);
	/* Show a diff; FE_OK means "apply". */
	enum fe_answer	(*preview)(const char *title, const char *diff);
	bool		(*confirm)(const char *title, const char *text);
	void		(*message)(const char *title, const char *text);
	/*
	 * Long work (an upgrade): a gauge titled TITLE is opened, moved
	 * (PERCENT 0-100, or -1 while waiting, with one line of WHAT) and
	 * closed. Nothing can be answered while it is up.
	 */
	void		(*gauge_open)(const char *title);
	void		(*gauge)(int percent, const char *what);
	void		(*gauge_close)(void);
};

extern const struct frontend plain_frontend;
extern const struct frontend newt_frontend;

/* The ncurses diff viewer; 'a' returns FE_OK, 'q' FE_BACK. */
enum fe_answer	pager_run(const char *title, const char *diff);

/* What the audit found, one line each, for a form's header; caller frees. */
char	*audit_summary(const struct audit *);

/*
 * Check every visible answer; *cause names each bad one, a line each, and
 * *first gets the index of the first (where the form puts the cursor).
 */
int	form_check(const struct form *, struct settings *answers, char **cause,
	    size_t *first);

#endif
