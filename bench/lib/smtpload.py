#!/usr/bin/python3
"""smtpload.py - the load generator of bench/transport.sh: smtp-source's
dialogue, plus a timestamp for every message the server acknowledged.

    smtpload.py HOST PORT --messages N [--concurrency C] [--size BYTES]
                [--from ADDR] [--to ADDR] [--helo NAME] [--times FILE]
                [--first SEQ] [--timeout SECONDS] [--rate R]

Like `smtp-source -s C -m N -l BYTES -f FROM -t TO -M HELO`: C sessions
at once, one new plain SMTP connection per message (banner, HELO, MAIL,
RCPT, DATA, the message, QUIT), one command at a time, no pipelining.
The message is what smtp-source sends (From, To, Date and Message-Id
headers, then BYTES of payload in 78-column lines "1XXX...", "2XXX...")
with one header more, "X-Load-Seq: i", so the receiving end can tell the
messages apart.  Sequence numbers run from --first (default 1).

One thread, non-blocking sockets on epoll, everything precomputed: the
generator should cost little next to the relay under test (about
0.25 ms of CPU per message here, against 0.19 ms for smtp-source; most
of either is the kernel's TCP connection set-up and tear-down).
Timestamps are wall clock (time.time()), taken as the server's reply to
the end of the data arrives.

--rate R: open loop at R messages per second: message k (from 0) starts
at start + k/R, or as soon as one of the C sessions is free if it is
late then; "late" in the result counts those that started more than
10 ms after their time.  Without it, each session starts the next
message as soon as its last one ends.

--times FILE: "i accept_time" for each message answered 250, written at
the end.  Standard output, at the end: one JSON object with start (just
before the first connection), end, acked, failed and the first failure.
Exit status 0 even if messages failed: the caller decides.
"""

import argparse
import email.utils
import json
import select
import socket
import sys
import time


def payload(size):
    """smtp-source's body: 78-column lines numbered 1..9 round robin."""
    out, n, k = [], 0, 0
    while n < size:
        k = k % 9 + 1
        line = (str(k) + "X" * 77)[:max(1, min(78, size - n))]
        out.append(line + "\r\n")
        n += len(line) + 2
    return "".join(out)


# The steps of a session: the reply code that ends each step, and what
# is sent when it has ended (the message goes out on DATA's 354; its 250
# is the acknowledgement).
STEP_BANNER, STEP_HELO, STEP_MAIL, STEP_RCPT, STEP_DATA, STEP_MSG, \
    STEP_QUIT = range(7)
WANT = (b"220", b"250", b"250", b"250", b"354", b"250", b"221")


