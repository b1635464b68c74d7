#!/usr/bin/python3
"""load.py - submit many messages to an SMTP server over several
concurrent connections, and write down which ones were acknowledged.

    /usr/bin/python3 load.py HOST PORT --messages N [options]
        --concurrency C     connections at once (default 10)
        --per-connection M  messages per connection (default 1: a new
                            connection per message, as smtp-source does)
        --size BYTES        approximate body size (default 4096)
        --to ADDR[,ADDR...] recipients, one RCPT each; "{i}" is replaced
                            by the number (default r{i}@dest.test)
        --from ADDR         sender (default load@example.org)
        --acked FILE        append "i" for every message answered 250,
                            flushed at once (default: none)
        --times FILE        append "i unix-time" at each 250

Each message carries "X-Load-Seq: i" and "Message-ID: <load.i@load.test>"
so a receiver can count copies.  A failed connection or a non-250 reply
is counted and the next message goes on: the load survives the server
going away.  Prints "acked=A failed=F seconds=S" at the end; exit 0.
"""

import argparse
import socket
import sys
import threading
import time


def body_for(i, size, sender, rcpt):
    head = ("From: %s\r\nTo: %s\r\nSubject: load %d\r\n"
            "Message-ID: <load.%d@load.test>\r\nX-Load-Seq: %d\r\n\r\n"
            % (sender, rcpt, i, i, i))
    line = ("x" * 76) + "\r\n"
    n = max(1, (size - len(head)) // len(line))
    return (head + line * n).encode()


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=60)
        self.f = self.s.makefile("rb")
        self.reply()
        self.cmd("EHLO load.test")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise OSError("connection closed")
            if line[3:4] != b"-":
                return int(line[:3])

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def send(self, sender, rcpt, data):
        if self.cmd("MAIL FROM:<%s>" % sender) != 250:
            return False
        for r in rcpt.split(","):
            if self.cmd("RCPT TO:<%s>" % r) != 250:
                self.cmd("RSET")
                return False
        if self.cmd("DATA") != 354:
            return False
        self.s.sendall(data + b".\r\n")
        return self.reply() == 250

    def close(self):
        try:
            self.cmd("QUIT")
        except OSError:
            pass
        self.s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--messages", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--per-connection", type=int, default=1)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--to", default="r{i}@dest.test")
    ap.add_argument("--from", dest="sender", default="load@example.org")
    ap.add_argument("--acked")
    ap.add_argument("--times")
    a = ap.parse_args()

    lock = threading.Lock()
    state = {"next": 1, "acked": 0, "failed": 0}
    acked = open(a.acked, "a") if a.acked else None
    times = open(a.times, "a") if a.times else None

    def take():
        with lock:
            i = state["next"]
            if i > a.messages:
                return None
            state["next"] += 1
            return i

    def record(i, ok):
        with lock:
            if ok:
                state["acked"] += 1
                if acked:
                    acked.write("%d\n" % i)
                    acked.flush()
                if times:
                    times.write("%d %.6f\n" % (i, time.time()))
                    times.flush()
            else:
                state["failed"] += 1

    def worker():
        conn, used = None, 0
        while True:
            i = take()
            if i is None:
                break
            rcpt = a.to.replace("{i}", str(i))
            try:
                if conn is None:
                    conn, used = Conn(a.host, a.port), 0
                ok = conn.send(a.sender, rcpt,
                               body_for(i, a.size, a.sender, rcpt))
                used += 1
            except OSError:
                ok = False
                conn = None
                time.sleep(0.01)
            record(i, ok)
            if conn is not None and used >= a.per_connection:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    start = time.time()
    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("acked=%d failed=%d seconds=%.3f"
          % (state["acked"], state["failed"], time.time() - start))


if __name__ == "__main__":
    sys.exit(main())
