#!/usr/bin/python3
"""peer.py - an SMTP server on loopback for the transport tests.

It receives what hubd delivers and writes down everything a test needs to
judge the delivery: every message with its envelope and the TLS state it
arrived under, every command line and whether it crossed in plaintext or
inside TLS, connections, handshakes and session resumption.  Behaviours
that a real next hop may show (no STARTTLS, STARTTLS refused, a broken
handshake, bytes injected after "220 Ready to start TLS", rejected
commands) are chosen by option.

It is aiosmtpd's SMTP server (Debian's python3-aiosmtpd; run it with
/usr/bin/python3), with the odd behaviours added by subclassing.

    /usr/bin/python3 peer.py --dir DIR [options]

Options:
  --dir DIR               where everything below is written (created)
  --listen ADDR[:PORT]    address to listen on (repeatable; default
                          127.0.0.1:0).  Port 0 or none: the first listener
                          takes a port from the kernel and later ones
                          without a port use the same.  ADDR may be ::1
                          or [::1]:PORT.  Loopback addresses only.
  --hostname NAME         name in the greeting and EHLO reply (peer.test)
  --cert FILE --key FILE  certificate and key for STARTTLS (PEM)
  --sni-cert NAME=CERT:KEY
                          present CERT instead when the client's SNI is
                          NAME (repeatable)
  --starttls MODE         ok       advertise STARTTLS and do TLS (default
                                   when --cert is given)
                          none     do not advertise STARTTLS (default
                                   without --cert); STARTTLS is an
                                   unknown command (500)
                          refuse   advertise it, answer
                                   "454 4.7.0 TLS not available"
                          close    answer 220, read the ClientHello, close
                          garbage  answer 220, read the ClientHello, answer
                                   with bytes that are not TLS, close
                          inject   answer 220 followed, in the same write,
                                   by the --inject bytes; then do TLS
  --inject TEXT           bytes sent after "220 Ready to start TLS"
                          (backslash escapes \\r \\n; default
                          "250 injected before TLS\\r\\n")
  --tls-min V, --tls-max V
                          TLS versions the server accepts (1.0 1.1 1.2
                          1.3); below 1.2 the cipher security level is
                          lowered so old versions can really be used
  --require-tls           530 to everything but EHLO/HELO/NOOP/QUIT/
                          STARTTLS until TLS is up
  --auth USER:PASS        offer AUTH PLAIN and LOGIN with this one account
                          (without it, AUTH is neither offered nor
                          accepted)
  --auth-tls-only         offer and accept AUTH only inside TLS
  --auth-required         530 to MAIL until authenticated
  --reply CMD[:MATCH][#N]=REPLY
                          answer CMD with REPLY instead of handling it.
                          CMD is an SMTP verb (EHLO HELO MAIL RCPT DATA
                          RSET NOOP QUIT STARTTLS AUTH), CONNECT (the
                          greeting: a non-220 greeting is followed by
                          close) or EOM (the reply after the final dot;
                          the message is then not recorded as received).
                          MATCH: only when the command's argument contains
                          it (case-insensitive).  #N: only the first N
                          times it matches, counted over the peer's life.
                          REPLY "close": close the connection instead of
                          answering.  Repeatable; the first matching rule
                          wins.
  --delay CMD=SECONDS     wait before handling CMD (same CMD names as
                          --reply; repeatable)
  --no-pipelining         do not advertise PIPELINING
  --size N                SIZE limit advertised and enforced (0: none;
                          default 33554432)
  --smtputf8              advertise SMTPUTF8 and accept UTF-8 addresses
  --requiretls            advertise REQUIRETLS inside TLS (RFC 8689) and
                          take the MAIL FROM parameter there; it shows
                          in the message's mail_options
  --timeout SECONDS       idle timeout per connection (default 120)
  -v, --verbose           aiosmtpd's debug log on standard error

Files written in DIR (every log line starts with the connection number,
counted from 1 over the peer's life):
  ready          the bound port and a newline, written (atomically) once
                 every listener is bound; the port is also printed on
                 standard output then
  pid            the process id
  stats          KEY=VALUE lines, rewritten atomically on every change:
                 connections, messages, tls (handshakes completed),
                 resumed (of those, resumed sessions), tls_failed, auth
                 (successful AUTHs), rejected (commands answered by a
                 --reply rule)
  commands.log   every line the client sent: "CONN TRANSPORT KIND TEXT"
                 TRANSPORT  plain | tls
                 KIND       cmd (a command line), auth (a line answering
                            an AUTH challenge), data (one line per DATA
                            body: TEXT is "N bytes", counted on the wire
                            up to and with the final ".\r\n"), discarded
                            (a line sent in plaintext after STARTTLS,
                            before the handshake, thrown away unread as
                            RFC 3207 says)
  transcript.log both directions, for people: "CONN TRANSPORT >|< LINE"
  events.log     "CONN EVENT KEY=VALUE..." with EVENT one of connect
                 (peer= local=), starttls (mode=), inject (bytes=), tls
                 (version= cipher= sni= resumed=yes|no), tls-failed
                 (error=: OpenSSL's reason, e.g. TLSV1_ALERT_UNKNOWN_CA
                 when the client rejected the certificate, or
                 close-after-N-bytes / garbage-after-N-bytes), auth
                 (user= tls=yes|no mechanism=), auth-failed (the same),
                 rule (cmd= reply=, spaces in the reply written as _),
                 message (id= tls=), close (messages=: how many this
                 connection delivered)
  msg/ID.eml     a received message: the DATA content exactly as
                 received, after dot-unstuffing (line ends untouched)
  msg/ID.env     its envelope, KEY=VALUE lines, written after ID.eml
                 (wait for this one):
                   id conn seq (message number within the connection)
                   peer local helo mail_from mail_options
                   rcpt (one line per accepted recipient) rcpt_options
                   tls (yes|no: DATA arrived inside TLS) tls_version
                   tls_cipher sni tls_resumed (yes|no)
                   auth_user auth_tls (yes|no, empty without AUTH) size
                 IDs count from 000001 over the peer's life.

A peer started again on the same DIR carries on where the last one
stopped: counters, numbering and logs continue.  peer.py also prints the
port on standard output, and its own faults (never a client's) on
standard error.  SIGTERM or SIGINT: close the listeners and
exit 0.
"""