class Conn:
    __slots__ = ("sock", "seq", "step", "buf", "out", "accept", "deadline")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--messages", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--from", dest="sender", default="sender@bench.test")
    ap.add_argument("--to", dest="rcpt", default="rcpt@dest.test")
    ap.add_argument("--helo", default="loadgen.bench.test")
    ap.add_argument("--times")
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--rate", type=float, default=0.0)
    a = ap.parse_args()

    body = payload(a.size).encode()
    head = ("From: <%s>\r\nTo: <%s>\r\nDate: %s\r\n"
            % (a.sender, a.rcpt, email.utils.formatdate(usegmt=True))).encode()
    cmds = {
        STEP_BANNER: b"HELO %s\r\n" % a.helo.encode(),
        STEP_HELO: b"MAIL FROM:<%s>\r\n" % a.sender.encode(),
        STEP_MAIL: b"RCPT TO:<%s>\r\n" % a.rcpt.encode(),
        STEP_RCPT: b"DATA\r\n",
        STEP_MSG: b"QUIT\r\n",
    }
    helo = a.helo.encode()

    def message(i):
        return b"".join((head, b"Message-Id: <load.%d@%s>\r\nX-Load-Seq: %d"
                         b"\r\n\r\n" % (i, helo, i), body, b".\r\n"))

    ep = select.epoll()
    conns = {}
    nxt, last = a.first, a.first + a.messages - 1
    acked, failed, error = 0, 0, None
    times = []

    def start_one():
        nonlocal nxt
        c = Conn()
        c.seq, c.step, c.buf, c.out, c.accept = nxt, 0, b"", b"", None
        c.deadline = time.monotonic() + a.timeout
        nxt += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        c.sock = s
        conns[s.fileno()] = c
        try:
            s.connect((a.host, a.port))
        except BlockingIOError:
            pass
        except OSError as e:
            end(c, False, "connect: %s" % e)
            return
        ep.register(s.fileno(), select.EPOLLIN)

    def end(c, ok, why):
        nonlocal acked, failed, error
        fd = c.sock.fileno()
        try:
            ep.unregister(fd)
        except (OSError, ValueError):
            pass
        del conns[fd]
        c.sock.close()
        if ok or c.accept is not None:
            acked += 1
            times.append((c.seq, c.accept))
        else:
            failed += 1
            if error is None:
                error = "message %d: %s" % (c.seq, why)

    def send(c, data):
        try:
            n = c.sock.send(data)
        except BlockingIOError:
            n = 0
        if n < len(data):
            c.out = data[n:]
            ep.modify(c.sock.fileno(), select.EPOLLIN | select.EPOLLOUT)

    def readable(c):
        try:
            data = c.sock.recv(8192)
        except BlockingIOError:
            return
        except OSError as e:
            end(c, False, "step %d: %s" % (c.step, e))
            return
        if not data:
            end(c, c.step == STEP_QUIT, "connection closed at step %d"
                % c.step)
            return
        c.buf += data
        while True:
            nl = c.buf.find(b"\n")
            if nl < 0:
                return
            line, c.buf = c.buf[:nl + 1], c.buf[nl + 1:]
            if line[3:4] == b"-":
                continue
            if line[:3] != WANT[c.step]:
                end(c, False, "step %d: %s" % (
                    c.step, line.decode(errors="replace").strip()))
                return
            if c.step == STEP_MSG:
                c.accept = time.time()
            elif c.step == STEP_QUIT:
                end(c, True, None)
                return
            send(c, message(c.seq) if c.step == STEP_DATA
                 else cmds[c.step])
            c.step += 1

    def writable(c):
        try:
            n = c.sock.send(c.out)
        except BlockingIOError:
            return
        except OSError as e:
            end(c, False, "step %d: %s" % (c.step, e))
            return
        c.out = c.out[n:]
        if not c.out:
            ep.modify(c.sock.fileno(), select.EPOLLIN)

    late = 0

    def due():
        """Seconds until the next message may start (0: now)."""
        if not a.rate:
            return 0.0
        return start + (nxt - a.first) / a.rate - time.time()

    def start_due():
        nonlocal late
        while nxt <= last and len(conns) < a.concurrency:
            d = due()
            if d > 0:
                return
            if d < -0.010:
                late += 1
            start_one()

    start = time.time()
    start_due()
    last_check = time.monotonic()
    while conns or nxt <= last:
        wait = 1.0
        if nxt <= last and len(conns) < a.concurrency:
            wait = min(1.0, max(0.0, due()))
        for fd, ev in ep.poll(wait):
            c = conns.get(fd)
            if c is None:
                continue
            if ev & select.EPOLLOUT and c.out:
                writable(c)
                if fd not in conns:
                    continue
            if ev & (select.EPOLLIN | select.EPOLLERR | select.EPOLLHUP):
                readable(c)
        now = time.monotonic()
        if now - last_check > 1.0:
            last_check = now
            for c in [c for c in conns.values() if c.deadline < now]:
                end(c, False, "timeout at step %d" % c.step)
        start_due()
    finish = time.time()
    if a.times:
        with open(a.times, "w") as f:
            f.writelines("%d %.6f\n" % x for x in times)
    print(json.dumps({"start": start, "end": finish, "acked": acked,
                      "failed": failed, "error": error, "late": late}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
