"""One process that emulates every lab device.

For each device it enters the device's network namespace with ``setns()`` (on the
event-loop thread, synchronously, with nothing else running), opens that device's
sockets there, returns to its own namespace, and hands the sockets to one asyncio
loop.  Each device's mDNS answers come from a small responder (``lab.mdns``) on a
socket opened the same way.

Run by ``Lab.up()`` as ``python -m camcensus.lab.emulator STATE_JSON``; writes
``emulator.ready`` next to the state file once every device is served.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import datetime as dt
import email.utils
import functools
import hashlib
import ipaddress
import json
import logging
import os
import random
import re
import resource
import signal
import socket
import ssl
import struct
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, cast

from camcensus.lab import binary, netns, soap, ssdp, wsd
from camcensus.lab.mdns import MDNS_GROUP, MDNS_PORT, MdnsService, Responder
from camcensus.lab.profiles import (
    DeviceInstance,
    Profile,
    TlsChoice,
    load_profile,
    render,
    replay_bytes,
    tls_choice,
)
from camcensus.lab.recorder import Channel, RecorderService

__all__ = ["Device", "Emulator", "main"]

log = logging.getLogger("camcensus.lab.emulator")

WSD_GROUP = "239.255.255.250"
WSD_PORT = 3702
SADP_GROUP = "239.255.255.250"
SADP_PORT = 37020
DHIP_GROUP = "239.255.255.251"
DHIP_PORT = 37810
NETIP_PORT = 34569
SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
MAX_REQUEST_HEAD_BYTES = 64 * 1024
MAX_REQUEST_BODY_BYTES = 1024 * 1024
CLIENT_IDLE_TIMEOUT_S = 10.0
TRICKLE_INTERVAL_S = 1.0
TRICKLE_MAX_S = 3600.0
BYE_GRACE_S = 0.2
REASONS = {
    200: "OK",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}

# What a misbehaving or vanished client can cause; anything else is a bug and is logged.
CLIENT_ERRORS = (
    ConnectionError,
    TimeoutError,
    ValueError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
    ssl.SSLError,
)

UdpHandler = Callable[[bytes, tuple[str, int]], list[tuple[bytes, tuple[str, int]]]]


class Device:
    """One emulated device: its instance data, profile and rendered values."""

    def __init__(self, instance: DeviceInstance, profile: Profile) -> None:
        self.instance = instance
        self.profile = profile
        self.values = instance.values()
        # the device's own host name (GetHostname, mDNS): [device].hostname, or a
        # lab-made name unique per device
        device_table = profile.data["device"]
        self.values["hostname"] = render(
            str(device_table.get("hostname", f"{profile.id}-{instance.index:03d}")), self.values
        )
        self.scopes = tuple(self.text(s) for s in (profile.section("wsd") or {}).get("scopes", []))
        hostile = profile.section("hostile") or {}
        self.hostile_http = str(hostile.get("http", "none"))
        self.huge_bytes = int(hostile.get("huge_bytes", 10_000_000))
        self.flood = profile.section("flood")
        replay = profile.section("replay") or {}
        self.replay_rtsp = {
            str(method): replay_bytes(profile, str(name))
            for method, name in replay.get("rtsp", {}).items()
            if method != "port"
        }
        self.replay_http = {
            str(path): replay_bytes(profile, str(name))
            for path, name in replay.get("http", {}).get("paths", {}).items()
        }
        self.replay_tcp = {
            int(port): replay_bytes(profile, str(name))
            for port, name in replay.get("tcp", {}).items()
        }
        self.replay_udp = {
            str(kind): replay_bytes(profile, str(name))
            for kind, name in replay.get("udp", {}).items()
        }
        self.recorder: RecorderService | None = None
        """A recorder's channel-list endpoint (``attach_recorders``); None for others."""

    def text(self, value: object) -> str:
        return render(str(value), self.values)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, handler: UdpHandler) -> None:
        self.handler = handler
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self.transport is None:
            return
        try:
            replies = self.handler(data, (str(addr[0]), int(addr[1])))
        except Exception:  # one bad datagram must not stop a device
            log.exception("udp handler failed")
            return
        for payload, dest in replies:
            self.transport.sendto(payload, dest)

    def error_received(self, exc: Exception) -> None:
        log.debug("udp error: %s", exc)


def _udp_socket(ip: str, port: int, group: str | None, broadcast: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if broadcast:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.bind(("0.0.0.0", port))  # noqa: S104 (inside a lab namespace only)
    if group is not None:
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(ip))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    sock.setblocking(False)
    return sock


def _tcp_socket(ip: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ip, port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


# --- HTTP ------------------------------------------------------------------


DEFAULT_HEADER_ORDER = ("Server", "Date", "Content-Type", "Content-Length", "Connection")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"})
"""Methods an embedded server knows; other methods get 501 (RFC 9110 15.6.2)."""


def http_date(now: dt.datetime | None = None) -> str:
    """An IMF-fixdate (RFC 9110 5.6.7), as the Date header carries it."""
    return email.utils.format_datetime(now or dt.datetime.now(dt.UTC), usegmt=True)


def http_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    server: str | None,
    *,
    order: tuple[str, ...] = DEFAULT_HEADER_ORDER,
    version: str = "1.1",
    head: bool = False,
) -> bytes:
    """An HTTP reply with ``Date``, its headers in the profile's *order* (names not in
    it keep their place before ``Content-Length``); *head*: the headers of the GET reply
    without its body."""
    fields: dict[str, str] = {}
    if server:
        fields["Server"] = server
    fields["Date"] = http_date()
    fields.update(headers)
    fields["Content-Length"] = str(len(body))
    fields["Connection"] = "close"
    rank = {name.lower(): i for i, name in enumerate(order)}
    default = {name.lower(): i for i, name in enumerate(DEFAULT_HEADER_ORDER)}

    def position(item: tuple[int, str]) -> tuple[int, int]:
        index, name = item
        key = name.lower()
        if key in rank:
            return rank[key], 0
        return len(order) + default.get(key, default["content-length"] - 1), index

    names = [name for _, name in sorted(enumerate(fields), key=position)]
    lines = [f"HTTP/{version} {status} {REASONS.get(status, 'Status')}"]
    lines.extend(f"{name}: {fields[name]}" for name in names)
    wire = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")
    return wire if head else wire + body


