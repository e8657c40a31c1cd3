#!/usr/bin/python3
"""A real SMTP server for the mail tests (issue 13) and the demo's mail sink, on aiosmtpd.

Every test that sends mail (the mail library's, the device's, agenda-central's) talks to this
server on loopback, over STARTTLS (required) or implicit TLS, with AUTH when --user is given,
and can make it misbehave the way real servers do: down (nothing listens: connection refused),
tempfail (451 after the final dot), tempfail-rcpt (451 to RCPT), permfail (550 to RCPT),
stall-data (takes the whole message, never answers), drop-data (cuts the connection in the
middle of DATA). --fault-count N applies the fault to the first N sessions only (counted from
the last change of the fault; a session is a connection that says EHLO/HELO, so probing the
port does not count); --control FILE holds a JSON line {"fault": ..., "fault_count": N}
re-read at each session (and polled, so "down" can come and go: it ignores the count).

Each accepted message is written as DIR/<n>-<sanitised message-id>.eml, whole (temp name, then
rename), next to DIR/<n>-<...>.json with the envelope (mail_from, rcpt_tos, login, session number). The port
is printed on the first stdout line once the server listens (or is down); then "down" and "up"
lines as the control file closes and reopens the listening socket. Nothing personal is logged (aiosmtpd's log is silenced).
Run with /usr/bin/python3 (Debian's python3-aiosmtpd).
"""
import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import re
import signal
import socket
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

FAULTS = ("none", "down", "tempfail", "tempfail-rcpt", "permfail", "stall-data", "drop-data")


class Faults:
    """The fault in force and how many sessions it has hit since it was last set."""

    def __init__(self, fault, count, control):
        self.fault, self.count, self.control = fault, count, control
        self.seen = 0
        self.sessions = 0  # every session since the start, numbered in the .json files
        self.control_text = None

    def refresh(self):
        if not self.control:
            return
        try:
            with open(self.control, encoding="utf-8") as f:
                text = f.readline().strip()
        except OSError:
            return
        if not text or text == self.control_text:
            return
        try:
            setting = json.loads(text)
        except ValueError:
            return
        fault = setting.get("fault", "none")
        if fault not in FAULTS:
            return
        self.control_text = text
        self.fault, self.count, self.seen = fault, int(setting.get("fault_count", 0)), 0

    def for_new_session(self):
        self.refresh()
        if self.fault in ("none", "down"):
            return "none"
        self.seen += 1
        return self.fault if self.count <= 0 or self.seen <= self.count else "none"


def sanitised(message_id):
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<> "))[:150] or "no-id"


class Mailbox:
    def __init__(self, directory):
        self.directory = directory
        self.number = 0

    def store(self, envelope, login, session_number):
        content = envelope.original_content or envelope.content or b""
        try:
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            message_id = str(parsed.get("Message-ID", ""))
        except Exception:  # a test may send anything: keep it anyway
            message_id = ""
        self.number += 1
        stem = os.path.join(self.directory, "%d-%s" % (self.number, sanitised(message_id)))
        side = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                "login": login, "session": session_number}
        for path, data in ((stem + ".json", json.dumps(side).encode()), (stem + ".eml", content)):
            temporary = path + ".part"
            with open(temporary, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        return self.number


class Handler:
    def __init__(self, mailbox):
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if server.fault == "permfail":
            return "550 5.1.1 Recipient address rejected: user unknown (test fault)"
        if server.fault == "tempfail-rcpt":
            return "451 4.3.0 Recipient temporarily unavailable, try again later (test fault)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if server.fault == "tempfail":
            return "451 4.3.0 Temporary local problem, try again later (test fault)"
        if server.fault == "stall-data":
            await asyncio.sleep(24 * 3600)
        login = None
        if isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode(errors="replace")
        number = self.mailbox.store(envelope, login, server.number)
        return "250 2.0.0 OK: queued as %d" % number


class FaultySMTP(SMTP):
    """aiosmtpd's server, with the session's fault decided when the client first greets."""

    def __init__(self, handler, faults, **kwargs):
        super().__init__(handler, **kwargs)
        self.faults = faults
        self.fault = "none"
        self.number = 0
        self.decided = False

    def connection_made(self, transport):
        if self.transport is None:  # STARTTLS calls it again on the same session
            self.faults.sessions += 1
            self.number = self.faults.sessions
        super().connection_made(transport)

    def decide_fault(self):
        # at the first greeting, not at connect: a test's probe of the port (connect, close)
        # is not a session and does not use up --fault-count
        if not self.decided:
            self.decided = True
            self.fault = self.faults.for_new_session()

    async def smtp_EHLO(self, hostname):
        self.decide_fault()
        return await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname):
        self.decide_fault()
        return await super().smtp_HELO(hostname)

    async def smtp_DATA(self, arg):
        if self.fault != "drop-data":
            return await super().smtp_DATA(arg)
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:  # take a line of the message, then cut the connection
            await asyncio.wait_for(self._reader.readuntil(b"\r\n"), 5)
        except Exception:
            pass
        self.transport.abort()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=("starttls", "smtps"), default="starttls")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--maildir", required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--fault", choices=FAULTS, default="none")
    p.add_argument("--fault-count", type=int, default=0)
    p.add_argument("--control")
    p.add_argument("--sink", action="store_true",
                   help="the demo's sink: STARTTLS, no faults, nothing personal logged")
    a = p.parse_args()
    if a.sink:
        a.mode, a.fault, a.control = "starttls", "none", None
    # implicit TLS with AUTH is fine; aiosmtpd only sees that STARTTLS is not required
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    os.makedirs(a.maildir, exist_ok=True)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(a.cert, a.key)
    faults = Faults(a.fault, a.fault_count, a.control)
    handler = Handler(Mailbox(a.maildir))

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == a.user.encode()
              and auth_data.password == (a.password or "").encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    options = {"hostname": "localhost", "data_size_limit": 16 * 1024 * 1024}
    if a.user:
        options.update(authenticator=authenticator, auth_required=True)
    if a.mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    else:
        options.update(auth_require_tls=False)

    port = a.port
    if port == 0:  # pick a free port now: "down" may keep it closed from the start
        with socket.socket() as probe:
            probe.bind((a.host, 0))
            port = probe.getsockname()[1]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    async def serve():
        listener = None
        printed = False
        while not stop.is_set():
            faults.refresh()
            want = faults.fault != "down"
            if want and listener is None:
                listener = await loop.create_server(
                    lambda: FaultySMTP(handler, faults, **options), a.host, port,
                    ssl=context if a.mode == "smtps" else None, reuse_address=True)
                if printed:
                    print("up", flush=True)
            elif not want and listener is not None:
                listener.close()
                await listener.wait_closed()
                listener = None
                print("down", flush=True)
            if not printed:  # the port once listening (or down from the start)
                print(port, flush=True)
                printed = True
            try:
                await asyncio.wait_for(stop.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
        if listener is not None:
            listener.close()

    loop.run_until_complete(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
