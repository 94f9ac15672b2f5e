#!/usr/bin/python3
"""A real SMTP server (aiosmtpd, Debian's python3-aiosmtpd) that keeps
every message it accepts as a file: the tests' SMTP server and `make run`'s
mail sink (tools/run.sh: the notices hotlined sends land in var/mail/).

    smtp_sink.py --port N --dir D [--text] [--tls-cert C --tls-key K [--require-tls]]
                 [--auth-user U --auth-password-file F]

Each accepted message becomes D/<stamp>.eml (the bytes as received), with
D/<stamp>.json beside it: {"mail_from", "rcpt_tos", "tls", "auth_login"};
with --text also D/<stamp>.txt, the message for people: its headers and
body decoded (hotlined's notices are base64 UTF-8). They are written under
a temporary name and renamed, so a reader never sees half a file; the .json
is renamed first, the .eml last.

With --tls-cert the server offers STARTTLS; --require-tls refuses mail
without it. With --auth-user it requires AUTH (PLAIN or LOGIN) with that
user and the password on the first line of the file, and offers AUTH only
after STARTTLS when TLS is configured.

Prints "ready PORT" on stdout once it listens; stops on SIGTERM or SIGINT.
Run by tests/integration/smtp_fixture.py; another run on the same port
and folder continues where the last one stopped.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Keeper:
    """The aiosmtpd handler: one file per message."""

    def __init__(self, folder, text=False):
        self.folder = folder
        self.text = text
        self.count = 0

    def _write(self, name, data):
        tmp = os.path.join(self.folder, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.folder, name))

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stamp = f"{time.time_ns()}-{os.getpid()}-{self.count}"
        login = getattr(session.auth_data, "login", None)
        if isinstance(login, bytes):
            login = login.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth_login": login if session.authenticated else None,
        }
        raw = envelope.original_content or envelope.content
        self._write(stamp + ".json", json.dumps(meta).encode())
        if self.text:
            self._write(stamp + ".txt", readable(raw, meta).encode())
        self._write(stamp + ".eml", raw)
        return "250 2.0.0 kept"


def readable(raw, meta):
    """The message as a person reads it: envelope, main headers, text."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    lines = [f"Envelope-From: {meta['mail_from']}", f"Envelope-To: {', '.join(meta['rcpt_tos'])}"]
    for name in ("Date", "From", "To", "Subject", "Message-ID"):
        if msg[name] is not None:
            lines.append(f"{name}: {msg[name]}")
    part = msg.get_body(preferencelist=("plain", "html"))
    try:
        body = part.get_content() if part is not None else "(no text part)"
    except (LookupError, ValueError) as e:
        body = f"(the text could not be decoded: {e})"
    return "\n".join(lines) + "\n\n" + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--text", action="store_true")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--auth-user")
    ap.add_argument("--auth-password-file")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    if os.environ.get("SMTP_SINK_DEBUG"):
        import logging
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)

    kw = {"hostname": "sink.test", "ident": "hotline test sink"}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kw.update(tls_context=ctx, require_starttls=args.require_tls)
    if args.auth_user:
        with open(args.auth_password_file, encoding="utf-8") as f:
            password = f.readline().rstrip("\r\n")
        user = args.auth_user

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kw.update(auth_required=True, auth_require_tls=bool(args.tls_cert),
                  authenticator=authenticator)
    handler = Keeper(args.dir, args.text)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler, **kw), host=args.host,
                                          port=args.port, reuse_address=True)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print("ready", args.port, flush=True)
        await stop.wait()
        server.close()
        await server.wait_closed()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