def _parse_request(head: bytes) -> tuple[str, str, dict[str, str]]:
    """(method, target, headers) of a request head; the request line's protocol
    version is kept as the pseudo-header ``:version``."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) < 2:
        raise ValueError("bad request line")
    headers: dict[str, str] = {":version": parts[2] if len(parts) > 2 else ""}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return parts[0].upper(), parts[1], headers


class HttpService:
    """HTTP (and, wrapped in TLS, HTTPS) for one device, from its profile."""

    def __init__(self, device: Device) -> None:
        self.device = device
        http = device.profile.section("http") or {}
        self.server = device.text(http["server"]) if "server" in http else None
        self.paths: dict[str, Mapping[str, Any]] = {
            str(entry["path"]): entry for entry in http.get("paths", [])
        }
        ssdp = device.profile.section("ssdp") or {}
        self.ssdp_path = str(ssdp.get("location_path", "")) if ssdp else ""
        self.scpd = {str(k): str(v) for k, v in ssdp.get("scpd", {}).items()}
        self.onvif = device.profile.section("onvif")
        self.order = tuple(str(h) for h in http.get("header_order", DEFAULT_HEADER_ORDER))
        self.version = str(http.get("version", "1.1"))
        self.unsupported_status = int(http.get("unsupported_status", 405))

    def respond(self, method: str, path: str, body: bytes, version: str = "HTTP/1.1") -> bytes:
        device = self.device
        head = method == "HEAD"
        target = path.split("?", 1)[0]
        replayed = device.replay_http.get(target)
        if replayed is not None and method in ("GET", "HEAD"):
            # a real device's reply, byte for byte (HEAD: its head only)
            return replayed.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n" if head else replayed
        if device.replay_http:
            return http_response(404 if method in ("GET", "HEAD") else 405, {}, b"", None)
        reply_version = self.version
        if reply_version == "echo":
            reply_version = "1.0" if version.upper() == "HTTP/1.0" else "1.1"

        def reply(status: int, headers: Mapping[str, str], text: bytes) -> bytes:
            return http_response(
                status,
                headers,
                text,
                self.server,
                order=self.order,
                version=reply_version,
                head=head,
            )

        if method not in KNOWN_METHODS:
            return reply(501, {"Content-Type": "text/html"}, b"<html>501</html>")
        if method not in ("GET", "HEAD", "POST"):
            return reply(
                self.unsupported_status,
                {"Allow": "GET, HEAD, POST", "Content-Type": "text/html"},
                f"<html>{self.unsupported_status}</html>".encode(),
            )
        route = self.paths.get(target)
        if route is not None:
            # a fresh nonce for every challenge, as real Digest servers send (RFC 7616 3.3)
            values = dict(device.values, nonce=uuid.uuid4().hex)
            headers = {str(k): render(str(v), values) for k, v in route.get("headers", {}).items()}
            if "body_base64" in route:  # a binary file (an icon): served as it is
                data = base64.b64decode(str(route["body_base64"]))
            else:
                data = render(str(route.get("body", "")), values).encode()
            return reply(int(route.get("status", 200)), headers, data)
        if self.onvif is not None and method == "POST" and target.startswith("/onvif/"):
            operation = soap.operation_of(body)
            username = str(self.onvif.get("username", ""))
            authorised = not username or soap.auth_ok(
                body, username, str(self.onvif.get("password", ""))
            )
            status, answer = soap.device_response(
                operation, self.onvif, device.values, authorised, scopes=device.scopes
            )
            headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
            return reply(status, headers, answer.encode())
        if self.ssdp_path and target == self.ssdp_path:
            ssdp = device.profile.section("ssdp") or {}
            text = device.text(ssdp.get("description", ""))
            return reply(200, {"Content-Type": "text/xml"}, text.encode())
        if target in self.scpd:
            return reply(200, {"Content-Type": "text/xml"}, device.text(self.scpd[target]).encode())
        return reply(404, {"Content-Type": "text/html"}, b"<html>404</html>")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.device.hostile_http == "reset":
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), CLIENT_IDLE_TIMEOUT_S)
            method, path, headers = _parse_request(head)
            length = min(int(headers.get("content-length", "0") or 0), MAX_REQUEST_BODY_BYTES)
            body = await asyncio.wait_for(reader.readexactly(length), CLIENT_IDLE_TIMEOUT_S)
            recorder = self.device.recorder
            if recorder is not None and method == "GET" and recorder.handles(path):
                status, fields, text = recorder.respond(method, path, headers)
                writer.write(http_response(status, fields, text, self.server, order=self.order))
                await writer.drain()
            elif self.device.hostile_http == "trickle":
                await self._trickle(writer)
            elif self.device.hostile_http == "huge":
                await self._huge(writer)
            else:
                writer.write(self.respond(method, path, body, headers[":version"]))
                await writer.drain()
        except CLIENT_ERRORS as exc:
            log.debug("http client: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _trickle(self, writer: asyncio.StreamWriter) -> None:
        """Headers, then one body byte a second, until the client gives up."""
        server = f"Server: {self.server}\r\n" if self.server else ""
        writer.write(f"HTTP/1.1 200 OK\r\n{server}Content-Type: text/html\r\n".encode())
        loop = asyncio.get_running_loop()
        end = loop.time() + TRICKLE_MAX_S
        while loop.time() < end and not writer.is_closing():
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(TRICKLE_INTERVAL_S)

    async def _huge(self, writer: asyncio.StreamWriter) -> None:
        """A well-formed reply whose body is ``huge_bytes`` long."""
        size = self.device.huge_bytes
        server = f"Server: {self.server}\r\n" if self.server else ""
        writer.write(
            f"HTTP/1.1 200 OK\r\n{server}Content-Type: text/html\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n<html><title>".encode()
        )
        chunk = b"A" * 65536
        sent = 13
        while sent < size and not writer.is_closing():
            part = chunk[: min(len(chunk), size - sent)]
            writer.write(part)
            sent += len(part)
            await writer.drain()


# --- RTSP and plain TCP -------------------------------------------------------


class RtspService:
    def __init__(self, device: Device) -> None:
        self.device = device
        self.rtsp = device.profile.section("rtsp") or {}
        self.session = format(device.instance.index * 7919 + 100_000_000, "X")

    def _path(self, url: str) -> str:
        """The path of an RTSP URL (rtsp://host[:port]/path?query -> /path)."""
        rest = url.split("://", 1)[-1]
        path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        return path.split("?", 1)[0]

    def _stream(self, path: str) -> str | None:
        """The stream path *path* is (or is a track of), or None."""
        for stream in self.rtsp.get("stream_paths", []):
            stream = str(stream).split("?", 1)[0]
            if path == stream or path.startswith(stream.rstrip("/") + "/"):
                return stream
        return None

    def _authorised(self, method: str, url: str, headers: Mapping[str, str]) -> bool:
        """A Digest Authorization (RFC 2617, MD5, no qop) for the profile's user."""
        username = str(self.rtsp.get("username", ""))
        given = headers.get("authorization", "")
        if not username or not given.lower().startswith("digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', given[7:]))
        realm = self.device.text(self.rtsp.get("realm", ""))
        if fields.get("username") != username or fields.get("realm") != realm:
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

        ha1 = md5(f"{username}:{realm}:{self.rtsp.get('password', '')}")
        ha2 = md5(f"{method}:{fields.get('uri', url)}")
        return fields.get("response") == md5(f"{ha1}:{fields.get('nonce', '')}:{ha2}")

    def respond(
        self, method: str, cseq: str | None, url: str = "", headers: Mapping[str, str] | None = None
    ) -> bytes:
        headers = headers or {}
        if self.device.replay_rtsp:
            return self._replayed(method, cseq or "0")
        rtsp = self.rtsp
        if cseq is None:
            # no CSeq: 400 and no CSeq of ours (live555, gst-rtsp-server: RFC 2326 12.17
            # makes CSeq mandatory in every request)
            return b"RTSP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
        lines = ["RTSP/1.0 200 OK", f"CSeq: {cseq}"]
        if "server" in rtsp:
            lines.append(f"Server: {self.device.text(rtsp['server'])}")
        lines.append(f"Date: {http_date()}")
        public = self.device.text(rtsp.get("public", "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"))
        allowed = {m.strip().upper() for m in public.split(",")}
        body = b""
        by_path = bool(rtsp.get("stream_paths"))
        stream = self._stream(self._path(url)) if by_path else None
        if method == "OPTIONS":
            lines.append(f"Public: {public}")
        elif method not in allowed:
            lines[0] = "RTSP/1.0 405 Method Not Allowed"
            lines.append(f"Allow: {public}")
        elif by_path and stream is None:
            lines[0] = "RTSP/1.0 404 Not Found"  # not a stream of this device
        elif (
            method in ("DESCRIBE", "SETUP", "PLAY")
            and "realm" in rtsp
            and not (self._authorised(method, url, headers))
        ):
            lines[0] = "RTSP/1.0 401 Unauthorized"
            realm = self.device.text(rtsp["realm"])
            lines.append(f'WWW-Authenticate: Digest realm="{realm}", nonce="{uuid.uuid4().hex}"')
        elif method == "DESCRIBE":
            base = url.rstrip("/") + "/"
            body = (
                f"v=0\r\no=- 0 0 IN IP4 {self.device.instance.ip}\r\ns=Media Presentation\r\n"
                "c=IN IP4 0.0.0.0\r\nt=0 0\r\na=control:*\r\n"
                "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n"
            ).encode()
            lines.append("Content-Type: application/sdp")
            lines.append(f"Content-Base: {base}")
        elif method == "SETUP":
            transport = headers.get("transport", "RTP/AVP/TCP;unicast;interleaved=0-1")
            lines.append(f"Transport: {transport}")
            lines.append(f"Session: {self.session};timeout=60")
        elif method in ("PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER", "SET_PARAMETER"):
            if headers.get("session", "").split(";", 1)[0] != self.session:
                lines[0] = "RTSP/1.0 454 Session Not Found"
            else:
                lines.append(f"Session: {self.session}")
                if method == "PLAY":
                    lines.append(f"RTP-Info: url={url.rstrip('/')}/trackID=1;seq=0;rtptime=0")
        else:
            lines[0] = "RTSP/1.0 405 Method Not Allowed"
            lines.append(f"Allow: {public}")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def _replayed(self, method: str, cseq: str) -> bytes:
        """A real device's reply to *method*, its CSeq set to the request's (a client
        pairs replies by CSeq); a method no reply was captured for gets a neutral
        answer that names no one."""
        captured = self.device.replay_rtsp.get(method)
        if captured is None:
            public = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"
            if method == "OPTIONS":
                return f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{public}\r\n".encode()
            return f"RTSP/1.0 405 Method Not Allowed\r\nCSeq: {cseq}\r\n\r\n".encode()
        return with_cseq(captured, cseq)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(20):
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), CLIENT_IDLE_TIMEOUT_S)
                method, url, headers = _parse_request(head)
                writer.write(self.respond(method, headers.get("cseq"), url, headers))
                await writer.drain()
        except CLIENT_ERRORS as exc:
            log.debug("rtsp client: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                writer.close()


_CSEQ_LINE = re.compile(rb"(?im)^(cseq:[ \t]*)[^\r\n]*")
_RELATES_TO = re.compile(rb"(<(?:[\w.-]+:)?RelatesTo\b[^>]*>)[^<]*(</)")


def with_cseq(reply: bytes, cseq: str) -> bytes:
    """*reply* with its (first) CSeq header set to *cseq*; added after the status line
    when it has none."""
    value = cseq.encode("ascii", "replace")
    if _CSEQ_LINE.search(reply):
        return _CSEQ_LINE.sub(lambda m: m.group(1) + value, reply, count=1)
    line_end = reply.find(b"\r\n")
    return reply[: line_end + 2] + b"CSeq: " + value + b"\r\n" + reply[line_end + 2 :]


def relating_to(reply: bytes, message_id: str) -> bytes:
    """A captured WS-Discovery match answering *message_id* (its RelatesTo replaced)."""
    value = message_id.encode("utf-8", "replace")
    return _RELATES_TO.sub(lambda m: m.group(1) + value + m.group(2), reply, count=1)


def _binary_handlers(
    device: Device,
) -> dict[int, Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]]:
    """The ``[binary]`` login services of *device* by port (lab/binary.py)."""
    table = device.profile.section("binary") or {}
    handlers: dict[
        int, Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
    ] = {}
    base = device.instance.index * 0x100 + 0x10
    for kind, conf in table.items():
        port, user, password = int(conf["port"]), str(conf["username"]), str(conf["password"])
        if kind == "netip":
            handlers[port] = binary.netip_handler(user, password, base)
        else:  # "dvrip": the profile loader admits no other (lab.profiles)
            handlers[port] = binary.dvrip_handler(user, password, device.instance.serial, base)
    return handlers


