"""HTTP(S), TLS and RTSP banners over a replay transport: what is asked, what is read."""

from __future__ import annotations

import base64
import hashlib

from builders import self_signed_der
from replay import CAMERA, capture, context, http_reply, sent

from camcensus.scanner.probes import banner
from camcensus.scanner.probes.context import HostBudget, HostInfo
from camcensus.scanner.probes.transport import ReplayTransport
from camcensus.vendor_db.identify import identify


def _web(ip: str, port: int, request: bytes) -> bytes | None:
    if port == 554:
        return capture(
            "rtsp_options_200.txt" if request.startswith(b"OPTIONS") else "rtsp_describe_401.txt"
        )
    if request.startswith(b"GET / "):
        return http_reply("302 Found", [f"Location: http://{ip}/doc/page/login.asp"])
    if request.startswith(b"GET /doc/page/login.asp "):
        return capture("http_app_webs_chunked.txt")
    return http_reply("404 Not Found")


async def test_http_follows_one_same_host_redirect_and_rtsp_asks_options_and_describe() -> None:
    transport = ReplayTransport(tcp=_web, open_ports={CAMERA: frozenset({80, 554})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80, 554)))

    requests = [(port, req.split(b"\r\n", 1)[0]) for _ip, port, req in sent(transport, "tcp")]
    assert requests == [
        (80, b"GET / HTTP/1.1"),
        (80, b"GET /doc/page/login.asp HTTP/1.1"),
        (554, b"OPTIONS rtsp://198.18.0.11:554/ RTSP/1.0"),
        (554, b"DESCRIBE rtsp://198.18.0.11:554/ RTSP/1.0"),
        (80, b"GET /ISAPI/System/deviceInfo HTTP/1.1"),
        (80, b"GET /cgi-bin/magicBox.cgi?action=getDeviceType HTTP/1.1"),
        (80, b"GET /axis-cgi/param.cgi?action=list&group=root.Brand HTTP/1.1"),
        (80, b"GET /stw-cgi/system.cgi?msubmenu=deviceinfo&action=view HTTP/1.1"),
        (80, b"GET /LAPI/V1.0/System/DeviceInfo HTTP/1.1"),
        (80, b"GET /favicon.ico HTTP/1.1"),  # the login page names no icon
    ]
    values = {(e.key, e.value) for e in found}
    assert ("http.location", f"http://{CAMERA}/doc/page/login.asp") in values
    assert ("http.server", "App-webs/") in values
    assert ("rtsp.server", "Dahua Rtsp Server") in values
    assert ("rtsp.realm", "Login to 7B0123PAZ00002") in values


async def test_a_redirect_to_another_host_is_not_followed() -> None:
    def away(ip: str, port: int, request: bytes) -> bytes:
        return http_reply("302 Found", ["Location: http://198.18.0.12/login.asp"])

    transport = ReplayTransport(tcp=away, open_ports={CAMERA: frozenset({80})})
    await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    paths = [req.split(b" ", 2)[1].decode() for _ip, _port, req in sent(transport, "tcp")]
    assert paths == ["/", *banner.API_PATHS, "/favicon.ico"]  # /login.asp on .12 was not asked
    assert {ip for ip, _port, _req in sent(transport, "tcp")} == {CAMERA}


ISAPI_401 = http_reply(
    "401 Unauthorized",
    ['WWW-Authenticate: Digest realm="IP Camera(E1234)", nonce="x"', "Content-Type: text/xml"],
    b'<?xml version="1.0" encoding="UTF-8"?><userCheck><statusValue>401</statusValue>'
    b"<statusString>Unauthorized</statusString></userCheck>",
)
ISAPI_200 = http_reply(
    "200 OK",
    ["Content-Type: application/xml"],
    b'<?xml version="1.0" encoding="UTF-8"?><DeviceInfo version="2.0" '
    b'xmlns="http://www.hikvision.com/ver20/XMLSchema"><model>DS-2CD2143G2-I</model>'
    b"</DeviceInfo>",
)


async def test_each_family_path_is_asked_once_without_credentials_on_the_first_web_port() -> None:
    def device(ip: str, port: int, request: bytes) -> bytes:
        if request.startswith(b"GET /ISAPI/"):
            return ISAPI_401 if port == 80 else ISAPI_200
        return http_reply("404 Not Found")

    transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80, 8080})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80, 8080)))
    asked = [(port, req.split(b" ", 2)[1]) for _ip, port, req in sent(transport, "tcp")]
    api = [(port, path) for port, path in asked if path.decode() in banner.API_PATHS]
    assert api == [(80, path.encode()) for path in banner.API_PATHS]
    assert not any(b"authorization:" in req.lower() for _ip, _p, req in sent(transport, "tcp"))
    assert ("http.realm", "IP Camera(E1234)") in {(e.key, e.value) for e in found}


