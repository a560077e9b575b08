#!/usr/bin/env python3
"""A real SMTP server for IoTRoutes' tests (Debian's python3-aiosmtpd) on 127.0.0.1.

Each accepted mail is written to DIR/<random>.eml as received; each authentication attempt appends
"<mechanism> <ok|refused>" to DIR/auth.log. Recipients starting with "refused@" get a 550.
Prints "ready" once listening and stops when its standard input closes (the test ended or died).
"""
import argparse
import os
import ssl
import sys
import uuid

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:
    print("missing: the Debian package python3-aiosmtpd (apt-get install python3-aiosmtpd)", file=sys.stderr)
    sys.exit(3)


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        partial = os.path.join(self.directory, name + ".part")
        with open(partial, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(self.directory, name + ".eml"))
        return "250 2.0.0 Stored " + name


def authenticator(directory, user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode() and auth_data.password == password.encode())
        with open(os.path.join(directory, "auth.log"), "a") as log:
            log.write(f"{mechanism} {'ok' if ok else 'refused'}\n")
        # handled=False: aiosmtpd answers 535 itself (its default, True, answers nothing).
        return AuthResult(success=ok, handled=False)
    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mode", choices=["plain", "starttls", "ssl"], default="plain")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--exclude-auth", action="append", default=[])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    # Implicit TLS is not seen as TLS by aiosmtpd's auth_require_tls: required only where STARTTLS comes first.
    smtp = {"auth_require_tls": args.mode == "starttls"}
    if args.user:
        smtp.update(authenticator=authenticator(args.dir, args.user, args.password),
                    auth_required=True, auth_exclude_mechanism=args.exclude_auth)
    if args.mode == "starttls":
        smtp.update(tls_context=context, require_starttls=True)

    controller = Controller(SaveToDirectory(args.dir), hostname="127.0.0.1", port=args.port,
                            ssl_context=context if args.mode == "ssl" else None,
                            server_hostname="localhost", ready_timeout=10, **smtp)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
