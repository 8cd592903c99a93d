/*
 * firewall.h -- the host firewall, ufw or firewalld, as a list of things
 * that open ports ("openers": a ufw rule, a firewalld service or port in a
 * zone), each with the command that removes it and the one that puts it
 * back. Everything is read from files under the root; on a live root the
 * daemon's own view (firewall-cmd --state, ufw status) is asked as well.
 * Nothing here runs a command that changes anything: changes are planned.
 */
#ifndef HW_FIREWALL_H
#define HW_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
#include "plan.h"
#include "sysinfo.h"

struct fw_backend;

/* A port or range and its protocol: 25/tcp, 6000-6007/tcp, 53/udp. */
struct fw_ports {
	unsigned int	lo, hi;
	bool		udp;
};

/* Parse "N", "N/tcp", "N-M/udp", "N:M/tcp" (ufw's range); 0 or -1. */
int	 fw_ports_parse(const char *, struct fw_ports *);
/* "25/tcp", "6000-6007/tcp" (caller frees). */
char	*fw_ports_string(const struct fw_ports *);
/* A covers all of B. */
bool	 fw_ports_cover(const struct fw_ports *a, const struct fw_ports *b);

struct fw_opener {
	char		*label;		/* "ufw rule 'allow 25/tcp'" */
	struct fw_ports	*ports;
	size_t		 nports;
	bool		 exact;		/* only the ports asked about */
	char		**remove;	/* argv that removes it */
	char		**readd;	/* argv that puts it back */
	struct strv	 touches;	/* the files both rewrite */
};

struct firewall {
	const struct fw_backend *backend;
	bool		 installed;
	bool		 active;	/* filtering now (or at boot, offline) */
	bool		 running;	/* firewalld: the daemon answers */
	bool		 live;		/* root is "/": commands will run */
	char		*why;		/* how the backend was chosen */
	struct fw_opener *open;
	size_t		 nopen;
	bool		 outbound_blocked;
	struct strv	 zones;		/* firewalld: zones that filter */
	struct strv	 denied;	/* ufw: "25/tcp" with an explicit deny */
	struct strv	 notes;		/* rules left alone, two firewalls */
	char		*default_zone;
};

/*
 * Look at the firewall under ROOT. WANT is "auto", "ufw" or "firewalld":
 * auto takes the active one, else the installed one, else the
 * distribution's default. Fails when auto finds two active firewalls.
 */
int	 fw_load(const char *root, const struct osinfo *, const char *want,
	    struct firewall *, char **cause);
void	 fw_release(struct firewall *);
const char *fw_name(const struct firewall *);
/* fail2ban's ban action for this firewall. */
const char *fw_banaction(const struct firewall *);
/* Installed, or installable by a plan on OS (its own family's firewall). */
bool	 fw_installable(const struct firewall *, const struct osinfo *);
/* The file the outbound block edits that only the package creates, or NULL. */
const char *fw_outbound_file(const struct firewall *);

/* Some opener lets PORTS in from anywhere. */
bool	 fw_allows(const struct firewall *, const struct fw_ports *);
/* Every allowed port, "22/tcp 80/tcp" (for the wizard's form). */
char	*fw_allowed_list(const struct firewall *);

/*
 * Planning. Each appends commands (with inverse and touched files) of
 * STEP; fw_plan_finish adds the reload or enable that makes them live.
 */
int	 fw_plan_install(struct firewall *, struct plan *, const char *step,
	    const struct osinfo *, char **cause);
void	 fw_plan_allow(struct firewall *, struct plan *, const char *step,
	    const struct fw_ports *, const char *why);
/* Close the N ports: remove what opens them (when it opens nothing else). */
void	 fw_plan_close(struct firewall *, struct plan *, const char *step,
	    const struct fw_ports *, size_t n);
/*
 * Outbound tcp/25 rejected for all but MTA_UID (-1: no MTA exempt) and
 * loopback. ufw: rules in before.rules/before6.rules, edited in AUGS (the
 * step collects them); firewalld: permanent direct rules.
 */
struct augs;
int	 fw_plan_block_outbound(struct firewall *, struct plan *,
	    const char *step, struct augs *, long mta_uid,
	    const char *mta_name, char **cause);
void	 fw_plan_finish(struct firewall *, struct plan *, const char *step,
	    bool enable, bool files_changed);

/*
 * For a step that moves a port the firewall must keep open (sshd), in a
 * run without the firewall step: when a firewall is active and does not
 * allow PORT yet, plan allowing it and the reload.
 */
int	 fw_plan_keep_open(const char *root, const struct osinfo *,
	    struct plan *, const char *step, const struct fw_ports *,
	    const char *why, char **cause);

/* The user the MTA runs as, from ROOT/etc/passwd; *uid -1 when none. */
void	 fw_mta_user(const char *root, long *uid, char **name);

/* Files the ufw outbound edit goes through (Iptables.lns). */
#define UFW_BEFORE_RULES	"/etc/ufw/before.rules"
#define UFW_BEFORE6_RULES	"/etc/ufw/before6.rules"

#endif
