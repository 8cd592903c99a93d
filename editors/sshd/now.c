/*
 * sshd/now.c -- sshd's configuration as it is now, for a reader that edits
 * nothing. See now.h.
 */
#include <stdlib.h>
#include <string.h>

#include "sshd/now.h"

int
sshd_now_read(struct sshd_now *n, const char *root, struct augs *session,
    struct early *e, bool run_sshd, char **cause)
{
	static const struct aug_file files[] = { SSHD_AUG_FILES };

	memset(n, 0, sizeof *n);
	sshd_view_init(&n->view);
	if (run_sshd && sshd_available()) {
		if (sshd_check(root, NULL, e, &n->view, &n->why) == 0) {
			n->have_view = true;
			return 0;
		}
		if (n->why == NULL)
			n->why = xstrdup("sshd -T failed");
	}
	if (augs_holds(session, SSHD_MAIN)) {
		n->aug = augs_handle(session);
		return 0;
	}
	if (augs_open(&n->own, root, files, nitems(files), cause) != 0)
		return -1;
	n->aug = augs_handle(n->own);
	return 0;
}

void
sshd_now_release(struct sshd_now *n)
{
	sshd_view_release(&n->view);
	free(n->why);
	augs_free(n->own);
	memset(n, 0, sizeof *n);
}

char *
sshd_now_value(const struct sshd_now *n, const struct sshd_keyword *k)
{
	return n->have_view ? sshd_view_value(&n->view, k) :
	    sshd_effective(n->aug, k);
}

void
sshd_now_ports(const struct sshd_now *n, struct strv *ports)
{
	struct strv v;
	char *joined;

	if (!n->have_view) {
		sshd_listen_ports(n->aug, ports);
		return;
	}
	strv_init(&v);
	joined = sshd_view_value(&n->view, &sshd_kw_port);
	split_list(joined, &v);
	for (size_t i = 0; i < v.n; i++) {
		if (!strv_contains(ports, v.v[i]))
			strv_add(ports, v.v[i]);
	}
	strv_release(&v);
	free(joined);
}

void
sshd_now_policy(const struct sshd_now *n, struct sshd_policy *lp)
{
	if (n->have_view)
		sshd_policy_view(&n->view, lp);
	else
		sshd_policy_load(n->aug, lp);
}