ICON = b"\x00\x00\x01\x00\x01\x00\x10\x10" + bytes(range(48))
"""The first bytes of an ICO file (header, one 16x16 entry), and some made-up pixels."""


def _page(head: str) -> bytes:
    return http_reply("200 OK", ["Content-Type: text/html"], f"<html><head>{head}</head>".encode())


async def test_the_icon_the_page_links_is_hashed_after_the_family_paths() -> None:
    def device(ip: str, port: int, request: bytes) -> bytes:
        if request.startswith(b"GET / "):
            return http_reply("302 Found", ["Location: /doc/page/login.asp"])
        if request.startswith(b"GET /doc/page/login.asp "):
            return _page('<link rel="shortcut icon" href="../images/favicon.ico?v=2">')
        if request.startswith(b"GET /doc/images/favicon.ico?v=2 "):
            return http_reply("200 OK", ["Content-Type: image/x-icon"], ICON)
        return http_reply("404 Not Found")

    transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    paths = [req.split(b" ", 2)[1].decode() for _ip, _port, req in sent(transport, "tcp")]
    assert paths == ["/", "/doc/page/login.asp", *banner.API_PATHS, "/doc/images/favicon.ico?v=2"]
    values = {(e.key, e.value) for e in found}
    assert ("http.icon", "../images/favicon.ico?v=2") in values
    assert ("http.favicon.md5", hashlib.md5(ICON, usedforsecurity=False).hexdigest()) in values


async def test_an_icon_on_another_host_or_inline_is_not_asked() -> None:
    inline = "data:image/x-icon;base64," + base64.b64encode(ICON).decode()
    for head, asked in (
        ('<link rel="icon" href="http://198.18.0.12/favicon.ico">', None),
        (
            f'<link rel="icon" href="{inline}">',
            hashlib.md5(ICON, usedforsecurity=False).hexdigest(),
        ),
    ):

        def device(ip: str, port: int, request: bytes, head: str = head) -> bytes:
            return _page(head) if request.startswith(b"GET / ") else http_reply("404 Not Found")

        transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80})})
        found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
        paths = [req.split(b" ", 2)[1].decode() for _ip, _port, req in sent(transport, "tcp")]
        assert paths == ["/", *banner.API_PATHS]
        assert {ip for ip, _port, _req in sent(transport, "tcp")} == {CAMERA}
        hashes = [e.value for e in found if e.key == "http.favicon.md5"]
        assert hashes == ([asked] if asked else [])


async def test_an_icon_link_to_a_family_path_neither_hides_its_reply_nor_asks_twice() -> None:
    # a page whose icon link is the ISAPI path: that path's document is still read as
    # one, and it is asked once
    def device(ip: str, port: int, request: bytes) -> bytes:
        if request.startswith(b"GET / "):
            return _page('<link rel="icon" href="/ISAPI/System/deviceInfo">')
        return ISAPI_200 if request.startswith(b"GET /ISAPI/") else http_reply("404 Not Found")

    transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    paths = [req.split(b" ", 2)[1].decode() for _ip, _port, req in sent(transport, "tcp")]
    assert paths == ["/", *banner.API_PATHS]
    assert ("isapi.model", "DS-2CD2143G2-I") in {(e.key, e.value) for e in found}


async def test_an_error_page_at_the_icon_path_gives_no_hash() -> None:
    def device(ip: str, port: int, request: bytes) -> bytes:
        if request.startswith(b"GET /favicon.ico "):  # a login page served for every path
            return http_reply("200 OK", ["Content-Type: text/html"], b"<html>login</html>")
        return http_reply("404 Not Found")

    transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    assert not [e for e in found if e.key == "http.favicon.md5"]


