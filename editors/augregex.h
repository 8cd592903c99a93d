/*
 * augregex.h -- Augeas compiles a lens's regular expressions when it first
 * uses the lens and frees them after every load and every save
 * (lens_release in transform.c); there is no flag to keep them. An SSH
 * dry run so compiled the Sshd lens twice, and the wizard once more on
 * each return to the menu: 30 ms of every 100.
 *
 * augregex.c keeps them. It defines GNU regex's re_compile_pattern and
 * regfree in the program, so libaugeas's calls come here: a pattern
 * compiled once (same text, same syntax bits) gets the same compiled
 * automaton again, and regfree leaves such an automaton alone. The
 * automaton is never written by matching except for its lazily built
 * state cache, which glibc builds under the automaton's own lock (it is
 * what makes regexec on one regex_t safe from many threads), so two
 * buffers may share it. Buffers this cache did not fill (regcomp's, or a
 * caller's with its own fastmap or translate table) are passed through.
 * Only on glibc; elsewhere nothing is kept.
 */
#ifndef HW_AUGREGEX_H
#define HW_AUGREGEX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when the program's re_compile_pattern is this cache's, so that
 * libaugeas compiles through it. The file is linked into a program as an
 * object (CMake's hwaugregex), never from an archive, where nothing would
 * pull it in.
 */
bool	augregex_active(void);

/* Patterns compiled by glibc, and compilations answered from the cache. */
void	augregex_stats(size_t *compiled, size_t *reused);

#endif