def _banner_handler(
    banner: bytes, reply: bytes = b""
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """Send *banner* on connect; answer the client's first bytes with *reply* (if any)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if banner:
                writer.write(banner)
                await writer.drain()
            with contextlib.suppress(TimeoutError):
                # a service that answers waits for its client as a server does
                wait_s = CLIENT_IDLE_TIMEOUT_S if reply else 2.0
                data = await asyncio.wait_for(reader.read(1024), wait_s)
                if data and reply:
                    writer.write(reply)
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    return handle


# --- TLS certificates -----------------------------------------------------------


def make_tls_context(
    subject: Mapping[str, str], cache_dir: Path, key: str, choice: TlsChoice | None = None
) -> ssl.SSLContext:
    """A server context for the certificate *choice* describes (key type, validity, issuer:
    a device CA's name signs it, as Dahua's do; none: self-signed) with subject *subject*,
    serving TLS up to the choice's highest version."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    choice = choice or TlsChoice()
    cert_path = cache_dir / f"{key}.crt"
    key_path = cache_dir / f"{key}.key"
    if not cert_path.exists():
        oids = {
            "CN": NameOID.COMMON_NAME,
            "O": NameOID.ORGANIZATION_NAME,
            "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "C": NameOID.COUNTRY_NAME,
            "ST": NameOID.STATE_OR_PROVINCE_NAME,
            "L": NameOID.LOCALITY_NAME,
        }

        def x509_name(names: Mapping[str, str]) -> x509.Name:
            return x509.Name(
                [x509.NameAttribute(oids[k], str(v)) for k, v in names.items() if k in oids]
            )

        def new_key() -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
            if choice.key_type == "rsa2048":
                return rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return ec.generate_private_key(ec.SECP256R1())

        private = new_key()
        name = x509_name(subject)
        # A device CA (issuer given) signs with a key of its own; self-signed otherwise.
        signer = new_key() if choice.issuer else private
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(x509_name(choice.issuer) if choice.issuer else name)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now - dt.timedelta(days=1) + dt.timedelta(days=choice.valid_days))
            .sign(signer, hashes.SHA256())
        )
        key_path.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = (
        ssl.TLSVersion.TLSv1_2 if choice.max_version == "1.2" else ssl.TLSVersion.TLSv1_3
    )
    context.load_cert_chain(cert_path, key_path)
    return context


