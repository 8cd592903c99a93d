/*
 * journal.h -- a record of each transaction under
 * ROOT/var/lib/hardenwiz/journal/ID/: manifest.json (every change, whether
 * it was done, hashes of what was written) and orig-N (the original bytes of
 * each replaced file). The manifest is written before the first change and
 * after every change, so a crash leaves enough to undo what was done.
 */
#ifndef HW_JOURNAL_H
#define HW_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "plan.h"

#define JOURNAL_DIR "/var/lib/hardenwiz/journal"
#define LOCK_PATH "/var/lib/hardenwiz/lock"

struct journal;

/* Take the one-instance lock; WAIT blocks for it. *fd to lock_release. */
int	 lock_acquire(const char *root, bool wait, int *fd, char **cause);
void	 lock_release(int fd);

/* Record PLAN before anything is changed: originals and the manifest. */
int	 journal_begin(const char *root, const struct plan *, struct journal **,
	    char **cause);
const char *journal_id(const struct journal *);
/* Change I of the plan was performed (or skipped under an offline root). */
int	 journal_done(struct journal *, size_t i, bool skipped, char **cause);
/* Command I of the plan is about to run (its effect is uncertain now). */
int	 journal_started(struct journal *, size_t i, char **cause);
/* Every change was made: record what the commands' files look like now. */
int	 journal_seal(struct journal *, char **cause);
int	 journal_state(struct journal *, const char *state, long deadline,
	    char **cause);
void	 journal_free(struct journal *);

/*
 * Undo what J recorded as done: files back byte for byte with mode and owner,
 * created files and directories removed, then the inverse commands in
 * reverse order. Problems that do not stop the undo go to WARNINGS.
 */
int	 journal_undo(struct journal *, bool force, struct strv *warnings,
	    char **cause);

/*
 * Roll back transaction ID (NULL: the newest that is applied, pending or
 * interrupted). An interrupted transaction (state "applying", or
 * "rolling-back" when a rollback was itself interrupted) is undone by the
 * bytes of each file: what it wrote is restored, what is still the original
 * is left, and a command started but not marked done has its inverse run.
 * Refuses, naming the file, when a file changed since, unless FORCE, and
 * while another transaction is interrupted. IF_PENDING: only when it is
 * still pending (the dead-man switch); then it also stands back, returning
 * 1 with the reason in *CAUSE and in the journal, when a later transaction
 * still stands. *rolled gets the id (caller frees).
 */
int	 journal_rollback(const char *root, const char *id, bool force,
	    bool if_pending, char **rolled, struct strv *warnings,
	    char **cause);
/* IDs of the transactions that stopped half way (call under the lock). */
int	 journal_interrupted(const char *root, struct strv *ids, char **cause);
/* Pending transactions whose confirmation deadline is at or before NOW. */
int	 journal_expired(const char *root, long now, struct strv *ids,
	    char **cause);
/* Mark every pending transaction as kept; their ids into KEPT. */
int	 journal_confirm(const char *root, struct strv *kept, char **cause);
/* Array of {id,time,state,steps,files,commands}, newest last; caller decrefs. */
int	 journal_history(const char *root, json_t **out, char **cause);
/*
 * What transaction ID did, as a diff: each file it wrote from its original
 * to what is there now (*SINCE: someone changed one after it, which is
 * said above that file), secret and private files named only, its commands
 * as "# run:" lines. For History, before a rollback.
 */
struct buf;
int	 journal_diff(const char *root, const char *id, struct buf *out,
	    bool *since, char **cause);

#endif
