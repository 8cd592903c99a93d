#!/usr/bin/python3
# relay.py ADDR PORT CERT KEY USER PASSWORD SPOOL [wrapper]: a test relay
# (Debian's python3-aiosmtpd) that offers STARTTLS (or TLS from the first
# byte with "wrapper"), accepts AUTH only over TLS and only for USER with
# PASSWORD, refuses mail without AUTH, and writes each message it accepts
# to SPOOL/N.eml with X-Test-Auth (the login) and X-Test-TLS headers.
import asyncio
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

addr, port, cert, key, user, password, spool = sys.argv[1:8]
wrapper = len(sys.argv) > 8 and sys.argv[8] == "wrapper"

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and
          auth_data.login.decode() == user and
          auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        tls = session.ssl is not None or wrapper
        login = session.auth_data.login.decode() if session.auth_data else ""
        path = os.path.join(spool, "%d.eml" % Handler.count)
        with open(path, "wb") as f:
            f.write(("X-Test-Auth: %s\r\nX-Test-TLS: %s\r\n" %
                     (login, "yes" if tls else "no")).encode())
            f.write(envelope.original_content)
        return "250 OK queued as test%d" % Handler.count


kw = dict(hostname=addr, port=int(port), authenticator=authenticator,
          auth_required=True, auth_require_tls=True)
if wrapper:
    kw["ssl_context"] = ctx
else:
    kw["tls_context"] = ctx
    kw["require_starttls"] = True
controller = Controller(Handler(), **kw)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
