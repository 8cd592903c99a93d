/*
 * recipe.h -- recipe.conf: INI sections named after steps, strict keys
 * (the keyword table is the steps' questions), every value checked by the
 * same code as the wizard's forms. All errors are collected, each as
 * "FILE:LINE: [section] key: message".
 */
#ifndef HW_RECIPE_H
#define HW_RECIPE_H

#include <stdbool.h>

#include "step.h"

struct recipe_section {
	const struct step	*step;
	int			 line;
	struct settings		 settings;
};

struct recipe {
	char			*file;
	struct recipe_section	*sections;
	size_t			 nsections;
};

void	recipe_init(struct recipe *);
void	recipe_release(struct recipe *);
/* Parse TEXT (named FILE in messages). On error *cause has every problem. */
int	recipe_parse(const char *file, const char *text, size_t len,
	    struct recipe *, char **cause);
/*
 * Read and parse PATH. STRICT_OWNER (applying to "/"): refuse a recipe that
 * group or others may write, or that another user owns.
 */
int	recipe_load(const char *path, bool strict_owner, struct recipe *,
	    char **cause);
const struct recipe_section *recipe_section(const struct recipe *,
	    const char *id);

#endif
