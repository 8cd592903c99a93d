/*
 * postfix/maillog_read.c -- where Postfix's log is, and reading the
 * window of it into a struct maillog. Debian 12 and 13 have no
 * /var/log/mail.log unless rsyslog is installed: the journal is read with
 * sd-journal (libsystemd), the records of every "postfix*" syslog
 * identifier since the start of the window. A mail.log or maillog file
 * (rsyslog, RHEL) is read instead when it exists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "fsutil.h"
#include "i18n.h"
#include "postfix/maillog.h"

static const char *const log_files[] = { "/var/log/mail.log",
	"/var/log/maillog" };

/* FIELD's value of the current journal entry (caller frees), or NULL. */
static char *
entry_field(sd_journal *j, const char *field)
{
	const void *data;
	size_t len, flen = strlen(field);

	if (sd_journal_get_data(j, field, &data, &len) < 0 || len <= flen ||
	    ((const char *)data)[flen] != '=')
		return NULL;
	return xstrndup((const char *)data + flen + 1, len - flen - 1);
}

static int
read_journal(const char *root, time_t since, struct maillog *m,
    char **cause)
{
	sd_journal *j = NULL;
	char *dir = NULL;
	int r;

	if (strcmp(root, "/") == 0)
		r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	else {
		dir = xasprintf("%s/var/log/journal", root);
		r = sd_journal_open_directory(&j, dir, 0);
	}
	if (r == -ENOENT) {
		set_cause(cause, _("no mail log under %s: neither "
		    "/var/log/mail.log, /var/log/maillog nor a persistent "
		    "journal (/var/log/journal)"), root);
		free(dir);
		return -1;
	}
	if (r < 0) {
		set_cause(cause, _("cannot open the journal%s%s: %s"),
		    dir != NULL ? " in " : "", dir != NULL ? dir : "",
		    strerror(-r));
		free(dir);
		return -1;
	}
	free(dir);
	r = sd_journal_seek_realtime_usec(j, (uint64_t)since * 1000000);
	while (r >= 0 && (r = sd_journal_next(j)) > 0) {
		char *id = entry_field(j, "SYSLOG_IDENTIFIER"), *msg;
		uint64_t usec;

		if (id != NULL && str_has_prefix(id, "postfix") &&
		    (msg = entry_field(j, "MESSAGE")) != NULL) {
			if (sd_journal_get_realtime_usec(j, &usec) >= 0)
				maillog_at(m, (time_t)(usec / 1000000));
			maillog_feed(m, id, msg);
			free(msg);
		}
		free(id);
	}
	sd_journal_close(j);
	if (r < 0)
		return set_cause(cause, _("cannot read the journal: %s"),
		    strerror(-r));
	return 0;
}

/*
 * The time of a syslog LINE: RFC 3339, or BSD ("Dec  1 10:00:00", this
 * year, or last year when that would be in the future); -1 when none.
 */
static time_t
line_time(const char *line, time_t now)
{
	struct tm tm, nowtm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_isdst = -1;
	if ((end = strptime(line, "%Y-%m-%dT%H:%M:%S", &tm)) != NULL)
		return timegm(&tm);	/* close enough for a window */
	if (strptime(line, "%b %d %H:%M:%S", &tm) == NULL)
		return -1;
	localtime_r(&now, &nowtm);
	tm.tm_year = nowtm.tm_year;
	if ((t = mktime(&tm)) > now + 86400) {
		tm.tm_year--;
		t = mktime(&tm);
	}
	return t;
}

/* Streamed: a busy server's log is far larger than a file hardenwiz edits. */
static int
read_file(const char *root, const char *path, time_t since,
    struct maillog *m, char **cause)
{
	time_t now = time(NULL);
	char *host = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (fs_resolve(root, path, &host, cause) != 0)
		return -1;
	if ((f = fopen(host, "re")) == NULL) {
		set_cause(cause, _("cannot read %s: %s"), host,
		    strerror(errno));
		free(host);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		time_t t;

		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if ((t = line_time(line, now)) >= since) {
			maillog_at(m, t);
			maillog_feed_syslog(m, line);
		}
	}
	free(line);
	fclose(f);
	free(host);
	return 0;
}

int
maillog_read(const char *root, time_t since, struct maillog *m,
    const char **source, char **cause)
{
	m->window_start = since;
	m->end = time(NULL);
	since -= ML_HISTORY;
	for (size_t i = 0; i < sizeof log_files / sizeof log_files[0]; i++)
		if (fs_exists(root, log_files[i])) {
			*source = log_files[i];
			return read_file(root, log_files[i], since, m, cause);
		}
	*source = "journal";
	return read_journal(root, since, m, cause);
}
