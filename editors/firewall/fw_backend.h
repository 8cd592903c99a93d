/*
 * fw_backend.h -- what firewall.c needs from each backend (fw_ufw.c,
 * fw_firewalld.c). Not for steps: they use firewall.h.
 */
#ifndef HW_FW_BACKEND_H
#define HW_FW_BACKEND_H

#include "daemon.h"
#include "augsession.h"
#include "firewall/firewall.h"

/* What a cheap look at one firewall under a root finds. */
struct fw_probe {
	bool	installed;
	bool	active;		/* filtering now (live) or enabled at boot */
	bool	running;	/* a daemon answers (firewalld) */
	/*
	 * Why the live state is unknown (its query could not run: fork,
	 * exec, timeout), or NULL. Guessing "inactive" then would move SSH
	 * without opening its port: fw_load refuses instead.
	 */
	char	*error;
};

/*
 * One firewall backend, as a table of functions (after tmux's window
 * modes): a new backend is one new file with one of these, and one line
 * in fw_backends[] (firewall.c). Nothing outside its file knows its name
 * but for what is in here.
 */
struct fw_backend {
	const char	*name;		/* as in "backend =" */
	/* The family whose own firewall it is; installed only there. */
	enum os_family	 family;
	char *const	*install;	/* argv, and its inverse */
	char *const	*uninstall;
	const char	*install_why;	/* N_() */
	const char	*foreign;	/* N_(): why it is not installed elsewhere */
	const char	*banaction;	/* fail2ban's action for it */
	/* N_(): what becomes of a rule that also opens other ports. */
	const char	*kept_rule;
	/* A file the outbound block edits that only its package creates. */
	const char	*outbound_file;

	void	(*probe)(const char *root, struct fw_probe *);
	/* Its rules into FW; when not installed, what a fresh install has. */
	int	(*load)(const char *root, struct firewall *, char **cause);
	void	(*allow)(struct firewall *, struct plan *, const char *step,
		    const struct fw_ports *, const char *why);
	/*
	 * After the openers of P are removed: deny it explicitly (NULL:
	 * removing them is closing). PARTIAL: a rule that stays opens it.
	 */
	void	(*deny)(struct firewall *, struct plan *, const char *step,
		    const struct fw_ports *, bool partial);
	int	(*block_outbound)(struct firewall *, struct plan *,
		    const char *step, struct augs *, long mta_uid,
		    const char *mta_name, char **cause);
	/* Enable, or load what changed; FILES_CHANGED: files, not commands. */
	void	(*finish)(struct firewall *, struct plan *, const char *step,
		    bool enable, bool files_changed);
};

extern const struct fw_backend fw_backend_ufw;
extern const struct fw_backend fw_backend_firewalld;

/* Shared helpers. */
struct fw_opener *fw_add_opener(struct firewall *, const char *label);
void	 fw_opener_port(struct fw_opener *, const struct fw_ports *);
/* A command of STEP with its inverse, rewriting TOUCH1 and TOUCH2. */
struct change *fw_command(struct plan *, const char *step, char *const *argv,
	    char *const *undo, const char *why, const char *touch1,
	    const char *touch2);
/* The root's file as text ("" when missing); caller frees. */
char	*fw_read_text(const char *root, const char *path);
/*
 * Run a read-only query; *out its output (caller frees); its exit status,
 * or -1 when not installed, or -1 with *cause (when CAUSE is not NULL) when
 * it could not run at all.
 */
int	 fw_query(char *const *argv, char **out, char **cause);

#endif