import argparse
import asyncio
import ipaddress
import logging
import os
import re
import signal
import socket
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, MISSING, TLSSetupException

RULE_CMDS = {"CONNECT", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET",
             "NOOP", "QUIT", "STARTTLS", "AUTH", "EOM", "VRFY", "HELP"}
TLS_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3,
}
READY_220 = "220 Ready to start TLS"


def fail(msg):
    print("peer.py: " + msg, file=sys.stderr)
    sys.exit(2)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def unescape(text):
    return text.encode().decode("unicode_escape").encode("latin-1")


def printable(raw):
    """A received line for a log: no line end, bytes kept visible."""
    return raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")


def addr_text(addr):
    if not addr:
        return ""
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Rule:
    """One --reply CMD[:MATCH][#N]=REPLY."""

    def __init__(self, spec):
        left, sep, self.reply = spec.partition("=")
        if not sep or not self.reply:
            fail(f"--reply {spec!r}: no '=REPLY'")
        self.times = None
        if "#" in left:
            left, _, n = left.rpartition("#")
            if not n.isdigit():
                fail(f"--reply {spec!r}: #N must be a number")
            self.times = int(n)
        cmd, _, self.match = left.partition(":")
        self.cmd = cmd.upper()
        if self.cmd not in RULE_CMDS:
            fail(f"--reply {spec!r}: unknown command {cmd}")
        if self.reply != "close" and not re.match(r"^[2-5]\d\d( |$)",
                                                  self.reply):
            fail(f"--reply {spec!r}: a reply starts with a 3-digit code")

    def take(self, cmd, arg):
        """True (and count it) when this rule answers CMD ARG."""
        if cmd != self.cmd:
            return False
        if self.match and self.match.lower() not in (arg or "").lower():
            return False
        if self.times is not None:
            if self.times <= 0:
                return False
            self.times -= 1
        return True


