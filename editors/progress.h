/*
 * progress.h -- how long work (an upgrade) says how far it is: the wizard
 * draws a gauge, --apply prints a line now and then. The engine calls it
 * and knows no frontend.
 */
#ifndef HW_PROGRESS_H
#define HW_PROGRESS_H

#include <stdbool.h>

struct progress {
	/* PERCENT 0-100, or -1 while waiting; WHAT: one line, translated. */
	void	(*say)(void *arg, int percent, const char *what);
	void	*arg;
};

static inline void
progress_say(const struct progress *p, int percent, const char *what)
{
	if (p != NULL && p->say != NULL)
		p->say(p->arg, percent, what);
}

/*
 * A gauge drawn line by line says something at each tenth, not at each
 * package: true when PERCENT (-1, a wait, is always said) earns a line
 * after *LAST, which then becomes it.
 */
static inline bool
progress_tenth(int *last, int percent)
{
	bool say = percent < 0 || *last < 0 || percent / 10 != *last / 10;

	if (say)
		*last = percent;
	return say;
}

#endif
