#!/usr/bin/python3
"""ctl.py - a client of hubd's control channel (common/ctl.h) for the
transport self-tests: what hubsh's cmdlets send, without the shell.

    /usr/bin/python3 ctl.py SOCKET [options] [name=value ...]
        Sends one request record made of the name=value fields, in order
        (the first should be op=...), then prints the answer:
          default      every record as "name value" lines, "-" after
                       each result record and "." after the status record
          --count F    "records N", then "F=V N" for each value V of
                       field F among the result records, sorted, then
                       "status ok" or "status error CATEGORY: MESSAGE"
        --raw          send standard input as it is instead of fields
        --hold S       connect, say "connected" on standard error, send
                       nothing for S seconds, then go on
        --trickle S    send the request one byte every S seconds (stop
                       when hubd has answered)
    Exit status: 0 status ok, 1 status error, 2 the channel failed (the
    reason on standard error, beginning with the errno name when the
    connection itself failed, e.g. "EACCES: ...").
"""

import argparse
import errno
import socket
import sys
import time
from collections import Counter


def encode(fields):
    out = []
    for name, value in fields:
        value = (value.replace("\\", "\\\\").replace("\n", "\\n")
                 .replace("\r", "\\r"))
        out.append("%s %s\n" % (name, value))
    out.append(".\n")
    return "".join(out).encode()


def decode_value(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            i += 1
            c = {"n": "\n", "r": "\r"}.get(v[i], v[i])
        out.append(c)
        i += 1
    return "".join(out)


def records(sock):
    """Yield (fields, last) for each record of the answer."""
    buf, rec = b"", []
    while True:
        nl = buf.find(b"\n")
        if nl < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise EOFError("the connection closed before the answer "
                               "was complete")
            buf += chunk
            continue
        line, buf = buf[:nl].decode("utf-8", "replace"), buf[nl + 1:]
        if line in ("-", "."):
            yield rec, line == "."
            if line == ".":
                return
            rec = []
            continue
        name, sep, value = line.partition(" ")
        if not sep:
            raise ValueError("malformed answer line %r" % line)
        rec.append((name, decode_value(value)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--count")
    ap.add_argument("--raw", action="store_true")
    ap.add_argument("--hold", type=float, default=0)
    ap.add_argument("--trickle", type=float, default=0)
    ap.add_argument("fields", nargs="*")
    a = ap.parse_intermixed_args()

    if a.raw:
        req = sys.stdin.buffer.read()
    else:
        req = encode([f.split("=", 1) for f in a.fields])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(300)
    try:
        s.connect(a.socket)
    except OSError as e:
        print("%s: %s" % (errno.errorcode.get(e.errno, "E?"), e),
              file=sys.stderr)
        return 2
    if a.hold:
        print("connected", file=sys.stderr, flush=True)
        time.sleep(a.hold)
    try:
        if a.trickle:
            for i in range(len(req)):
                s.sendall(req[i:i + 1])
                s.settimeout(a.trickle)
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        break   # answered (an error) before the end
                except socket.timeout:
                    pass
            s.settimeout(300)
        else:
            s.sendall(req)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass    # refused before reading: the answer is still there
    counts, n, ok = Counter(), 0, None
    try:
        for rec, last in records(s):
            if last:
                d = dict(rec)
                ok = d.get("status") == "ok"
                if a.count:
                    print("records %d" % n)
                    for v in sorted(counts):
                        print("%s=%s %d" % (a.count, v, counts[v]))
                    print("status ok" if ok else "status error %s: %s" %
                          (d.get("category"), d.get("message")))
                else:
                    for name, value in rec:
                        print("%s %s" % (name, value))
                    print(".")
                break
            n += 1
            if a.count:
                for name, value in rec:
                    if name == a.count:
                        counts[value] += 1
            else:
                for name, value in rec:
                    print("%s %s" % (name, value))
                print("-")
    except (OSError, EOFError, ValueError) as e:
        print("channel: %s" % e, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
