/*
 * listening.h -- sockets that accept connections from the network, read
 * from ROOT/proc/net/{tcp,tcp6,udp,udp6} (the kernel's own table, not
 * netstat's output), with the owning program from ROOT/proc/PID/fd where
 * the caller may look.
 */
#ifndef HW_LISTENING_H
#define HW_LISTENING_H

#include <stdbool.h>
#include <stddef.h>

struct listener {
	bool		 udp;
	bool		 v6;
	char		 addr[48];	/* "0.0.0.0", "::", "203.0.113.5" */
	unsigned int	 port;
	unsigned long	 inode;
	char		*program;	/* "sshd", or NULL when unknown */
	long		 pid;		/* its owner, 0 when unknown */
};

struct listeners {
	struct listener	*v;
	size_t		 n;
	bool		 known;		/* ROOT/proc/net was readable */
};

/* Non-loopback listeners, one per protocol and port, sorted by port. */
void	 listeners_load(const char *root, struct listeners *);
void	 listeners_release(struct listeners *);

/*
 * A TCP connection to ADDRESS, a milter's "inet:HOST:PORT" with an IPv4
 * HOST, succeeds within SECONDS (a daemon just restarted needs a moment).
 */
bool	 inet_accepts(const char *address, unsigned int seconds);
/*
 * The milter at ADDRESS ("inet:HOST:PORT") answers the protocol's first
 * question within SECONDS: more than a listening socket, which a daemon
 * in the middle of a reload may still hold with no worker behind it.
 */
bool	 milter_answers(const char *address, unsigned int seconds);

#endif