async def test_an_isapi_document_gives_its_fields() -> None:
    def device(ip: str, port: int, request: bytes) -> bytes:
        return ISAPI_200 if request.startswith(b"GET /ISAPI/") else http_reply("404 Not Found")

    transport = ReplayTransport(tcp=device, open_ports={CAMERA: frozenset({80})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    values = {(e.key, e.value) for e in found}
    assert ("isapi.model", "DS-2CD2143G2-I") in values
    assert ("isapi.namespace", "http://www.hikvision.com/ver20/XMLSchema") in values


async def test_https_reads_the_certificate_once() -> None:
    transport = ReplayTransport(
        tcp=lambda ip, port, request: http_reply("200 OK", ["Server: lighttpd"]),
        open_ports={CAMERA: frozenset({443})},
        certificates={(CAMERA, 443): self_signed_der("IPC-HFW2431S")},
    )
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(443,)))
    subjects = [e.value for e in found if e.key == "tls.subject"]
    assert subjects == ["CN=IPC-HFW2431S"]
    assert ("http.server", "lighttpd") in {(e.key, e.value) for e in found}
    assert {e.source for e in found if e.key.startswith("http.")} == {"https"}


async def test_the_request_budget_stops_the_banners_not_the_scan() -> None:
    transport = ReplayTransport(tcp=_web, open_ports={CAMERA: frozenset({80, 8080, 554})})
    ctx = context(transport, budget=HostBudget(max_connections=1, max_requests=2))
    found = await banner.run_host(ctx, HostInfo(CAMERA, ports=(80, 554, 8080)))
    assert ctx.budget.used(CAMERA) <= 2
    assert len(sent(transport, "tcp")) <= 2
    assert ("http.server", "App-webs/") in {(e.key, e.value) for e in found}


async def test_a_refused_port_costs_only_that_port() -> None:
    transport = ReplayTransport(tcp=_web, open_ports={CAMERA: frozenset({554})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80, 554)))
    assert ("rtsp.server", "Dahua Rtsp Server") in {(e.key, e.value) for e in found}


async def test_ftp_and_telnet_greetings_are_read_and_nothing_is_sent_to_them() -> None:
    transport = ReplayTransport(
        open_ports={CAMERA: frozenset({21, 23})},
        greetings={
            (CAMERA, 21): b"220 AXIS P1346 Network Camera 5.50 (2014) ready.\r\n",
            (CAMERA, 23): b"\xff\xfd\x18\r\n(none) login: ",
        },
    )
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(21, 23)))
    assert {(e.key, e.value) for e in found} == {
        ("ftp.banner", "AXIS P1346 Network Camera 5.50 (2014) ready."),
        ("telnet.banner", "(none) login:"),
    }
    assert sent(transport, "tcp") == []  # no command, no login: only listened
    assert sent(transport, "greeting") == [(CAMERA, 21), (CAMERA, 23)]


async def test_rtsp_asks_the_usual_stream_paths_when_slash_names_no_realm() -> None:
    def server(ip: str, port: int, request: bytes) -> bytes:
        if request.startswith(b"DESCRIBE rtsp://198.18.0.11:554/Streaming/Channels/101 "):
            return (
                b'RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nWWW-Authenticate: Digest realm="IP Camera'
                b'(C1234)", nonce="x"\r\n\r\n'
            )
        return b"RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n"  # as gst-rtsp-server on "/"

    transport = ReplayTransport(tcp=server, open_ports={CAMERA: frozenset({554})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(554,)))
    paths = [req.split(b" ", 2)[1] for _ip, _port, req in sent(transport, "tcp")]
    assert paths == [
        b"rtsp://198.18.0.11:554/",
        b"rtsp://198.18.0.11:554/",
        b"rtsp://198.18.0.11:554/Streaming/Channels/101",
        b"rtsp://198.18.0.11:554/cam/realmonitor?channel=1&subtype=0",
    ]
    assert ("rtsp.realm", "IP Camera(C1234)") in {(e.key, e.value) for e in found}


async def test_a_server_quoting_our_family_path_back_gives_no_body_evidence() -> None:
    # Express's finalhandler 404: "Cannot GET <the path, HTML-escaped>" for every path
    def express(ip: str, port: int, request: bytes) -> bytes:
        path = request.split(b" ", 2)[1].decode().replace("&", "&amp;")
        page = f"<!DOCTYPE html><html><body><pre>Cannot GET {path}</pre></body></html>"
        return http_reply("404 Not Found", ["X-Powered-By: Express"], page.encode())

    transport = ReplayTransport(tcp=express, open_ports={CAMERA: frozenset({80})})
    found = await banner.run_host(context(transport), HostInfo(CAMERA, ports=(80,)))
    bodies = [e.value for e in found if e.key == "http.body"]
    assert bodies  # the page at / is read
    assert not any("/axis-cgi/" in body or "/stw-cgi/" in body for body in bodies)
    assert identify(found).maker is None
