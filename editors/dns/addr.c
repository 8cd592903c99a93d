/*
 * dns/addr.c -- this machine's public addresses, as the interfaces have
 * them: what other mail servers see when it sends directly. Behind NAT
 * there is none, and the caller asks the admin for it.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "dns/resolver.h"

/* Loopback, private, shared (CGNAT), link-local, documentation. */
static bool
private4(const unsigned char *a)
{
	return a[0] == 127 || a[0] == 10 || a[0] == 0 ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 100 && (a[1] & 0xc0) == 64) ||
	    (a[0] == 169 && a[1] == 254) ||
	    (a[0] == 192 && a[1] == 0 && a[2] == 2) ||
	    (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	    (a[0] == 203 && a[1] == 0 && a[2] == 113) || a[0] >= 224;
}

/* Loopback, unique-local, link-local, documentation, mapped, multicast. */
static bool
private6(const unsigned char *a)
{
	static const unsigned char loop[16] = { [15] = 1 };

	return memcmp(a, loop, 16) == 0 || (a[0] & 0xfe) == 0xfc ||
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	    (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||
	    a[0] == 0xff || (a[0] == 0 && a[10] == 0xff && a[11] == 0xff);
}

static bool
public_address(const char *ip)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, ip, a) == 1)
		return !private4(a);
	return inet_pton(AF_INET6, ip, a) == 1 && !private6(a);
}

void
dns_public_addresses(struct strv *out)
{
	struct ifaddrs *list, *i;

	if (getifaddrs(&list) != 0)
		return;
	for (i = list; i != NULL; i = i->ifa_next) {
		char text[INET6_ADDRSTRLEN];
		const void *a;

		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, text, sizeof text) !=
		    NULL && public_address(text) &&
		    !strv_contains(out, text))
			strv_add(out, text);
	}
	freeifaddrs(list);
}
