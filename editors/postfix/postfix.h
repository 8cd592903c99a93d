/*
 * postfix/postfix.h -- Postfix's own tools as the checker, and facts about
 * the Postfix under the root.
 *
 * "postfix check" and "postconf" exit 0 for a typo'd parameter, for
 * "10/min" where a number belongs and for a map whose .db is missing, so
 * the check is: "postconf -c DIR -n" prints no warning, every parameter
 * the plan sets reads back with "postconf -c DIR -h", and on a live root
 * "postfix -c DIR check" passes; DIR is a staged copy of ROOT/etc/postfix
 * with the plan's candidates in it. After a reload on a live system, an
 * SMTP smoke test (220 banner, 250 to EHLO) must pass.
 */
#ifndef HW_POSTFIX_H
#define HW_POSTFIX_H

#include <stdbool.h>

#include "daemon.h"
#include "plan.h"

#define POSTFIX_DIR	"/etc/postfix"
#define POSTFIX_MAIN	"/etc/postfix/main.cf"

/* ROOT has a Postfix configuration and this machine has postconf. */
bool	 postfix_present(const char *root);
/*
 * No Postfix under the plan's root: STEP is not applicable (not an error:
 * one recipe serves many servers) and the plan says so. True if skipped.
 */
bool	 postfix_skip_step(struct plan *, const char *step);
/* The master daemon of a live root runs (its pid file names a process). */
bool	 postfix_running(const char *root);

/*
 * postconf -c ROOT/etc/postfix -h KEY, defaults included ($names expanded
 * when EXPAND); caller frees; NULL when postconf fails.
 */
char	*postfix_param(const char *root, const char *key, bool expand);
/*
 * An audit's postconf -x started in E (postfix_table_early), and its
 * result made the table postfix_param reads (postfix_table_take), when
 * main.cf is still the file it ran on.
 */
struct early;
void	 postfix_table_early(const char *root, struct early *);
void	 postfix_table_take(const char *root, struct early *);

/*
 * postconf ARGV with its standard error apart: OUT gets only what it
 * printed on standard output (the values), ERR (may be NULL) its warnings
 * (a missing master.cf, Postfix 3.10's deprecation notices), which never
 * become part of a value. A non-zero exit fails with what it said.
 */
int	 postfix_postconf(char *const *argv, struct buf *out, struct buf *err,
	    char **cause);
/* "KEY = VALUE" lines of postconf's output (-n, -d, -F, -P) into KEYS and
 * VALUES; TEXT is cut up. */
void	 postfix_parse_params(char *text, struct strv *keys,
	    struct strv *values);
/*
 * What the daemons DIR's master.cf starts say when started on DIR
 * (startup.c): "service/type\tprogram\twhy" in FATALS for each that would
 * not get past its configuration, in Postfix's words. ONLY (NULL: all)
 * names the services ("name/type") to ask.
 */
int	 postfix_startup_fatals(const char *dir, const struct strv *only,
	    struct strv *fatals, char **cause);

/* The candidates (or, !CANDIDATES, the live files) pass Postfix's tools. */
extern const struct checker postfix_checker;

/*
 * A master.cf service's command (master.c): its words (program and
 * arguments), its "-o" overrides in order, and the blank and comment lines
 * found before each override, kept for writing it back.
 */
struct master_cmd {
	struct strv	words;
	struct strv	keys, values;
	struct strv	before;		/* "" or lines, each ending in "\n" */
};
void	 master_cmd_init(struct master_cmd *);
void	 master_cmd_release(struct master_cmd *);
/* Parse COMMAND (as the Postfix_Master lens stores it) into M. */
int	 master_cmd_parse(const char *command, struct master_cmd *m,
	    char **cause);
/* Set override KEY to VALUE, in its place or at the end. */
void	 master_cmd_set(struct master_cmd *, const char *key,
	    const char *value);
/* The command again: words on the first line, one "  -o" line each. */
char	*master_cmd_format(const struct master_cmd *);
/*
 * postfix_master.aug: master.cf as Postfix reads it (Augeas 1.14's lens
 * stops at Debian 13's stock file and at comments between "-o" lines).
 */
extern const struct aug_module hw_lens_postfix_master;
/* Expectations: postconf -h KEY prints VALUE. */
extern const struct expect_kind postfix_setting;
/* postmap -q LABEL KEY (= type:map) prints VALUE. */
extern const struct expect_kind postfix_map_entry;
/*
 * Probes, live roots only: the relay KEY ("[host]:port") accepts the login
 * LABEL with the password VALUE (a plan secret) over TLS, ALIAS "wrapper"
 * for TLS from the first byte; after the reload the socket KEY exists;
 * SMTP answers on 127.0.0.1 port KEY.
 */
extern const struct expect_kind postfix_relay_login;
extern const struct expect_kind postfix_auth_socket;
extern const struct expect_kind postfix_smtp_port;
/* 220 banner and 250 to EHLO on HOST:PORT within SECONDS. */
int	 smtp_smoke(const char *host, int port, unsigned int seconds,
	    char **cause);

struct augs;

/*
 * Set main.cf's KEY to VALUE through the session (its last definition:
 * Postfix keeps the last one), expecting postconf to read it back. Nothing
 * when VALUE is already in effect, defaults included.
 */
int	 postfix_set_main(struct augs *, struct plan *, const char *step,
	    const char *key, const char *value, char **cause);
/*
 * main.cf's KEY as this run leaves it: the session's value when a step set
 * it, else what Postfix reads now (defaults included). Caller frees; NULL
 * when postconf cannot say.
 */
char	*postfix_main_value(struct augs *, const char *root, const char *key);
/*
 * Postfix's milter list KEY (smtpd_milters, non_smtpd_milters) holds
 * MILTER (ADD) or not: at the end, or FIRST (a filter: every other milter,
 * the DKIM signer among them, then sees the message as it leaves).
 */
int	 postfix_plan_milter(struct augs *, struct plan *, const char *step,
	    const char *key, const char *milter, bool add, bool first,
	    char **cause);
/* The file postmap writes for TYPE:MAP (map.db, map.lmdb, map.cdb). */
char	*postfix_map_db(const char *type, const char *map);
/* postmap builds TYPE:MAP's database; rollback restores that file. */
void	 postfix_plan_postmap(struct plan *, const char *step,
	    const char *type, const char *map, const char *why);

/*
 * Log in to the SMTP server RELAY ("[host]:port") as USER with PASSWORD:
 * STARTTLS (TLS from the start when WRAPPER), then AUTH PLAIN. 0 on 235.
 * *NOTE gets what the admin should know (an unverified certificate).
 */
int	 smtp_login_test(const char *relay, bool wrapper, const char *user,
	    const char *password, char **note, char **cause);

/* The reload that makes Postfix read main.cf: planned with itself as undo. */
void	 postfix_plan_reload(struct plan *, const char *step);

#endif