class State:
    """What one peer process shares between its connections."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.dir = cfg.dir
        self.msgdir = os.path.join(cfg.dir, "msg")
        os.makedirs(self.msgdir, exist_ok=True)
        self.stats = dict(connections=0, messages=0, tls=0, resumed=0,
                          tls_failed=0, auth=0, rejected=0)
        # A peer started again on the same directory carries on.
        try:
            with open(os.path.join(cfg.dir, "stats")) as f:
                for line in f:
                    k, _, v = line.strip().partition("=")
                    if k in self.stats:
                        self.stats[k] = int(v)
        except (OSError, ValueError):
            pass
        self.conns = self.stats["connections"]
        self.msgs = self.stats["messages"]
        self.rules = [Rule(r) for r in cfg.reply]
        if cfg.starttls == "refuse":
            self.rules.insert(0, Rule("STARTTLS=454 4.7.0 TLS not available"))
        self.delays = {}
        for d in cfg.delay:
            cmd, sep, secs = d.partition("=")
            if not sep or cmd.upper() not in RULE_CMDS:
                fail(f"--delay {d!r}: want CMD=SECONDS")
            self.delays[cmd.upper()] = float(secs)
        self.files = {}
        for name in ("commands.log", "transcript.log", "events.log"):
            self.files[name] = open(os.path.join(cfg.dir, name), "a",
                                    buffering=1, errors="backslashreplace")
        self.write_stats()

    def log(self, name, line):
        self.files[name].write(line + "\n")

    def bump(self, key):
        self.stats[key] += 1
        self.write_stats()

    def write_stats(self):
        write_atomic(os.path.join(self.dir, "stats"),
                     "".join(f"{k}={v}\n" for k, v in self.stats.items()))

    def rule_for(self, cmd, arg):
        for r in self.rules:
            if r.take(cmd, arg):
                return r.reply
        return None


def tls_context(cfg, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as e:
        fail(f"{cert}: {e}")
    if cfg.tls_min:
        ctx.minimum_version = TLS_VERSIONS[cfg.tls_min]
    if cfg.tls_max:
        ctx.maximum_version = TLS_VERSIONS[cfg.tls_max]
    if (cfg.tls_min in ("1.0", "1.1")) or (cfg.tls_max in ("1.0", "1.1")):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    return ctx


class Handler:
    """aiosmtpd hooks: EHLO extensions, TLS facts, messages."""

    def __init__(self, state):
        self.st = state

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        server.helo = hostname
        cfg = self.st.cfg
        out = []
        for r in responses:
            word = r[4:].split(" ")[0].upper()
            if word == "AUTH" and not cfg.auth:
                continue
            if word == "STARTTLS" and server.tls_active():
                continue
            out.append(r)
        last = out.pop()            # "250 HELP"
        if cfg.starttls in ("refuse", "close", "garbage") and \
                not any(r[4:].upper() == "STARTTLS" for r in out):
            out.append("250-STARTTLS")
        if not cfg.no_pipelining:
            out.append("250-PIPELINING")
        if cfg.requiretls and server.tls_active():
            out.append("250-REQUIRETLS")
        out.append(last)
        return out

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        server.helo = hostname
        return MISSING

    def handle_STARTTLS(self, server, session, envelope):
        server.tls_done(session.ssl.get("ssl_object"))
        return True

    async def handle_DATA(self, server, session, envelope):
        return await server.message_received(envelope)

    async def handle_exception(self, error):
        # A failed handshake is an expected outcome (recorded as a
        # tls-failed event; aiosmtpd then closes the connection without
        # sending this).  Anything else is a fault of this peer: say so.
        if not isinstance(error, TLSSetupException):
            logging.getLogger("peer").exception("session exception")
        return "421 4.3.0 internal error"


class Peer(SMTP):
    """One connection: aiosmtpd's SMTP with logging and behaviours."""

    def __init__(self, state, tls_ctx, **kw):
        cfg = state.cfg
        self.st = state
        self.cfg = cfg
        super().__init__(
            Handler(state), tls_context=tls_ctx,
            require_starttls=cfg.require_tls,
            auth_require_tls=cfg.auth_tls_only,
            auth_required=cfg.auth_required,
            authenticator=self.authenticate,
            hostname=cfg.hostname, data_size_limit=cfg.size or None,
            enable_SMTPUTF8=cfg.smtputf8, timeout=cfg.timeout, **kw)
        if not cfg.auth:
            self._smtp_methods.pop("AUTH", None)
        if cfg.starttls == "none":
            # As a server without TLS support: an unknown command.
            self._smtp_methods.pop("STARTTLS", None)
        for name, method in list(self._smtp_methods.items()):
            self._smtp_methods[name] = self.ruled(name, method)
        self.conn = 0
        self.kind = "cmd"
        self.data_bytes = 0
        self.greeted = False
        self.helo = ""
        self.seq = 0
        self.tls = None             # facts about the TLS session, once up
        self.auth_user = ""
        self.auth_tls = ""
        self.local = ""

    # --- state and logs -------------------------------------------------
    def tls_active(self):
        return self._tls_protocol is not None and self.tls is not None

    def transport_word(self):
        return "tls" if self.tls_active() else "plain"

    def event(self, what, **kv):
        fields = " ".join(f"{k}={v}" for k, v in kv.items())
        self.st.log("events.log", f"{self.conn} {what} {fields}".rstrip())

    def client_line(self, kind, raw):
        text = printable(raw) if isinstance(raw, bytes) else raw
        word = self.transport_word()
        self.st.log("commands.log", f"{self.conn} {word} {kind} {text}")
        if kind != "data":
            self.st.log("transcript.log", f"{self.conn} {word} > {text}")

    # --- connection -----------------------------------------------------
    def connection_made(self, transport):
        if self._original_transport is None:
            self.st.conns += 1
            self.conn = self.st.conns
            self.local = addr_text(transport.get_extra_info("sockname"))
            self.st.bump("connections")
            self.event("connect",
                       peer=addr_text(transport.get_extra_info("peername")),
                       local=self.local)
        else:
            # The handshake is done.  Whatever the client sent in
            # plaintext after STARTTLS is about to be thrown away: log it.
            left = bytes(self._reader._buffer)
            for line in left.splitlines(keepends=True):
                self.st.log("commands.log",
                            f"{self.conn} plain discarded {printable(line)}")
        super().connection_made(transport)

    def connection_lost(self, error):
        self.event("close", messages=self.seq)
        super().connection_lost(error)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        peer = self

        def wrap(read):
            async def logged(*args, **kw):
                line = await read(*args, **kw)
                if peer.kind == "data":
                    peer.data_bytes += len(line)
                elif line:
                    peer.client_line(peer.kind, line)
                return line
            return logged
        reader.readuntil = wrap(reader.readuntil)
        reader.readline = wrap(reader.readline)

    async def push(self, status):
        text = status.decode("utf-8", "replace") \
            if isinstance(status, bytes) else status
        if not self.greeted:
            # The first reply of a connection is the greeting.
            self.greeted = True
            await self.delay("CONNECT")
            reply = self.st.rule_for("CONNECT", "")
            if reply is not None:
                self.event("rule", cmd="CONNECT",
                           reply=reply.replace(" ", "_"))
                self.st.bump("rejected")
                if reply == "close":
                    self.transport.close()
                    return
                text = reply
                await self.write_reply(text)
                if not text.startswith("220"):
                    self.transport.close()
                return
        if text == READY_220 and self.cfg.starttls == "inject":
            extra = unescape(self.cfg.inject)
            self.event("inject", bytes=len(extra))
            self.st.log("transcript.log",
                        f"{self.conn} plain < {text} + {extra!r}")
            self._writer.write(text.encode() + b"\r\n" + extra)
            await self._writer.drain()
            return
        await self.write_reply(text)

    async def write_reply(self, text):
        for line in text.split("\r\n"):
            self.st.log("transcript.log",
                        f"{self.conn} {self.transport_word()} < {line}")
        await super().push(text)

    async def delay(self, cmd):
        secs = self.st.delays.get(cmd)
        if secs:
            await asyncio.sleep(secs)

    # --- commands -------------------------------------------------------
    def ruled(self, name, method):
        async def run(arg):
            await self.delay(name)
            reply = self.st.rule_for(name, arg)
            if reply is None:
                return await method(arg)
            self.event("rule", cmd=name, reply=reply.replace(" ", "_"))
            self.st.bump("rejected")
            if reply == "close":
                self.transport.close()
                return
            await self.push(reply)
        return run

    async def smtp_MAIL(self, arg):
        # aiosmtpd knows no REQUIRETLS: take it off, then put it back
        # among the options recorded with the message.
        words = (arg or "").split()
        req = [w for w in words[1:] if w.upper() == "REQUIRETLS"]
        if req and self.cfg.requiretls and self.tls_active():
            arg = " ".join([words[0]] + [w for w in words[1:]
                                         if w.upper() != "REQUIRETLS"])
        else:
            req = []
        await super().smtp_MAIL(arg)
        if req and self.envelope.mail_from is not None:
            self.envelope.mail_options.append("REQUIRETLS")

    async def smtp_STARTTLS(self, arg):
        mode = self.cfg.starttls
        self.event("starttls", mode=mode)
        if arg or mode in ("ok", "inject", "none") or self.tls_active():
            try:
                return await super().smtp_STARTTLS(arg)
            except Exception as e:
                err = e.__cause__ or e
                reason = getattr(err, "reason", None) or type(err).__name__
                self.event("tls-failed", error=reason)
                self.st.bump("tls_failed")
                raise
        # close / garbage: 220, then wait for the ClientHello (or 5 s).
        await self.push(READY_220)
        try:
            hello = await asyncio.wait_for(self._reader.read(4096), 5)
        except asyncio.TimeoutError:
            hello = b""
        if mode == "garbage":
            self._writer.write(b"this is not a TLS handshake\r\n" * 4)
            await self._writer.drain()
        self.event("tls-failed", error=f"{mode}-after-{len(hello)}-bytes")
        self.st.bump("tls_failed")
        self.transport.close()

    def tls_done(self, sslobj):
        if sslobj is None:
            return
        cipher = sslobj.cipher()
        self.tls = dict(
            version=sslobj.version() or "",
            cipher=cipher[0] if cipher else "",
            sni=getattr(sslobj, "peer_sni", "") or "",
            resumed="yes" if sslobj.session_reused else "no")
        self.st.bump("tls")
        if sslobj.session_reused:
            self.st.bump("resumed")
        self.event("tls", **self.tls)

    def authenticate(self, server, session, envelope, mechanism, data):
        user = data.login.decode("utf-8", "replace")
        password = data.password.decode("utf-8", "replace")
        want_user, _, want_pass = self.cfg.auth.partition(":")
        tls = "yes" if self.tls_active() else "no"
        if user == want_user and password == want_pass:
            self.auth_user, self.auth_tls = user, tls
            self.event("auth", user=user, tls=tls, mechanism=mechanism)
            self.st.bump("auth")
            return AuthResult(success=True, auth_data=data)
        self.event("auth-failed", user=user, tls=tls, mechanism=mechanism)
        return AuthResult(success=False, handled=False)

    async def smtp_AUTH(self, arg):
        self.kind = "auth"
        try:
            # The AUTH command line itself was logged as a command.
            return await super().smtp_AUTH(arg)
        finally:
            self.kind = "cmd"

    async def smtp_DATA(self, arg):
        self.kind = "data"
        self.data_bytes = 0
        try:
            return await super().smtp_DATA(arg)
        finally:
            self.kind = "cmd"
            if self.data_bytes:
                self.client_line("data", f"{self.data_bytes} bytes")

    async def message_received(self, envelope):
        await self.delay("EOM")
        reply = self.st.rule_for("EOM", "")
        if reply is not None:
            self.event("rule", cmd="EOM", reply=reply.replace(" ", "_"))
            self.st.bump("rejected")
            if reply == "close":
                self.transport.close()
                return "421 closing"    # never sent: the socket is gone
            return reply
        self.st.msgs += 1
        self.seq += 1
        mid = f"{self.st.msgs:06d}"
        base = os.path.join(self.st.msgdir, mid)
        content = envelope.original_content or b""
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        os.replace(base + ".eml.tmp", base + ".eml")
        tls = self.tls if self.tls_active() else {}
        lines = [
            f"id={mid}", f"conn={self.conn}", f"seq={self.seq}",
            f"peer={addr_text(self.session.peer)}", f"local={self.local}",
            f"helo={self.helo}", f"mail_from={envelope.mail_from or ''}",
            "mail_options=" + " ".join(envelope.mail_options or []),
        ]
        lines += [f"rcpt={r}" for r in envelope.rcpt_tos]
        lines += [
            "rcpt_options=" + " ".join(envelope.rcpt_options or []),
            f"tls={'yes' if tls else 'no'}",
            f"tls_version={tls.get('version', '')}",
            f"tls_cipher={tls.get('cipher', '')}",
            f"sni={tls.get('sni', '')}",
            f"tls_resumed={tls.get('resumed', 'no')}",
            f"auth_user={self.auth_user}", f"auth_tls={self.auth_tls}",
            f"size={len(content)}",
        ]
        write_atomic(base + ".env", "\n".join(lines) + "\n")
        self.st.bump("messages")
        self.event("message", id=mid, tls="yes" if tls else "no")
        return "250 2.0.0 OK " + mid


