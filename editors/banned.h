/*
 * banned.h -- functions that are too easy to misuse; using one is a compile
 * error (after git's banned.h). Use xasprintf, snprintf or strlcpy-like code.
 */
#ifndef HW_BANNED_H
#define HW_BANNED_H

/*
 * The headers that declare these come first: with _FORTIFY_SOURCE (as
 * Debian's package build sets it) they also define sprintf and friends as
 * inline wrappers, which the macros below would break in a header read
 * later. Included here, a later #include of them is a no-op.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef system
#define system(x) BANNED(system)
#undef popen
#define popen(x, y) BANNED(popen)

#endif
