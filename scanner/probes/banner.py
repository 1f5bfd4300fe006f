"""Banners of one live host: HTTP(S) GET / (plus one same-host redirect), of each
maker family's device-information path and of the web UI's icon, TLS certificate,
RTSP OPTIONS + DESCRIBE, and what FTP and telnet servers say on connect (nothing is
sent to them: no login is tried, no request carries credentials). Each request holds the
host's budget and has a total deadline.
"""

from __future__ import annotations

import contextlib
from typing import Final, NamedTuple

from camcensus.base.errors import MalformedReplyError, RequestBudgetExceededError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import favicon, ftp, http, isapi, rtsp, telnet, tls
from camcensus.scanner.core.url import same_origin_path
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import HostInfo, ProbeContext

__all__ = [
    "API_PATHS",
    "GREETING_PORTS",
    "HTTPS_PORTS",
    "HTTP_PORTS",
    "NAME",
    "RTSP_PORTS",
    "STREAM_PATHS",
    "run_host",
]

NAME: Final[str] = "banner"
HTTP_PORTS: Final = (80, 81, 8080, 8081, 88, 8888, 5000)
HTTPS_PORTS: Final = (443, 8443)
RTSP_PORTS: Final = (554, 8554)
STREAM_PATHS: Final = ("/Streaming/Channels/101", "/cam/realmonitor?channel=1&subtype=0")
"""The main-stream paths of Hikvision (ISAPI streaming: channel 1, stream 01) and Dahua
(its HTTP API's RTSP URL format): their DESCRIBE asks for credentials, with the realm."""
API_PATHS: Final = (
    "/ISAPI/System/deviceInfo",
    "/cgi-bin/magicBox.cgi?action=getDeviceType",
    "/axis-cgi/param.cgi?action=list&group=root.Brand",
    "/stw-cgi/system.cgi?msubmenu=deviceinfo&action=view",
    "/LAPI/V1.0/System/DeviceInfo",
)
"""The read-only device-information path of each maker family's HTTP API: Hikvision
ISAPI, Dahua CGI (also Amcrest, Lorex), Axis VAPIX, Hanwha SUNAPI, Uniview LAPI. Asked
without credentials, most answer 401, and the realm, headers and error body of that
answer are the family's own; some answer the document itself. One GET each, on the
host's first web port only."""
GREETING_PORTS: Final = (21, 23)
"""FTP and telnet: servers that introduce themselves on connect."""
MAX_PORTS_EACH: Final = 2
"""At most this many HTTP and this many HTTPS ports a host (the request budget is small)."""


def _redirect_path(evidence: list[Evidence], ip: str, port: int, scheme: str) -> str | None:
    """The path of a redirect that stays on the same host and port, else None."""
    for item in evidence:
        if item.key != "http.location":
            continue
        path = same_origin_path(item.value, f"{scheme}://{ip}:{port}/")
        if path is not None:
            return path
    return None


class _Page(NamedTuple):
    """What GET / (and its redirect) gave, and where the page says its icon is."""

    evidence: list[Evidence]
    icon_path: str


async def _http(ctx: ProbeContext, ip: str, port: int, *, secure: bool) -> _Page:
    scheme, source = ("https", "https") if secure else ("http", "http")
    found: list[Evidence] = []
    icon: str | None = None
    path: str | None = "/"
    for _hop in range(2):  # GET / and at most one redirect
        if path is None:
            break
        try:
            request = http.build_request(ip if port in (80, 443) else f"{ip}:{port}", path)
        except ValueError:  # a redirect to a path with control characters: not followed
            break
        reply = await _io.exchange(ctx, ip, port, [request], tls=secure)
        if secure and reply.certificate_der and not any(e.key == "tls.subject" for e in found):
            with contextlib.suppress(MalformedReplyError):
                found.extend(tls.parse_certificate(reply.certificate_der, ip))
        if not reply.messages:
            break
        try:
            items = http.parse_http(reply.messages[0], ip, source)
        except MalformedReplyError:
            break
        found.extend(items)
        href = next((e.value for e in items if e.key == "http.icon"), None)
        if icon is None and href is not None:
            icon = favicon.icon_path(href, f"{scheme}://{ip}:{port}{path}") or ""
        if icon is None and any(e.key == favicon.KEY for e in items):
            icon = ""  # the page holds its icon inline: hashed already
        path = _redirect_path(items, ip, port, scheme) if _hop == 0 else None
    # no icon link: where browsers look; an icon elsewhere or inline: nothing to GET
    return _Page(found, favicon.DEFAULT_PATH if icon is None else icon)


_BODY_KEYS: Final = ("http.body", "http.field", "http.title")
"""Evidence read from a reply's body (``http.field_names`` and ``http.field.*`` too)."""