def parse_listen(spec):
    m = re.match(r"^\[([^\]]+)\](?::(\d+))?$", spec)
    if m:
        return m.group(1), int(m.group(2) or 0)
    if spec.count(":") > 1:             # bare IPv6 address, no port
        return spec, 0
    host, _, port = spec.partition(":")
    return host, int(port or 0)


def is_loopback(host):
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM, 0,
                                   socket.AI_NUMERICHOST)
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def options(argv):
    p = argparse.ArgumentParser(prog="peer.py", add_help=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--listen", action="append", default=[])
    p.add_argument("--hostname", default="peer.test")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--sni-cert", action="append", default=[])
    p.add_argument("--starttls", choices=["ok", "none", "refuse", "close",
                                          "garbage", "inject"])
    p.add_argument("--inject", default=r"250 injected before TLS\r\n")
    p.add_argument("--tls-min", choices=sorted(TLS_VERSIONS))
    p.add_argument("--tls-max", choices=sorted(TLS_VERSIONS))
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--auth-tls-only", action="store_true")
    p.add_argument("--auth-required", action="store_true")
    p.add_argument("--reply", action="append", default=[])
    p.add_argument("--delay", action="append", default=[])
    p.add_argument("--no-pipelining", action="store_true")
    p.add_argument("--size", type=int, default=33554432)
    p.add_argument("--smtputf8", action="store_true")
    p.add_argument("--requiretls", action="store_true")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("-v", "--verbose", action="store_true")
    cfg = p.parse_args(argv)
    if cfg.starttls is None:
        cfg.starttls = "ok" if cfg.cert else "none"
    if cfg.starttls in ("ok", "inject") and not (cfg.cert and cfg.key):
        fail(f"--starttls {cfg.starttls} needs --cert and --key")
    if bool(cfg.cert) != bool(cfg.key):
        fail("--cert and --key go together")
    if cfg.auth and ":" not in cfg.auth:
        fail("--auth wants USER:PASS")
    if not cfg.listen:
        cfg.listen = ["127.0.0.1:0"]
    return cfg


async def serve(cfg):
    state = State(cfg)
    ctx = None
    if cfg.starttls in ("ok", "inject"):
        ctx = tls_context(cfg, cfg.cert, cfg.key)
        by_name = {}
        for spec in cfg.sni_cert:
            name, _, files = spec.partition("=")
            cert, _, key = files.partition(":")
            if not (name and cert and key):
                fail(f"--sni-cert {spec!r}: want NAME=CERT:KEY")
            by_name[name.lower()] = tls_context(cfg, cert, key)

        def on_sni(sslobj, name, _ctx):
            sslobj.peer_sni = name or ""
            if name and name.lower() in by_name:
                sslobj.context = by_name[name.lower()]
        ctx.sni_callback = on_sni

    loop = asyncio.get_running_loop()
    servers = []
    port = 0
    for spec in cfg.listen:
        host, want = parse_listen(spec)
        if not is_loopback(host):
            fail(f"--listen {spec}: not a loopback address")
        try:
            srv = await loop.create_server(
                lambda: Peer(state, ctx, loop=loop), host, want or port,
                backlog=1024)
        except OSError as e:
            fail(f"--listen {spec}: {e}")
        servers.append(srv)
        if not port:
            port = srv.sockets[0].getsockname()[1]

    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(0))
    write_atomic(os.path.join(cfg.dir, "pid"), f"{os.getpid()}\n")
    write_atomic(os.path.join(cfg.dir, "ready"), f"{port}\n")
    print(port, flush=True)
    await stop
    for srv in servers:
        srv.close()


def main():
    cfg = options(sys.argv[1:])
    os.makedirs(cfg.dir, exist_ok=True)
    warnings.simplefilter("ignore")
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if cfg.verbose else logging.ERROR,
        format="peer.py %(levelname)s %(message)s")
    asyncio.run(serve(cfg))


if __name__ == "__main__":
    main()
