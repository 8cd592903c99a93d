/*
 * fuzz_firewall.c -- the firewall readers: ufw's rule files (### tuple ###
 * lines, before.rules) and firewalld's zone and direct XML, read from a
 * scratch root as an offline run reads them, and the port parser. The
 * first byte picks the file; the rest is its content.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firewall/firewall.h"
#include "fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/hardenwiz-fuzzfw.XXXXXX";
static struct osinfo os;

static void
put(const char *rel, const void *text, size_t len)
{
	char path[256];

	snprintf(path, sizeof path, "%s%s", root, rel);
	(void)fs_write_scratch(path, text, len, NULL);
}

static void
cleanup(void)
{
	fs_remove_tree(root);
}

static void
setup(void)
{
	static const char *const dirs[] = { "/etc", "/etc/ufw", "/etc/default",
	    "/etc/firewalld", "/etc/firewalld/zones", "/usr", "/usr/sbin",
	    NULL };
	char path[256];

	if (mkdtemp(root) == NULL)
		abort();
	atexit(cleanup);
	for (size_t i = 0; dirs[i] != NULL; i++) {
		snprintf(path, sizeof path, "%s%s", root, dirs[i]);
		(void)mkdir(path, 0700);
	}
	put("/usr/sbin/ufw", "", 0);
	put("/usr/sbin/firewalld", "", 0);
	put("/etc/ufw/ufw.conf", "ENABLED=yes\n", 12);
	put("/etc/default/ufw", "IPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\n", 37);
	put("/etc/firewalld/firewalld.conf", "DefaultZone=public\n", 19);
	osinfo_load(root, &os);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "/etc/ufw/user.rules",
	    "/etc/ufw/before.rules", "/etc/firewalld/zones/public.xml",
	    "/etc/firewalld/direct.xml" };
	struct firewall fw;
	struct fw_ports ports;
	char *text, *cause = NULL;
	size_t k;

	if (root[sizeof root - 2] == 'X')
		setup();
	if (size == 0)
		return 0;
	k = data[0] % 4;
	put(files[k], data + 1, size - 1);
	memset(&fw, 0, sizeof fw);
	(void)fw_load(root, &os, k < 2 ? "ufw" : "firewalld", &fw, &cause);
	fw_release(&fw);
	free(cause);
	text = malloc(size);
	if (text != NULL) {
		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		(void)fw_ports_parse(text, &ports);
		free(text);
	}
	return 0;
}
