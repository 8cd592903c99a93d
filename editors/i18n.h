/*
 * i18n.h -- gettext wrappers. Every user-visible string goes through _();
 * strings in static tables are marked N_() and translated where shown.
 */
#ifndef HW_I18N_H
#define HW_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
