#!/usr/bin/python3
"""client.py - a small SMTP client for what swaks cannot do in the
transport self-tests: several messages per connection, TLS session
resumption across connections, and a close look at the STARTTLS reply.

    /usr/bin/python3 client.py send HOST PORT [options]
        --connections N   connections, one after the other (default 1)
        --messages N      messages per connection (default 1)
        --starttls        STARTTLS first (fail if it is not offered)
        --sni NAME        SNI and the name to verify (with --ca)
        --ca FILE         verify the server against FILE; without it,
                          no verification
        --resume          offer each connection the TLS session of the
                          previous one
        --from ADDR, --to ADDR (repeatable), --auth USER:PASS
        --mail-option OPT MAIL FROM parameter (repeatable), e.g.
                          REQUIRETLS
        --header TEXT     one more header field (repeatable)
        --show-ehlo       print "ehlo: KEYWORD..." after each EHLO
      Prints one line per connection:
        "conn N tls=VERSION|no resumed=yes|no sent=M"
      and exits 1 on the first SMTP or TLS error (printed on stderr).

    /usr/bin/python3 client.py probe HOST PORT [--sni NAME] [--after TEXT]
        EHLO, STARTTLS (followed in the same write by TEXT, backslash
        escapes allowed, when --after is given: a client that pipelines
        past STARTTLS), then prints the reply bytes exactly as received
        in one read (Python repr) after a short pause, then tries the
        TLS handshake (no verification) on the same socket:
          "starttls-reply: b'220 ...\\r\\n'"
          "handshake: ok VERSION" | "handshake: failed ERROR"
        Exit status 0 either way; 1 if the dialogue before STARTTLS fails.
"""

import argparse
import os
import smtplib
import socket
import ssl
import sys
import time


class SessionContext:
    """What smtplib.starttls needs of a context, with SNI and a session."""

    def __init__(self, ctx, sni, session):
        self.ctx, self.sni, self.session = ctx, sni, session

    def wrap_socket(self, sock, server_hostname=None):
        return self.ctx.wrap_socket(sock, server_hostname=self.sni,
                                    session=self.session)


def client_context(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca:
        ctx.load_verify_locations(ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def send(o):
    ctx = client_context(o.ca)
    session = None
    tos = o.to or ["rcpt@example.test"]
    for c in range(1, o.connections + 1):
        try:
            s = smtplib.SMTP(o.host, o.port, local_hostname="client.test",
                             timeout=20)
            s.ehlo()
            show_ehlo(o, s)
            version, resumed = "no", "no"
            if o.starttls:
                if not s.has_extn("starttls"):
                    raise smtplib.SMTPException("STARTTLS not offered")
                s.starttls(context=SessionContext(
                    ctx, o.sni, session if o.resume else None))
                s.ehlo()
                show_ehlo(o, s)
                version = s.sock.version()
                resumed = "yes" if s.sock.session_reused else "no"
            if o.auth:
                user, _, password = o.auth.partition(":")
                s.login(user, password)
            for m in range(1, o.messages + 1):
                msg = (f"From: <{o.sender}>\r\nTo: <{tos[0]}>\r\n"
                       + "".join(f"{h}\r\n" for h in o.header or []) +
                       f"Subject: connection {c} message {m}\r\n"
                       f"Message-ID: <{os.getpid()}.{c}.{m}@client.test>\r\n"
                       "\r\n"
                       f"body of connection {c} message {m}\r\n")
                s.sendmail(o.sender, tos, msg,
                           mail_options=o.mail_option or [])
            if o.starttls:
                session = s.sock.session
            s.quit()
        except (smtplib.SMTPException, OSError, ssl.SSLError) as e:
            print(f"client.py: connection {c}: {e}", file=sys.stderr)
            return 1
        print(f"conn {c} tls={version} resumed={resumed} sent={o.messages}")
    return 0


def show_ehlo(o, s):
    if o.show_ehlo:
        print("ehlo: " + " ".join(sorted(k.upper() for k in
                                         s.esmtp_features)))


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise OSError("connection closed")
        lines.append(line)
        if line[3:4] != b"-":
            return lines


def probe(o):
    sock = socket.create_connection((o.host, o.port), timeout=10)
    f = sock.makefile("rb")
    try:
        read_reply(f)
        sock.sendall(b"EHLO client.test\r\n")
        read_reply(f)
        after = o.after.encode().decode("unicode_escape").encode("latin-1")
        sock.sendall(b"STARTTLS\r\n" + after)
    except OSError as e:
        print(f"client.py: {e}", file=sys.stderr)
        return 1
    # The makefile buffer is not used past this point: read the raw socket
    # so that every byte of the reply, and what follows it, is seen.
    time.sleep(0.5)
    reply = sock.recv(65536)
    print(f"starttls-reply: {reply!r}")
    ctx = client_context(None)
    try:
        tls = ctx.wrap_socket(sock, server_hostname=o.sni)
        print(f"handshake: ok {tls.version()}")
        try:
            tls.sendall(b"QUIT\r\n")
            tls.recv(4096)
        except (OSError, ssl.SSLError):
            pass
        tls.close()
    except (OSError, ssl.SSLError) as e:
        print(f"handshake: failed {e}")
    return 0


def main():
    p = argparse.ArgumentParser(prog="client.py")
    sub = p.add_subparsers(dest="what", required=True)
    s = sub.add_parser("send")
    s.add_argument("host")
    s.add_argument("port", type=int)
    s.add_argument("--connections", type=int, default=1)
    s.add_argument("--messages", type=int, default=1)
    s.add_argument("--starttls", action="store_true")
    s.add_argument("--sni")
    s.add_argument("--ca")
    s.add_argument("--resume", action="store_true")
    s.add_argument("--from", dest="sender", default="sender@example.org")
    s.add_argument("--to", action="append")
    s.add_argument("--auth")
    s.add_argument("--mail-option", action="append")
    s.add_argument("--header", action="append")
    s.add_argument("--show-ehlo", action="store_true")
    r = sub.add_parser("probe")
    r.add_argument("host")
    r.add_argument("port", type=int)
    r.add_argument("--sni")
    r.add_argument("--after", default="")
    o = p.parse_args()
    sys.exit(send(o) if o.what == "send" else probe(o))


if __name__ == "__main__":
    main()
