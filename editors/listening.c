/*
 * listening.c -- parsing /proc/net/{tcp,udp}[6].
 *
 * Each line: "sl local_address rem_address st tx:rx tr:when retrnsmt uid
 * timeout inode ...". Addresses are hex in the kernel's byte order, one
 * 32-bit word at a time; st 0A is TCP_LISTEN, and a UDP socket that accepts
 * datagrams from anyone is unconnected (st 07) with no remote address.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "listening.h"
#include "util.h"

#define TCP_LISTEN	0x0a
#define UDP_UNCONN	0x07

/* Kernel hex address to text; false for loopback (not reachable). */
static bool
decode_addr(const char *hex, bool v6, char *out, size_t len)
{
	unsigned char b[16];
	size_t words = v6 ? 4 : 1;

	if (strlen(hex) != words * 8)
		return false;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		unsigned int word;

		memcpy(part, hex + w * 8, 8);
		part[8] = '\0';
		if (sscanf(part, "%x", &word) != 1)
			return false;
		/* Host order word: the kernel printed it with %08X. */
		memcpy(b + w * 4, &word, 4);
	}
	if (!v6) {
		if (b[0] == 127)
			return false;
		return inet_ntop(AF_INET, b, out, (socklen_t)len) != NULL;
	}
	{
		static const unsigned char lo[16] = { [15] = 1 };
		static const unsigned char mapped[12] = { [10] = 0xff,
		    [11] = 0xff };

		if (memcmp(b, lo, 16) == 0 || (memcmp(b, mapped, 12) == 0 &&
		    b[12] == 127))
			return false;
	}
	return inet_ntop(AF_INET6, b, out, (socklen_t)len) != NULL;
}

static void
add(struct listeners *ls, const struct listener *l)
{
	for (size_t i = 0; i < ls->n; i++) {
		/* 0.0.0.0:22 and [::]:22 are one port to the admin. */
		if (ls->v[i].udp == l->udp && ls->v[i].port == l->port)
			return;
	}
	ls->v = xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
	ls->v[ls->n++] = *l;
}

static void
parse_table(const char *root, const char *name, bool udp, bool v6,
    struct listeners *ls)
{
	char *path = xasprintf("/proc/net/%s", name), *save = NULL;
	struct fs_file f;
	bool first = true;

	if (fs_read(root, path, &f, NULL) != 0 || !f.exists) {
		fs_file_release(&f);
		free(path);
		return;
	}
	ls->known = true;
	for (char *line = strtok_r(f.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), first = false) {
		char local[64], remote[64];
		unsigned int st, port;
		unsigned long inode;
		struct listener l;
		char *colon;

		if (first)
			continue;	/* header */
		if (sscanf(line, "%*s %63s %63s %x %*s %*s %*s %*s %*s %lu",
		    local, remote, &st, &inode) != 4)
			continue;
		if (st != (udp ? UDP_UNCONN : TCP_LISTEN))
			continue;
		if ((colon = strchr(local, ':')) == NULL)
			continue;
		*colon = '\0';
		if (sscanf(colon + 1, "%x", &port) != 1 || port == 0)
			continue;
		if (udp && strchr(remote, ':') != NULL &&
		    strtoul(strchr(remote, ':') + 1, NULL, 16) != 0)
			continue;	/* connected: a client socket */
		memset(&l, 0, sizeof l);
		if (!decode_addr(local, v6, l.addr, sizeof l.addr))
			continue;
		l.udp = udp;
		l.v6 = v6;
		l.port = port;
		l.inode = inode;
		add(ls, &l);
	}
	fs_file_release(&f);
	free(path);
}

