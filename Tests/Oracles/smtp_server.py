"""A scripted SMTP server for Kallad's tests, on 127.0.0.1 and a port from the OS.

Arguments: --spool DIR (each accepted message is written as DIR/<n>.eml, envelope and the client's port in
DIR/<n>.json),
--tls CERT KEY (offer STARTTLS and require it), --auth USER:PASS (require AUTH PLAIN/LOGIN),
--rcpt ADDRESS=CODE (answer RCPT for ADDRESS with CODE), --data CODE (answer after DATA with CODE),
--data-file PATH (answer after DATA with the code in PATH while that file exists: a test flips the server).
Prints "PORT <n>" when listening; runs until stdin closes (so it dies with the test).
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

TEXT = {"250": "OK", "451": "4.3.0 Try again later", "452": "4.2.2 Mailbox full", "550": "5.1.1 No such user",
        "554": "5.7.1 Rejected"}


class Handler:
    def __init__(self, args):
        self.args = args
        self.rcpt = dict(item.split("=", 1) for item in args.rcpt)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rcpt.get(address)
        if code and code != "250":
            return f"{code} {TEXT.get(code, 'scripted')}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        code = self.args.data
        if self.args.data_file and os.path.exists(self.args.data_file):
            with open(self.args.data_file) as f:
                code = f.read().strip() or None
        if code and code != "250":
            return f"{code} {TEXT.get(code, 'scripted')}"
        self.count += 1
        base = os.path.join(self.args.spool, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": session.ssl is not None, "auth": bool(session.authenticated),
                       "peer_port": session.peer[1] if session.peer else None}, f)
        return "250 2.0.0 Queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spool", required=True)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--auth")
    p.add_argument("--rcpt", action="append", default=[])
    p.add_argument("--data")
    p.add_argument("--data-file")
    args = p.parse_args()
    os.makedirs(args.spool, exist_ok=True)
    kwargs = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        kwargs.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.tls))
    # aiosmtpd's Controller checks readiness by connecting to the port it was given, so it cannot take port 0:
    # probe a free port from the OS first.
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(args), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


main()
