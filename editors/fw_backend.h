/*
 * fw_backend.h -- what firewall.c needs from each backend (fw_ufw.c,
 * fw_firewalld.c). Not for steps: they use firewall.h.
 */
#ifndef HW_FW_BACKEND_H
#define HW_FW_BACKEND_H

#include "firewall.h"

/* Cheap look: installed? filtering (live) or enabled at boot (offline)? */
void	 ufw_probe(const char *root, bool *installed, bool *active);
void	 firewalld_probe(const char *root, bool *installed, bool *active,
	    bool *running);

int	 ufw_load(const char *root, struct firewall *, char **cause);
int	 firewalld_load(const char *root, struct firewall *, char **cause);

void	 ufw_allow(struct firewall *, struct plan *, const char *step,
	    const struct fw_ports *, const char *why);
void	 firewalld_allow(struct firewall *, struct plan *, const char *step,
	    const struct fw_ports *, const char *why);

/* Deny P after removing the openers; PARTIAL: a rule that stays opens it. */
void	 ufw_deny(struct firewall *, struct plan *, const char *step,
	    const struct fw_ports *, bool partial);

int	 ufw_block_outbound(struct augs *, long mta_uid, const char *mta_name,
	    char **cause);
void	 firewalld_block_outbound(struct firewall *, struct plan *,
	    const char *step, long mta_uid, const char *mta_name);

void	 ufw_finish(struct firewall *, struct plan *, const char *step,
	    bool enable, bool files_changed);
void	 firewalld_finish(struct firewall *, struct plan *, const char *step,
	    bool enable);

/* Shared helpers. */
struct fw_opener *fw_add_opener(struct firewall *, const char *label);
void	 fw_opener_port(struct fw_opener *, const struct fw_ports *);
/* A command of STEP with its inverse, rewriting TOUCH1 and TOUCH2. */
struct change *fw_command(struct plan *, const char *step, char *const *argv,
	    char *const *undo, const char *why, const char *touch1,
	    const char *touch2);
/* The root's file as text ("" when missing); caller frees. */
char	*fw_read_text(const char *root, const char *path);
/* Run a read-only query; *out its output (caller frees); exit status. */
int	 fw_query(char *const *argv, char **out);

#endif
