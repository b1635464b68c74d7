#!/usr/bin/python3
"""webhook.py - an HTTPS receiver for hubd's alert webhook, on loopback.

    webhook.py --dir DIR --cert PEM --key KEY [--listen ADDR:PORT]
               [--mode ok|hang|fail]

Each POST is kept as DIR/NNN.json (its body) and DIR/NNN.headers (the
request line and headers), numbered from 1, written whole before it is
answered.  --mode ok answers 200; fail answers 503; hang reads the
request, keeps it, writes DIR/NNN.hanging and never answers (until
stopped).  The port is written to DIR/ready once it listens.
"""
import argparse
import http.server
import os
import ssl
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        srv = self.server
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(n, 1 << 20))
        with srv.lock:
            srv.count += 1
            k = srv.count
        base = os.path.join(srv.dir, "%03d" % k)
        with open(base + ".headers.tmp", "w") as f:
            f.write(self.requestline + "\n" + str(self.headers))
        os.rename(base + ".headers.tmp", base + ".headers")
        with open(base + ".json.tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".json.tmp", base + ".json")
        if srv.mode == "hang":
            open(base + ".hanging", "w").close()
            while True:
                time.sleep(3600)
        code = 200 if srv.mode == "ok" else 503
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--mode", choices=["ok", "hang", "fail"], default="ok")
    a = p.parse_args()
    host, port = a.listen.rsplit(":", 1)
    os.makedirs(a.dir, exist_ok=True)
    srv = http.server.ThreadingHTTPServer((host, int(port)), Handler)
    srv.daemon_threads = True
    srv.dir, srv.mode, srv.count, srv.lock = a.dir, a.mode, 0, threading.Lock()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(os.path.join(a.dir, "ready.tmp"), "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(os.path.join(a.dir, "ready.tmp"), os.path.join(a.dir, "ready"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