# --- UDP discovery handlers -------------------------------------------------------


class WsdService:
    """WS-Discovery target service of one device: answers Probes that select it (once
    per MessageID), and announces the device with Hello and Bye."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.wsd = device.profile.section("wsd") or {}
        self.captured = device.replay_udp.get("wsd")
        if self.captured is not None:
            self.types, self.scopes = wsd.captured_identity(self.captured)
        else:
            self.types = wsd.device_qnames(str(self.wsd.get("types", "dn:NetworkVideoTransmitter")))
            self.scopes = tuple(device.text(s) for s in self.wsd.get("scopes", []))
        self.seen = wsd.Seen()
        # AppSequence: InstanceId changes each time the device comes up (spec 5.2).
        self.instance_id = int(dt.datetime.now(dt.UTC).timestamp()) + device.instance.index
        self.message_number = 0

    def _sequence(self) -> tuple[int, int]:
        self.message_number += 1
        return self.instance_id, self.message_number

    def handle(self, data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        probe = wsd.parse_probe(data)
        if probe is None or not wsd.matches(probe, self.types, self.scopes):
            return []
        if not self.seen.first_time(probe.message_id):
            return []  # a retransmission of a Probe already answered
        if self.captured is not None:
            return [(relating_to(self.captured, probe.message_id), addr)]
        reply = wsd.probe_match(
            self.wsd, self.device.values, probe.message_id, str(uuid.uuid4()), self._sequence()
        )
        return [(reply, addr)]

    def announcement(self, kind: str) -> bytes | None:
        """Hello or Bye to multicast, or None for a device that sends none (replayed
        devices: nothing of theirs was captured; hostile raw replies)."""
        if self.captured is not None or "raw" in self.wsd:
            return None
        return wsd.announcement(
            kind, self.wsd, self.device.values, str(uuid.uuid4()), self._sequence()
        )


def replay_ssdp_handler(device: Device) -> UdpHandler:
    """Answer an M-SEARCH with the captured answer, as it was."""
    captured = device.replay_udp["ssdp"]
    st = next(
        (
            line.split(b":", 1)[1].strip().decode("latin-1")
            for line in captured.split(b"\r\n")
            if line.upper().startswith(b"ST:")
        ),
        "",
    )

    def handle(data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        search = ssdp.parse_search(data)
        if search is None or search.st not in ("ssdp:all", st):
            return []
        if search.multicast and search.mx is None:
            return []
        return [(captured, addr)]

    return handle


def sadp_handler(device: Device) -> UdpHandler:
    """Hikvision SADP: answer an inquiry with a ProbeMatch to the multicast group."""
    sadp = device.profile.section("sadp") or {}

    def handle(data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        if b"<Probe>" not in data or b"inquiry" not in data:
            return []
        start = data.find(b"<Uuid>")
        end = data.find(b"</Uuid>")
        their_uuid = data[start + 6 : end].decode("ascii", "replace") if 0 <= start < end else ""
        if "raw" in sadp:
            values = dict(device.values, relates_to=their_uuid)
            reply = render(str(sadp["raw"]), values)
        else:
            fields = {
                "MAC": device.values["mac_dash"].lower(),
                "IPv4Address": device.instance.ip,
                "IPv4SubnetMask": "255.255.254.0",
                "IPv4Gateway": "0.0.0.0",  # noqa: S104 (a field value, not a bind)
                **{str(k): device.text(v) for k, v in sadp.get("fields", {}).items()},
            }
            body = "".join(f"<{k}>{_xml_text(v)}</{k}>" for k, v in fields.items())
            reply = (
                '<?xml version="1.0" encoding="UTF-8"?><ProbeMatch>'
                f"<Uuid>{_xml_text(their_uuid)}</Uuid><Types>inquiry</Types>{body}</ProbeMatch>"
            )
        dest = (SADP_GROUP, SADP_PORT) if sadp.get("reply_to", "multicast") == "multicast" else addr
        return [(reply.encode("utf-8", "surrogateescape"), dest)]

    return handle


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dhip_packet(payload: bytes) -> bytes:
    """Frame a DHIP JSON payload: 32-byte header, length twice (little endian)."""
    header = b"\x20\x00\x00\x00DHIP" + b"\x00" * 8
    header += struct.pack("<II", len(payload), 0) + struct.pack("<II", len(payload), 0)
    return header + payload


def dhip_handler(device: Device) -> UdpHandler:
    dhip = device.profile.section("dhip") or {}

    def handle(data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        if data[4:8] != b"DHIP" or b"DHDiscover.search" not in data:
            return []
        if "raw_json" in dhip:
            payload = device.text(dhip["raw_json"])
        else:
            info: dict[str, Any] = {
                "IPv4Address": {
                    "IPAddress": device.instance.ip,
                    "SubnetMask": "255.255.254.0",
                    "DefaultGateway": "0.0.0.0",  # noqa: S104 (a field value)
                    "DhcpEnable": False,
                },
                "mac": device.instance.mac,
            }
            for key, value in dhip.get("device_info", {}).items():
                info[str(key)] = device.text(value) if isinstance(value, str) else value
            payload = json.dumps(
                {
                    "mac": device.instance.mac,
                    "method": "client.notifyDevInfo",
                    "params": {"deviceInfo": info},
                },
                ensure_ascii=False,
            )
        return [(dhip_packet(payload.encode("utf-8", "surrogateescape")), addr)]

    return handle


def netip_handler(device: Device) -> UdpHandler:
    """Xiongmai NetIP: answer message 1530 with 1531 + NetWork.NetCommon JSON."""
    netip = device.profile.section("netip") or {}

    def handle(data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        if len(data) < 20 or data[0] != 0xFF:
            return []
        msg = struct.unpack("<BBHIIHHI", data[:20])[6]
        if msg != 1530:
            return []
        host_ip = int(ipaddress.IPv4Address(device.instance.ip)).to_bytes(4, "big")
        common: dict[str, Any] = {
            "HostIP": "0x" + host_ip[::-1].hex().upper(),
            "MAC": device.instance.mac,
            "Submask": "0x0000FEFF",
            "GateWay": "0x00000000",
        }
        for key, value in netip.get("net_common", {}).items():
            common[str(key)] = device.text(value) if isinstance(value, str) else value
        body = json.dumps({"NetWork.NetCommon": common, "Ret": 100, "SessionID": "0x00000000"})
        payload = body.encode() + b"\x0a\x00"
        header = struct.pack("<BBHIIHHI", 0xFF, 1, 0, 0, 0, 0, 1531, len(payload))
        return [(header + payload, addr)]

    return handle


class SsdpService:
    """SSDP of one device (``lab.ssdp``): answers the M-SEARCHes whose ST selects it,
    after a random delay up to MX for a multicast search (UDA 1.1 section 1.3.3), and
    multicasts NOTIFY ssdp:alive when the emulator starts and ssdp:byebye when it stops."""

    def __init__(self, device: Device, http_port: int) -> None:
        self.device = device
        table = device.profile.section("ssdp") or {}
        self.targets = ssdp.targets(device.text(table.get("description", "")))
        self.dialect = str(table.get("dialect", "uda"))
        self.fields = {
            "location": f"http://{device.instance.ip}:{http_port}{table.get('location_path', '/')}",
            "server": device.text(table.get("server", "Linux UPnP/1.0")),
            "max_age": str(int(table.get("max_age", 1800))),
            # libupnp's 01-NLS: a fresh boot id each time the device comes up
            "boot_id": str(uuid.uuid4()),
        }
        self.transport: asyncio.DatagramTransport | None = None
        self.random = random.Random()  # noqa: S311 (a reply delay, not a secret)

    def handle(self, data: bytes, addr: tuple[str, int]) -> list[tuple[bytes, tuple[str, int]]]:
        search = ssdp.parse_search(data)
        if search is None:
            return []
        if search.multicast and search.mx is None:
            return []  # UDA 1.1 1.3.3: a multicast search without a valid MX is dropped
        replies = [
            (ssdp.response(t, self.dialect, self.fields, http_date()), addr)
            for t in ssdp.selected(search.st, self.targets)
        ]
        if not replies or not search.multicast or self.transport is None:
            return replies
        transport = self.transport
        loop = asyncio.get_running_loop()
        for payload, dest in replies:
            delay = self.random.uniform(0, float(search.mx or 0))
            loop.call_later(delay, _send_if_open, transport, payload, dest)
        return []

    def notifies(self, nts: str) -> list[bytes]:
        return [ssdp.notify(t, nts, self.dialect, self.fields) for t in self.targets]


def _send_if_open(
    transport: asyncio.DatagramTransport, payload: bytes, dest: tuple[str, int]
) -> None:
    if not transport.is_closing():
        transport.sendto(payload, dest)


# --- the emulator ------------------------------------------------------------------


class Emulator:
    """Serves every device of a lab from one event loop."""

    def __init__(self, devices: list[Device], cache_dir: Path) -> None:
        self.devices = devices
        self.cache_dir = cache_dir
        self.servers: list[asyncio.Server] = []
        self.transports: list[asyncio.BaseTransport] = []
        self._tls: dict[str, ssl.SSLContext] = {}
        self.wsd_services: list[WsdService] = []
        self.wsd_sockets: list[tuple[WsdService, asyncio.DatagramTransport]] = []
        self.flooders: list[subprocess.Popen[bytes]] = []
        self.ssdp_services: list[SsdpService] = []

    async def start(self) -> None:
        for device in self.devices:
            await self._start_device(device)
            if device.flood is not None:
                self.flooders.append(self._start_flood(device, device.flood))
        await self._start_mdns()
        self.announce("Hello")
        self.notify_ssdp("ssdp:alive")

    def notify_ssdp(self, nts: str) -> None:
        """Multicast NOTIFY *nts* for every discovery message of every SSDP device, from
        its own socket in its own namespace (TTL 2, as UDA 1.1 section 1 asks; the lab
        namespaces have no route beyond their segment)."""
        for service in self.ssdp_services:
            transport = service.transport
            if transport is None or transport.is_closing():
                continue
            for message in service.notifies(nts):
                transport.sendto(message, (SSDP_GROUP, SSDP_PORT))

    def announce(self, kind: str) -> None:
        """Multicast a WS-Discovery Hello or Bye from every device that sends one, each
        from its own socket in its own namespace (TTL 1: the lab segment only)."""
        for service, transport in self.wsd_sockets:
            message = service.announcement(kind)
            if message is not None and not transport.is_closing():
                transport.sendto(message, (WSD_GROUP, WSD_PORT))

    async def _start_device(self, device: Device) -> None:
        loop = asyncio.get_running_loop()
        ip = device.instance.ip
        profile = device.profile
        http = profile.section("http") or {}
        tls = profile.section("tls") or {}
        rtsp = profile.section("rtsp") or {}
        tcp = profile.section("tcp") or {}
        replay = profile.section("replay") or {}
        http_ports = [int(p) for p in http.get("ports", [80] if http else [])]
        if "http" in replay:
            http_ports = sorted({*http_ports, int(replay["http"].get("port", 80))})
        tls_ports = [int(p) for p in tls.get("ports", [443] if tls else [])]
        rtsp_ports = [int(rtsp.get("port", 554))] if rtsp else []
        if "rtsp" in replay:
            rtsp_ports = [int(replay["rtsp"].get("port", 554))]
        plain_ports = sorted(
            {int(p) for p in tcp.get("open", [])}
            - set(http_ports)
            - set(tls_ports)
            - set(rtsp_ports)
        )
        udp: list[tuple[int, str | None, bool, UdpHandler]] = []
        if profile.section("wsd") is not None or "wsd" in device.replay_udp:
            service = WsdService(device)
            udp.append((WSD_PORT, WSD_GROUP, False, service.handle))
            self.wsd_services.append(service)
        if profile.section("sadp") is not None:
            udp.append((SADP_PORT, SADP_GROUP, False, sadp_handler(device)))
        if profile.section("dhip") is not None:
            udp.append((DHIP_PORT, DHIP_GROUP, True, dhip_handler(device)))
        if profile.section("netip") is not None:
            udp.append((NETIP_PORT, None, True, netip_handler(device)))
        if profile.section("ssdp") is not None:
            port = http_ports[0] if http_ports else 80
            ssdp_service = SsdpService(device, port)
            self.ssdp_services.append(ssdp_service)
            udp.append((SSDP_PORT, SSDP_GROUP, False, ssdp_service.handle))
        if "ssdp" in device.replay_udp:
            udp.append((SSDP_PORT, SSDP_GROUP, False, replay_ssdp_handler(device)))

        # Open every socket inside the device namespace, synchronously.
        with netns.enter(device.instance.netns):
            tcp_socks = {
                port: _tcp_socket(ip, port)
                for port in [*http_ports, *tls_ports, *rtsp_ports, *plain_ports]
            }
            udp_socks = [
                (_udp_socket(ip, port, group, bcast), handler)
                for port, group, bcast, handler in udp
            ]
            for (sock, _), (port, *_rest) in zip(udp_socks, udp, strict=True):
                if port == SSDP_PORT:  # UDA 1.1 section 1: multicast TTL 2
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)

        http_service = HttpService(device)
        for port in http_ports:
            self.servers.append(
                await asyncio.start_server(
                    http_service.handle, sock=tcp_socks[port], limit=MAX_REQUEST_HEAD_BYTES
                )
            )
        if tls_ports:
            subject = {str(k): device.text(v) for k, v in tls.get("subject", {}).items()}
            choice = tls_choice(tls)
            if choice.issuer:  # placeholders render per device, as in the subject
                issuer = {k: device.text(v) for k, v in choice.issuer.items()}
                choice = dataclasses.replace(choice, issuer=issuer)
            # One certificate per rendered subject and choice ({ip} in a subject differs
            # per device).
            key = hashlib.sha256(
                json.dumps([subject, repr(choice)], sort_keys=True).encode()
            ).hexdigest()[:16]
            if key not in self._tls:
                self._tls[key] = make_tls_context(subject, self.cache_dir, key, choice)
            for port in tls_ports:
                self.servers.append(
                    await asyncio.start_server(
                        http_service.handle,
                        sock=tcp_socks[port],
                        ssl=self._tls[key],
                        limit=MAX_REQUEST_HEAD_BYTES,
                        ssl_handshake_timeout=CLIENT_IDLE_TIMEOUT_S,
                    )
                )
        if rtsp_ports:
            rtsp_service = RtspService(device)
            self.servers.append(
                await asyncio.start_server(
                    rtsp_service.handle,
                    sock=tcp_socks[rtsp_ports[0]],
                    limit=MAX_REQUEST_HEAD_BYTES,
                )
            )
        banners = tcp.get("banners", {})
        answers = tcp.get("replies", {})
        binary = _binary_handlers(device)
        for port in plain_ports:
            if port in binary:
                self.servers.append(await asyncio.start_server(binary[port], sock=tcp_socks[port]))
                continue
            banner = device.replay_tcp.get(port)
            if banner is None:
                banner = device.text(banners.get(str(port), "")).encode("utf-8", "surrogateescape")
            answer = bytes.fromhex(str(answers.get(str(port), "")))
            self.servers.append(
                await asyncio.start_server(_banner_handler(banner, answer), sock=tcp_socks[port])
            )
        for sock, handler in udp_socks:
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_Udp, handler), sock=sock
            )
            self.transports.append(transport)
            for service in self.wsd_services:
                if handler == service.handle:
                    self.wsd_sockets.append((service, transport))
            for ssdp_service in self.ssdp_services:
                if handler == ssdp_service.handle:
                    ssdp_service.transport = transport

    def _start_flood(self, device: Device, flood: Mapping[str, Any]) -> subprocess.Popen[bytes]:
        """The device's flood (``lab.flood``), run inside that device's own namespace."""
        spec = {
            "kind": str(flood["kind"]),
            "pps": float(flood.get("pps", 10_000)),
            "size_bytes": int(flood.get("size_bytes", 300)),
            "burst": int(flood.get("burst", 20_000)),
            "ip": device.instance.ip,
            "mac_dash": device.values["mac_dash"],
            "values": device.values,
            "count_path": str(self.cache_dir / f"flood-{device.instance.index}.count"),
        }
        command = ["ip", "netns", "exec", device.instance.netns, sys.executable]
        command += ["-m", "camcensus.lab.flood", json.dumps(spec)]
        return subprocess.Popen(command, stdin=subprocess.DEVNULL)

    async def _start_mdns(self) -> None:
        loop = asyncio.get_running_loop()
        for device in self.devices:
            services = device.profile.data.get("mdns", [])
            if not services:
                continue
            ip = device.instance.ip
            host = f"{device.values['hostname']}.local."
            responder = Responder(
                host,
                ip,
                [
                    MdnsService(
                        type=str(svc["type"]),
                        instance=device.text(svc.get("name", f"device {device.instance.index}"))[
                            :63
                        ],
                        port=int(svc.get("port", 80)),
                        txt={str(k): device.text(v) for k, v in svc.get("txt", {}).items()},
                    )
                    for svc in services
                ],
            )
            with netns.enter(device.instance.netns):
                sock = _udp_socket(ip, MDNS_PORT, MDNS_GROUP)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
            transport, _ = await loop.create_datagram_endpoint(
                functools.partial(_Udp, responder.answer), sock=sock
            )
            self.transports.append(transport)

    def close_sockets(self) -> None:
        for flooder in self.flooders:
            flooder.terminate()
            try:
                flooder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                flooder.kill()
                flooder.wait()
        for server in self.servers:
            server.close()
        for transport in self.transports:
            transport.close()


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def load_devices(state: Mapping[str, Any]) -> list[Device]:
    """Devices from a lab state file (written by :class:`lab.api.Lab`)."""
    cache: dict[str, Profile] = {}
    devices = []
    for entry in state["devices"]:
        path = str(entry["profile_path"])
        if path not in cache:
            cache[path] = load_profile(Path(path).read_text(encoding="utf-8"), path)
        devices.append(Device(DeviceInstance.from_state(entry), cache[path]))
    return devices


def _says_of_itself(camera: Device) -> dict[str, str]:
    """What a recorder learns from a camera when it adds it: its ONVIF device
    information, else what its DHIP or SADP reply says (a camera without ONVIF)."""
    onvif = camera.profile.section("onvif") or {}
    dhip = (camera.profile.section("dhip") or {}).get("device_info", {})
    sadp = (camera.profile.section("sadp") or {}).get("fields", {})
    pairs = {
        "manufacturer": (onvif.get("manufacturer"), dhip.get("Vendor"), sadp.get("OEMInfo")),
        "model": (onvif.get("model"), dhip.get("DeviceType"), sadp.get("DeviceDescription")),
        "firmware": (onvif.get("firmware"), dhip.get("Version"), sadp.get("SoftwareVersion")),
        "serial": (onvif.get("serial"), dhip.get("SerialNo"), sadp.get("DeviceSN")),
    }
    return {name: camera.text(next((v for v in values if v), "")) for name, values in pairs.items()}


def attach_recorders(devices: list[Device], state_dir: Path) -> None:
    """Give every recorder its channel-list endpoint, built from the cameras the lab put
    behind it (state entries with ``recorder`` = the recorder's index, and ``channel``)."""
    by_index = {d.instance.index: d for d in devices}
    behind: dict[int, list[tuple[int, Device]]] = {}
    for device in devices:
        if device.instance.recorder is not None:
            behind.setdefault(device.instance.recorder, []).append(
                (device.instance.channel, device)
            )
    for index, cameras in behind.items():
        recorder = by_index[index]
        section = recorder.profile.section("recorder") or {}
        entries = list(section.get("channels", []))
        channels = []
        for number, camera in sorted(cameras, key=lambda pair: pair[0]):
            entry = entries[number - 1]
            said = _says_of_itself(camera)
            channels.append(
                Channel(
                    number=number,
                    ip=camera.instance.ip,
                    mac=camera.instance.mac,
                    protocol=str(entry.get("protocol", "ONVIF")),
                    name=f"Camera {number:02d}",
                    maker=camera.text(entry.get("vendor", said["manufacturer"])),
                    model=said["model"],
                    firmware=said["firmware"],
                    serial=said["serial"],
                )
            )
        recorder.recorder = RecorderService(
            section, channels, state_dir / f"recorder-{index}.failures"
        )


def _write_ready(state_path: Path, info: Mapping[str, Any]) -> None:
    ready = state_path.parent / "emulator.ready"
    ready.write_text(json.dumps(info), encoding="utf-8")


async def serve(state_path: Path, state: Mapping[str, Any]) -> None:
    devices = load_devices(state)
    attach_recorders(devices, state_path.parent)
    emulator = Emulator(devices, state_path.parent)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    started = loop.time()
    await emulator.start()
    _write_ready(
        state_path,
        {"pid": os.getpid(), "devices": len(devices), "start_s": loop.time() - started},
    )
    await stop.wait()
    emulator.announce("Bye")
    emulator.notify_ssdp("ssdp:byebye")
    await asyncio.sleep(BYE_GRACE_S)  # let the kernel send them before the sockets close
    emulator.close_sockets()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m camcensus.lab.emulator STATE_JSON", file=sys.stderr)  # noqa: T201
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    _raise_fd_limit()
    state_path = Path(args[0])
    state = json.loads(state_path.read_text(encoding="utf-8"))
    asyncio.run(serve(state_path, state))
    return 0


if __name__ == "__main__":
    sys.exit(main())
