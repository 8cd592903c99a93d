/*
 * textwidth.h -- text measured in terminal columns, not bytes: a Chinese
 * character takes two columns and has no space to break at. The wizard's
 * padding, wrapping and clipping go through these, so a translated label
 * lines up and a translated help text wraps like the English one.
 */
#ifndef HW_TEXTWIDTH_H
#define HW_TEXTWIDTH_H

#include <stddef.h>

/*
 * Columns the first LEN bytes of S take on a terminal of the current
 * locale (wcwidth). A byte that is not a character of the locale, or a
 * control character, counts one: the terminal shows it as something.
 */
size_t	 tw_width_n(const char *s, size_t len);
size_t	 tw_width(const char *s);
/* S padded with spaces to COLS columns (S unchanged when wider). Freed. */
char	*tw_pad(const char *s, size_t cols);
/*
 * How many bytes of S fit in COLS columns, whole characters only.
 */
size_t	 tw_fit(const char *s, size_t cols);
/*
 * S wrapped to lines of at most COLS columns, '\n' between them: a line
 * breaks at a space, or between two characters where one is wide (CJK has
 * no spaces), never before closing punctuation such as "，" "。" "）" nor
 * after opening such as "（"; a word wider than a line is cut. The
 * paragraphs of S ('\n') are kept. *W and *H, when not NULL, get the
 * widest line's columns and the number of lines. Caller frees.
 */
char	*tw_wrap(const char *s, size_t cols, size_t *w, size_t *h);

#endif
