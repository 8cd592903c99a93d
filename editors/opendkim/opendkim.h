/*
 * opendkim/opendkim.h -- OpenDKIM, the milter that signs outgoing mail:
 * where it keeps its configuration and keys, its own "opendkim -n" as the
 * checker, the socket Postfix reaches it on (opendkim.c), and its
 * configuration and keys as a step edits them (config.c).
 *
 * The candidate: opendkim.conf and its file tables are staged in a scratch
 * directory (the conf pointing at the staged tables) and must pass
 * "opendkim -n -x STAGED" (it parses the conf and opens every table);
 * every key the candidate KeyTable names must exist once the plan is done,
 * so a signer never points at a missing key. After a restart on a live
 * system, the milter socket must accept a connection.
 */
#ifndef HW_OPENDKIM_H
#define HW_OPENDKIM_H

#include <stdbool.h>
#include <sys/types.h>

#include "augsession.h"
#include "daemon.h"
#include "plan.h"
#include "sysinfo.h"

#define OPENDKIM_CONF		"/etc/opendkim.conf"
#define OPENDKIM_DIR		"/etc/opendkim"
#define OPENDKIM_KEYTABLE	OPENDKIM_DIR "/KeyTable"
#define OPENDKIM_SIGNINGTABLE	OPENDKIM_DIR "/SigningTable"
#define OPENDKIM_PID		"/run/opendkim/opendkim.pid"
/*
 * TCP on loopback: Postfix's smtpd and cleanup run chrooted in
 * /var/spool/postfix on Debian, where OpenDKIM's own unix socket under
 * /run cannot be reached. 8891 is OpenDKIM's customary port.
 */
#define OPENDKIM_PORT		"8891"
#define OPENDKIM_SOCKET		"inet:" OPENDKIM_PORT "@127.0.0.1"
#define OPENDKIM_MILTER		"inet:127.0.0.1:" OPENDKIM_PORT

extern const struct aug_module hw_lens_opendkim;
extern const struct aug_module hw_lens_opendkim_table;

/* OpenDKIM is installed under ROOT (its program and opendkim.conf). */
bool		 opendkim_present(const char *root);
/* Where the distribution keeps private keys (/etc/dkimkeys on Debian). */
const char	*opendkim_key_dir(const struct osinfo *);
/* The user OpenDKIM runs as, from ROOT/etc/passwd (UserID, else opendkim). */
int		 opendkim_user(const char *root, const char *userid, uid_t *,
		    gid_t *, char **cause);
/* "refile:/x", "file:/x" or "/x": the path of a file table, else NULL. */
const char	*opendkim_file_table(const char *spec);
/*
 * "inet:PORT@HOST" or "inet:PORT" (SOCKET) as the milter address Postfix
 * uses ("inet:HOST:PORT"); NULL for any other socket.
 */
char		*opendkim_milter_address(const char *socket);
/*
 * OpenDKIM rereads its configuration: a restart through systemd, or
 * without systemd a SIGUSR1 through its pid file, which cannot move the
 * socket (SOCKET_MOVES: refused, with the reason in *CAUSE).
 */
int		 opendkim_plan_restart(struct plan *, const char *step,
		    bool socket_moves, char **cause);

/*
 * config.c: OpenDKIM's configuration as a step edits it, through an
 * Augeas session that loads OPENDKIM_CONF and the tables under
 * OPENDKIM_DIR.
 */
struct opendkim_setup {
	char		*keytable;	/* path of the KeyTable file */
	char		*signtable;	/* path of the SigningTable file */
	bool		 refile;	/* SigningTable rows are patterns */
	char		*milter;	/* OpenDKIM as Postfix reaches it */
	bool		 socket_moves;	/* Socket changes: a restart */
	uid_t		 uid;		/* OpenDKIM's user, owns the keys */
	gid_t		 gid;
	const char	*keydir;
};
/*
 * Read opendkim.conf into *O and make it fit to sign: a KeyTable and a
 * (refile:) SigningTable when it names none, Socket on TCP loopback when
 * it is not on TCP, Mode with s. Refused, with what to do: a single
 * KeyFile, a table that is not a file under OPENDKIM_DIR.
 */
int		 opendkim_prepare(struct augs *, struct plan *,
		    const struct osinfo *, struct opendkim_setup *o,
		    char **cause);
void		 opendkim_setup_release(struct opendkim_setup *);
/*
 * DOMAIN's key for SELECTOR: the file its KeyTable row names, else
 * KEYDIR/DOMAIN.SELECTOR.private, read when there (*PUB its p=), else
 * made (RSA 2048) and planned as STEP's private file, 0600 for OpenDKIM's
 * user (*MADE); a new row is added to the KeyTable.
 */
int		 opendkim_plan_key(struct augs *, struct plan *,
		    const char *step, const struct opendkim_setup *,
		    const char *domain, const char *selector, char **pub,
		    bool *made, char **cause);
/* The KeyTable row DOMAIN's mail is signed with now (caller frees), or NULL. */
char		*opendkim_signing(struct augs *, const struct opendkim_setup *,
		    const char *domain);
/*
 * The selector DOMAIN signs with now (its SigningTable row's key), else
 * of DOMAIN's first KeyTable row; NULL when none. Caller frees.
 */
char		*opendkim_selector(struct augs *, const struct opendkim_setup *,
		    const char *domain);
/* DOMAIN's mail is signed with the KeyTable row NAME from now on. */
int		 opendkim_sign_with(struct augs *, const struct opendkim_setup *,
		    const char *domain, const char *name, char **cause);

extern const struct checker opendkim_checker;
/* Probe, live roots: OpenDKIM accepts connections on KEY ("inet:H:P"). */
extern const struct expect_kind opendkim_listening;

#endif
