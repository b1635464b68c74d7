#!/usr/bin/python3
"""hostile.py - SMTP clients that misbehave, for the transport tests of
hubd's intake limits.  Every client connects from --source (default
127.0.0.1; any 127.0.0.0/8 address works on loopback).

    hostile.py hold HOST PORT --count N --until FILE [--source A]
        open N connections one after the other and read each greeting;
        print "greeting I: LINE" for each, then keep every connection
        open, with a NOOP on each every second so that no command
        timeout ends it, until FILE is gone (at most 120 s); exit 0.

    hostile.py trickle HOST PORT --text TEXT --every S [--data]
        [--source A]
        send TEXT (backslash escapes allowed) one byte every S seconds;
        with --data, after EHLO, MAIL, RCPT and DATA.  Prints
        "finished" when every byte went out and the server still
        listened, or "closed after N bytes: LINE" with the last line
        the server said; exit 0.

    hostile.py say HOST PORT LINE... [--source A]
        send each LINE (escapes allowed, CRLF added) after the reply to
        the previous one, print each reply as "LINE -> REPLY", or
        "LINE -> (closed)" once the server has closed; exit 0.

    hostile.py data HOST PORT --bytes N [--hold FILE] [--source A]
        a message of about N bytes; with --hold, stop before the final
        "." until FILE exists, so that others can send meanwhile; print
        "final: REPLY"; exit 0.
"""

import argparse
import codecs
import os
import socket
import sys
import time


def connect(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((args.source, 0))
    s.settimeout(30)
    s.connect((args.host, args.port))
    return s


def reply(f):
    """One SMTP reply, its lines joined by " / "; "" at EOF."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            break
        line = line.decode("latin-1").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            break
    return " / ".join(lines)


def unescape(text):
    return codecs.decode(text, "unicode_escape").encode("latin-1")


def cmd_hold(args):
    conns = []
    for i in range(args.count):
        try:
            s = connect(args)
            f = s.makefile("rb")
            print("greeting %d: %s" % (i + 1, reply(f) or "(closed)"),
                  flush=True)
            conns.append((s, f))
        except OSError as e:
            print("greeting %d: (error %s)" % (i + 1, e), flush=True)
    end = time.time() + 120
    while os.path.exists(args.until) and time.time() < end:
        for s, f in conns:
            try:
                s.sendall(b"NOOP\r\n")
                reply(f)
            except OSError:
                pass
        time.sleep(1)
    for s, _ in conns:
        s.close()


def transaction(s, f):
    for line in (b"EHLO hostile.test", b"MAIL FROM:<h@hostile.test>",
                 b"RCPT TO:<r@dest.test>", b"DATA"):
        s.sendall(line + b"\r\n")
        r = reply(f)
        if not r.startswith(("2", "3")):
            return r
    return None


def cmd_trickle(args):
    s = connect(args)
    f = s.makefile("rb")
    reply(f)
    if args.data:
        r = transaction(s, f)
        if r is not None:
            print("refused: %s" % r)
            return
    text = unescape(args.text)
    s.setblocking(False)
    sent = 0
    for b in text:
        try:
            s.sendall(bytes([b]))
        except OSError:
            break
        sent += 1
        end = time.time() + args.every
        got = b""
        while time.time() < end:
            try:
                chunk = s.recv(4096)
            except BlockingIOError:
                time.sleep(0.05)
                continue
            except OSError:
                chunk = b""
            if not chunk:
                last = (got.decode("latin-1").strip().splitlines()
                        or ["(nothing)"])[-1]
                print("closed after %d bytes: %s" % (sent, last))
                return
            got += chunk
    print("finished")


def cmd_say(args):
    s = connect(args)
    f = s.makefile("rb")
    reply(f)
    for line in args.lines:
        try:
            s.sendall(unescape(line) + b"\r\n")
            r = reply(f)
        except OSError:
            r = ""      # the server closed first (a refusal, say)
        print("%s -> %s" % (line, r or "(closed)"), flush=True)


def cmd_data(args):
    s = connect(args)
    f = s.makefile("rb")
    reply(f)
    r = transaction(s, f)
    if r is not None:
        print("final: %s" % r)
        return
    s.sendall(b"Subject: data test\r\n\r\n")
    line = b"x" * 78 + b"\r\n"
    for _ in range(max(1, args.bytes // len(line))):
        s.sendall(line)
    if args.hold:
        end = time.time() + 120
        while not os.path.exists(args.hold) and time.time() < end:
            time.sleep(0.05)
    s.sendall(b".\r\n")
    print("final: %s" % reply(f))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("hold", "trickle", "say", "data"):
        p = sub.add_parser(name)
        p.add_argument("host")
        p.add_argument("port", type=int)
        p.add_argument("--source", default="127.0.0.1")
        if name == "hold":
            p.add_argument("--count", type=int, required=True)
            p.add_argument("--until", required=True)
        elif name == "trickle":
            p.add_argument("--text", required=True)
            p.add_argument("--every", type=float, default=1.0)
            p.add_argument("--data", action="store_true")
        elif name == "say":
            p.add_argument("lines", nargs="+")
        else:
            p.add_argument("--bytes", type=int, required=True)
            p.add_argument("--hold")
    args = ap.parse_args()
    {"hold": cmd_hold, "trickle": cmd_trickle, "say": cmd_say,
     "data": cmd_data}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