/* "socket:[12345]" links under ROOT/proc/PID/fd name the owner. */
static void
find_owners(const char *root, struct listeners *ls)
{
	struct strv pids;

	strv_init(&pids);
	if (fs_list(root, "/proc", &pids, NULL) != 0) {
		strv_release(&pids);
		return;
	}
	for (size_t i = 0; i < pids.n; i++) {
		struct strv fds;
		char *dir;

		if (strspn(pids.v[i], "0123456789") != strlen(pids.v[i]))
			continue;
		dir = xasprintf("/proc/%s/fd", pids.v[i]);
		strv_init(&fds);
		(void)fs_list(root, dir, &fds, NULL);
		for (size_t k = 0; k < fds.n; k++) {
			char *fd = xasprintf("%s/%s", dir, fds.v[k]);
			char *host = NULL, link[64];
			ssize_t n = -1;
			unsigned long inode;

			/* Resolve the directory only: the link is read. */
			if (fs_resolve(root, dir, &host, NULL) == 0) {
				char *p = xasprintf("%s/%s", host, fds.v[k]);

				n = readlink(p, link, sizeof link - 1);
				free(p);
			}
			free(host);
			free(fd);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (sscanf(link, "socket:[%lu]", &inode) != 1)
				continue;
			for (size_t j = 0; j < ls->n; j++) {
				struct listener *l = &ls->v[j];
				char *comm, *path;
				struct fs_file f;

				if (l->inode != inode || l->program != NULL)
					continue;
				path = xasprintf("/proc/%s/comm", pids.v[i]);
				if (fs_read(root, path, &f, NULL) == 0 &&
				    f.exists) {
					comm = xstrdup(f.data);
					l->program = xstrdup(trim(comm));
					l->pid = strtol(pids.v[i], NULL, 10);
					free(comm);
				}
				fs_file_release(&f);
				free(path);
			}
		}
		strv_release(&fds);
		free(dir);
	}
	strv_release(&pids);
}

static int
by_port(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (int)x->udp - (int)y->udp;
}

void
listeners_load(const char *root, struct listeners *ls)
{
	memset(ls, 0, sizeof *ls);
	parse_table(root, "tcp", false, false, ls);
	parse_table(root, "tcp6", false, true, ls);
	parse_table(root, "udp", true, false, ls);
	parse_table(root, "udp6", true, true, ls);
	if (ls->n > 1)
		qsort(ls->v, ls->n, sizeof *ls->v, by_port);
	if (ls->n > 0)
		find_owners(root, ls);
}

void
listeners_release(struct listeners *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->v[i].program);
	free(ls->v);
	memset(ls, 0, sizeof *ls);
}

/* A TCP socket connected to "inet:HOST:PORT" (IPv4 HOST), or -1. */
static int
inet_connect(const char *address)
{
	const char *host = address + strlen("inet:");
	const char *colon = strrchr(host, ':');
	struct sockaddr_in sin;
	char *h;
	int fd = -1;

	if (!str_has_prefix(address, "inet:") || colon == NULL)
		return -1;
	h = xstrndup(host, (size_t)(colon - host));
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, h, &sin.sin_addr) == 1 &&
	    (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0 &&
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		fd = -1;
	}
	free(h);
	return fd;
}

bool
inet_accepts(const char *address, unsigned int seconds)
{
	for (unsigned int tries = 0; tries < seconds * 4; tries++) {
		int fd = inet_connect(address);

		if (fd >= 0) {
			close(fd);
			return true;
		}
		usleep(250 * 1000);
	}
	return false;
}

/*
 * The milter protocol's first exchange: SMFIC_OPTNEG ('O': version 6),
 * answered by the milter's own 'O'. Every action and protocol step is
 * offered, as Postfix does: libmilter closes the connection on an MTA
 * that does not offer the actions its milter registered (spamass-milter
 * changes headers and the body).
 */
static bool
negotiates(int fd)
{
	unsigned char pkt[17] = { 0, 0, 0, 13, 'O', 0, 0, 0, 6,
	    0, 0, 0x01, 0xff, 0, 0x1f, 0xff, 0xff };
	unsigned char reply[5];
	struct timeval tv = { 5, 0 };
	size_t got = 0;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (write(fd, pkt, sizeof pkt) != (ssize_t)sizeof pkt)
		return false;
	while (got < sizeof reply) {
		ssize_t n = read(fd, reply + got, sizeof reply - got);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return reply[4] == 'O';
}

bool
milter_answers(const char *address, unsigned int seconds)
{
	time_t deadline = time(NULL) + seconds;

	do {
		int fd = inet_connect(address);
		bool ok = fd >= 0 && negotiates(fd);

		if (fd >= 0)
			close(fd);
		if (ok)
			return true;
		usleep(250 * 1000);
	} while (time(NULL) < deadline);
	return false;
}
