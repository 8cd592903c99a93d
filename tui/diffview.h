/*
 * diffview.h -- the diff viewer's model: a unified diff split into lines
 * that know their file and hunk, with navigation, testable without a
 * terminal.
 */
#ifndef HW_DIFFVIEW_H
#define HW_DIFFVIEW_H

#include <stddef.h>

enum dv_kind {
	DV_HEADER,	/* --- and +++ */
	DV_HUNK,	/* @@ */
	DV_ADD,
	DV_DEL,
	DV_CONTEXT,
	DV_META,	/* "# mode", "# run:", "# note:" and the like */
};

struct dv_line {
	const char	*s;	/* into diffview.text, not terminated */
	size_t		 len;
	enum dv_kind	 kind;
	int		 file;	/* index of its file, -1 before the first */
	int		 hunk;	/* index of its hunk in the whole diff, or -1 */
};

struct diffview {
	char		*text;
	struct dv_line	*lines;
	size_t		 n;
	int		 nfiles;
	int		 nhunks;
};

void	diffview_load(struct diffview *, const char *text);
void	diffview_release(struct diffview *);

enum dv_unit { DV_FILE, DV_HUNK_UNIT };

/*
 * Line index of the next (DIR > 0) or previous (DIR < 0) file or hunk start
 * from line FROM; FROM itself when there is none.
 */
size_t	diffview_jump(const struct diffview *, size_t from, enum dv_unit,
	    int dir);

#endif
