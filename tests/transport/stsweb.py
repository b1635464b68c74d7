#!/usr/bin/python3
"""stsweb.py - an HTTPS server of MTA-STS policies, on loopback.

    stsweb.py --dir DIR --cert PEM --key KEY [--listen ADDR:PORT]

Listens on ADDR:PORT (default 127.0.0.1 and a port from the kernel;
"[::1]:0" for IPv6) and
writes the port to DIR/ready once it does.  A request for
/.well-known/mta-sts.txt is answered from DIR/HOST/, HOST being the
request's Host header, lower case, without a port; each file there sets
one behaviour:

    policy.txt     the body (200); missing: 404
    status         another status code, with a short text body
    redirect       301, with the file's content as Location
    content-type   the Content-Type (default text/plain)
    oversize       a body of more than 64 KiB: as many bytes as the
                   file says (default 70000), a valid policy first
    no-length      no Content-Length: the body ends when the connection
                   closes
    hang           read the request, never answer (until stopped)
    cert.pem, key.pem  the certificate for HOST, chosen by the SNI name
                   the client sends; others get --cert and --key

Any other path is a 404.  Every request is appended to DIR/requests.log
before it is answered, one line: the Unix time, the SNI name ("-" when
none was sent), the Host header ("-" when none), the method, the path,
the User-Agent ("-" when none) and the address the request came in on,
tab-separated.  The TLS handshake runs
in the request's own thread, so a client that stalls holds up no other.
"""
import argparse
import http.server
import os
import socket
import ssl
import threading
import time

POLICY = (b"version: STSv1\nmode: enforce\nmx: mx.example.test\n"
          b"max_age: 86400\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        srv = self.server
        host = (self.headers.get("Host") or "-").lower().rsplit(":", 1)[0]
        if host.startswith("["):
            host = "-"
        sni = getattr(self.connection, "sts_sni", None) or "-"
        with srv.lock:
            with open(os.path.join(srv.dir, "requests.log"), "a") as f:
                f.write("%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n" % (
                    time.time(), sni, host, self.command, self.path,
                    self.headers.get("User-Agent") or "-",
                    self.connection.getsockname()[0]))
        hdir = os.path.join(srv.dir, host)
        if (self.path != "/.well-known/mta-sts.txt" or host in ("", ".", "..")
                or "/" in host or not os.path.isdir(hdir)):
            return self.answer(404, b"not found\n", hdir)
        if os.path.exists(os.path.join(hdir, "hang")):
            while True:
                time.sleep(3600)
        redirect = read(hdir, "redirect")
        if redirect is not None:
            return self.answer(301, b"moved\n", hdir,
                               [("Location", redirect.decode().strip())])
        status = read(hdir, "status")
        if status is not None:
            code = int(status.decode().strip())
            return self.answer(code, b"status %d\n" % code, hdir)
        size = read(hdir, "oversize")
        if size is not None:
            n = int(size.decode().strip() or "70000")
            body = POLICY + b"".join(
                b"x-padding: %d\n" % i for i in range(n // 10 + 1))
            return self.answer(200, body[:n], hdir)
        body = read(hdir, "policy.txt")
        if body is None:
            return self.answer(404, b"no policy\n", hdir)
        return self.answer(200, body, hdir)

    def answer(self, code, body, hdir, headers=()):
        ctype = read(hdir, "content-type")
        ctype = ctype.decode().strip() if ctype is not None else "text/plain"
        no_length = os.path.exists(os.path.join(hdir, "no-length"))
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def log_message(self, fmt, *args):
        pass


def read(hdir, name):
    try:
        with open(os.path.join(hdir, name), "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        # The handshake here, in the request's thread, not in accept().
        try:
            request.settimeout(30)
            conn = self.ctx.wrap_socket(request, server_side=True)
            conn.settimeout(None)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass


def make_ctx(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--listen", default="127.0.0.1:0")
    a = p.parse_args()
    host, port = a.listen.rsplit(":", 1)
    host = host.strip("[]")
    if ":" in host:
        Server.address_family = socket.AF_INET6
    os.makedirs(a.dir, exist_ok=True)
    srv = Server((host, int(port)), Handler)
    srv.dir, srv.lock = a.dir, threading.Lock()
    srv.ctx = make_ctx(a.cert, a.key)
    per_host = {}

    # The certificate of the SNI name's directory, when it has one.
    def sni(sock, name, ctx):
        sock.sts_sni = name
        if name is None or "/" in name or name.startswith("."):
            return None
        d = os.path.join(a.dir, name.lower())
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        if os.path.exists(cert) and os.path.exists(key):
            if name not in per_host:
                per_host[name] = make_ctx(cert, key)
            sock.context = per_host[name]
        return None

    srv.ctx.sni_callback = sni
    with open(os.path.join(a.dir, "ready.tmp"), "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(os.path.join(a.dir, "ready.tmp"), os.path.join(a.dir, "ready"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