async def _api(
    ctx: ProbeContext, ip: str, port: int, *, secure: bool, icon_path: str
) -> list[Evidence]:
    """GET each family's device-information path once (an ISAPI document also gives its
    ``isapi.*`` fields), then the web UI's icon (``http.favicon.md5``) unless ``icon_path``
    is empty (an icon elsewhere or inline) or one of those paths (asked already: a page
    cannot turn a family path's reply into an icon's, nor have it asked twice)."""
    source = "https" if secure else "http"
    host = ip if port in (80, 443) else f"{ip}:{port}"
    found: list[Evidence] = []
    asks = [(path, False) for path in API_PATHS]
    if icon_path and icon_path not in API_PATHS:
        asks.append((icon_path, True))
    for path, is_icon in asks:
        try:
            request = http.build_request(host, path)
        except ValueError:  # an icon path with blanks or control characters: not asked
            continue
        try:
            reply = await _io.exchange(ctx, ip, port, [request], tls=secure)
        except RequestBudgetExceededError:
            break  # what was read so far stays
        except OSError:
            continue
        if not reply.messages:
            continue
        if is_icon:
            with contextlib.suppress(MalformedReplyError):  # no icon there: nothing to hash
                found.extend(http.parse_icon_reply(reply.messages[0], ip, source))
            continue
        try:
            answer = http.parse_http(reply.messages[0], ip, source)
            head = http.parse_message_head(reply.messages[0])
        except MalformedReplyError:
            continue
        body = http.decode_body(head.headers, head.body)
        if http.echoes_request(body, path):  # a page quoting our request: not the family's
            answer = [e for e in answer if not e.key.startswith(_BODY_KEYS)]
        found.extend(answer)
        if path.startswith("/ISAPI/") and body.lstrip().startswith("<"):
            with contextlib.suppress(MalformedReplyError):
                found.extend(isapi.parse_document(body.encode("utf-8"), ip))
    return found


async def _rtsp_exchange(
    ctx: ProbeContext, ip: str, requests: list[bytes], port: int
) -> list[Evidence]:
    reply = await _io.exchange(ctx, ip, port, requests, body_until_close=False)
    found: list[Evidence] = []
    for message in reply.messages:
        try:
            found.extend(rtsp.parse_rtsp(message, ip))
        except MalformedReplyError:
            continue
    return found


async def _rtsp(ctx: ProbeContext, ip: str, port: int) -> list[Evidence]:
    """OPTIONS and DESCRIBE of ``/``; when that names no realm (many servers answer 404
    on ``/`` and ask for credentials only on a real stream), DESCRIBE the stream paths
    of the makers whose cameras are most common, on a second connection (the stream
    URLs those answers name are dropped: they echo the path we asked)."""
    base = f"rtsp://{ip}:{port}"
    found = await _rtsp_exchange(
        ctx, ip, [rtsp.build_options(f"{base}/", 1), rtsp.build_describe(f"{base}/", 2)], port
    )
    if not any(e.key == "rtsp.realm" for e in found):
        describes = [rtsp.build_describe(base + path, 3 + n) for n, path in enumerate(STREAM_PATHS)]
        # the stream URLs those replies name (Content-Base, a=control) are our own
        # maker-specific request written back, not the device's scheme
        echoed = await _rtsp_exchange(ctx, ip, describes, port)
        found.extend(e for e in echoed if e.key != "rtsp.content_base")
    return found


async def _greeting(ctx: ProbeContext, ip: str, port: int) -> list[Evidence]:
    data = await _io.greeting(ctx, ip, port, max_bytes=ftp.MAX_BANNER_BYTES)
    parse = ftp.parse_banner if port == ftp.PORT else telnet.parse_banner
    try:
        return parse(data, ip) if data else []
    except MalformedReplyError:
        return []


async def run_host(ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
    """Banners from every web, RTSP, FTP and telnet port the sweep found open on ``host``."""
    jobs = [(p, False) for p in host.ports if p in HTTP_PORTS][:MAX_PORTS_EACH]
    jobs += [(p, True) for p in host.ports if p in HTTPS_PORTS][:MAX_PORTS_EACH]
    found: list[Evidence] = []
    icons: dict[int, str] = {}
    for port, secure in jobs:
        try:
            page = await _http(ctx, host.ip, port, secure=secure)
        except (OSError, RequestBudgetExceededError):
            continue
        found.extend(page.evidence)
        icons[port] = page.icon_path
    for port in [p for p in host.ports if p in RTSP_PORTS][:1]:
        try:
            found.extend(await _rtsp(ctx, host.ip, port))
        except (OSError, RequestBudgetExceededError):
            continue
    for port in [p for p in host.ports if p in GREETING_PORTS]:
        try:
            found.extend(await _greeting(ctx, host.ip, port))
        except (OSError, RequestBudgetExceededError):
            continue
    # last, so that a host with many ports spends its budget on the banners above first
    web = [(p, False) for p in host.ports if p in HTTP_PORTS]
    web += [(p, True) for p in host.ports if p in HTTPS_PORTS]
    for port, secure in web[:1]:
        icon = icons.get(port, favicon.DEFAULT_PATH)
        found.extend(await _api(ctx, host.ip, port, secure=secure, icon_path=icon))
    return list(dict.fromkeys(found))
