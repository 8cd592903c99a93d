/*
 * smtpauth.c -- log in to a relay the way Postfix will, before Postfix is
 * switched to it: TLS (STARTTLS, or from the first byte on port 465), then
 * AUTH PLAIN. A wrong password found here costs nothing; found by Postfix
 * it bounces or queues every message. The password only ever goes into
 * the TLS stream.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "i18n.h"
#include "postfix/postfix.h"

#define LOGIN_TIMEOUT	20	/* seconds for each step */

struct smtp_conn {
	int	 fd;
	SSL	*ssl;
	char	 in[4096];
	size_t	 len;
};

/* "[host]:port", "host:port", "[host]" or "host"; port 587 by default. */
static int
split_relay(const char *relay, char **host, char **port, char **cause)
{
	const char *colon;

	if (relay[0] == '[') {
		const char *close = strchr(relay, ']');

		if (close == NULL)
			return set_cause(cause, _("'%s': missing ']'"), relay);
		*host = xstrndup(relay + 1, (size_t)(close - relay - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(relay, ':');
		*host = colon != NULL ? xstrndup(relay, (size_t)(colon -
		    relay)) : xstrdup(relay);
	}
	*port = xstrdup(colon != NULL ? colon + 1 : "587");
	return 0;
}

static int
dial(const char *host, const char *port, char **cause)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, e = getaddrinfo(host, port, &hints, &res);

	if (e != 0) {
		set_cause(cause, _("cannot resolve the relay %s: %s"), host,
		    gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	if (fd < 0)
		set_cause(cause, _("cannot connect to the relay %s port %s: "
		    "%s"), host, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

static ssize_t
conn_read(struct smtp_conn *c, char *buf, size_t n)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };

	if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
		return SSL_read(c->ssl, buf, (int)n);
	if (poll(&pfd, 1, LOGIN_TIMEOUT * 1000) <= 0)
		return -1;
	return c->ssl != NULL ? SSL_read(c->ssl, buf, (int)n) :
	    read(c->fd, buf, n);
}

static int
conn_write(struct smtp_conn *c, const char *s)
{
	size_t n = strlen(s);

	if (c->ssl != NULL)
		return SSL_write(c->ssl, s, (int)n) == (int)n ? 0 : -1;
	return write(c->fd, s, n) == (ssize_t)n ? 0 : -1;
}

/*
 * One reply, every line of it, into TEXT (caller frees); the code, or -1
 * when the connection ends or times out.
 */
static int
reply(struct smtp_conn *c, char **text)
{
	struct buf all;

	buf_init(&all);
	buf_adds(&all, "");
	for (;;) {
		char *nl = memchr(c->in, '\n', c->len);
		ssize_t n;

		if (nl != NULL) {
			size_t linelen = (size_t)(nl - c->in) + 1;
			bool last = linelen >= 4 && c->in[3] != '-';
			int code = atoi(c->in);

			buf_add(&all, c->in, linelen);
			memmove(c->in, nl + 1, c->len - linelen);
			c->len -= linelen;
			if (last) {
				*text = buf_detach(&all, NULL);
				return code;
			}
			continue;
		}
		if (c->len == sizeof c->in)
			c->len = 0;	/* an absurd line: drop it */
		n = conn_read(c, c->in + c->len, sizeof c->in - c->len);
		if (n <= 0) {
			buf_release(&all);
			*text = xstrdup("");
			return -1;
		}
		c->len += (size_t)n;
	}
}

/* Send LINE (NULL: nothing) and read the reply; its code or -1. */
static int
command(struct smtp_conn *c, const char *line, char **text)
{
	if (line != NULL && conn_write(c, line) != 0) {
		*text = xstrdup("");
		return -1;
	}
	return reply(c, text);
}

static int
start_tls(struct smtp_conn *c, SSL_CTX *ctx, const char *host, char **cause)
{
	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_set_tlsext_host_name(c->ssl, host) != 1 ||
	    SSL_connect(c->ssl) != 1) {
		unsigned long e = ERR_get_error();

		return set_cause(cause, _("TLS with the relay %s failed: %s"),
		    host, e != 0 ? ERR_reason_error_string(e) :
		    _("handshake refused"));
	}
	return 0;
}

/* "\0user\0password", base64: the AUTH PLAIN response. Caller frees. */
static char *
auth_plain(const char *user, const char *password)
{
	size_t ul = strlen(user), pl = strlen(password), n = ul + pl + 2;
	unsigned char *raw = xmalloc(n);
	char *b64 = xmalloc(4 * ((n + 2) / 3) + 1), *line;

	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[ul + 1] = '\0';
	memcpy(raw + ul + 2, password, pl);
	EVP_EncodeBlock((unsigned char *)b64, raw, (int)n);
	line = xasprintf("AUTH PLAIN %s\r\n", b64);
	OPENSSL_cleanse(raw, n);
	OPENSSL_cleanse(b64, strlen(b64));
	free(raw);
	free(b64);
	return line;
}

/* The first line of a reply, for messages. */
static const char *
first_line(char *text)
{
	text[strcspn(text, "\r\n")] = '\0';
	return text[0] != '\0' ? text : _("no answer");
}

static int
login(struct smtp_conn *c, SSL_CTX *ctx, const char *host, bool wrapper,
    const char *user, const char *password, char **cause)
{
	char *text = NULL, *line;
	int code, r = -1;

	if (wrapper && start_tls(c, ctx, host, cause) != 0)
		return -1;
	if ((code = command(c, NULL, &text)) != 220) {
		set_cause(cause, _("the relay %s did not greet (%s)"), host,
		    first_line(text));
		goto out;
	}
	free(text);
	code = command(c, "EHLO hardenwiz.invalid\r\n", &text);
	if (code != 250) {
		set_cause(cause, _("the relay %s refused EHLO (%s)"), host,
		    first_line(text));
		goto out;
	}
	if (!wrapper) {
		if (strstr(text, "STARTTLS") == NULL) {
			set_cause(cause, _("the relay %s does not offer "
			    "STARTTLS on this port: the password would go in "
			    "clear"), host);
			goto out;
		}
		free(text);
		if ((code = command(c, "STARTTLS\r\n", &text)) != 220) {
			set_cause(cause, _("the relay %s refused STARTTLS (%s)"), host,
			    first_line(text));
			goto out;
		}
		if (start_tls(c, ctx, host, cause) != 0)
			goto out;
		free(text);
		if ((code = command(c, "EHLO hardenwiz.invalid\r\n",
		    &text)) != 250) {
			set_cause(cause, _("the relay %s refused EHLO after "
			    "STARTTLS (%s)"), host, first_line(text));
			goto out;
		}
	}
	if (strstr(text, "AUTH") == NULL || strstr(text, "PLAIN") == NULL) {
		set_cause(cause, _("the relay %s offers no AUTH PLAIN over "
		    "TLS"), host);
		goto out;
	}
	free(text);
	line = auth_plain(user, password);
	code = command(c, line, &text);
	OPENSSL_cleanse(line, strlen(line));
	free(line);
	if (code != 235) {
		set_cause(cause, _("the relay %s refused the login of '%s' "
		    "(%s)"), host, user, first_line(text));
		goto out;
	}
	free(text);
	(void)command(c, "QUIT\r\n", &text);
	r = 0;
out:
	free(text);
	return r;
}

int
smtp_login_test(const char *relay, bool wrapper, const char *user,
    const char *password, char **note, char **cause)
{
	struct smtp_conn c = { .fd = -1 };
	char *host = NULL, *port = NULL;
	SSL_CTX *ctx = NULL;
	int r = -1;

	*note = NULL;
	if (split_relay(relay, &host, &port, cause) != 0)
		return -1;
	if ((c.fd = dial(host, port, cause)) < 0)
		goto out;
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		set_cause(cause, "%s", _("cannot set up TLS (OpenSSL)"));
		goto out;
	}
	SSL_CTX_set_default_verify_paths(ctx);
	/* Like smtp_tls_security_level = encrypt: encrypted, not verified;
	 * an unverified certificate is reported, not refused. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	r = login(&c, ctx, host, wrapper, user, password, cause);
	if (r == 0 && c.ssl != NULL && SSL_get_verify_result(c.ssl) !=
	    X509_V_OK)
		*note = xasprintf(_("the relay %s's TLS certificate does not "
		    "verify (%s); the connection is encrypted, which is what "
		    "smtp_tls_security_level = encrypt asks"), host,
		    X509_verify_cert_error_string(SSL_get_verify_result(
		    c.ssl)));
out:
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	SSL_CTX_free(ctx);
	if (c.fd >= 0)
		close(c.fd);
	free(host);
	free(port);
	return r;
}
