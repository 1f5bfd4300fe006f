"""Banners of one live host: HTTP(S) GET / (plus one same-host redirect), TLS certificate,
RTSP OPTIONS + DESCRIBE. Each request holds the host's budget and has a total deadline.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from typing import Final

from camcensus.base.errors import MalformedReplyError, RequestBudgetExceededError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import http, rtsp, tls
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import HostInfo, ProbeContext

__all__ = ["HTTPS_PORTS", "HTTP_PORTS", "NAME", "RTSP_PORTS", "run_host"]

NAME: Final[str] = "banner"
HTTP_PORTS: Final = (80, 81, 8080, 8081, 88, 8888, 5000)
HTTPS_PORTS: Final = (443, 8443)
RTSP_PORTS: Final = (554, 8554)
MAX_PORTS_EACH: Final = 2
"""At most this many HTTP and this many HTTPS ports a host (the request budget is small)."""


def _redirect_path(evidence: list[Evidence], ip: str, port: int, scheme: str) -> str | None:
    """The path of a redirect that stays on the same host and port, else None."""
    for item in evidence:
        if item.key != "http.location":
            continue
        base = f"{scheme}://{ip}:{port}/"
        target = urllib.parse.urlsplit(urllib.parse.urljoin(base, item.value))
        try:
            target_port = target.port or (443 if target.scheme == "https" else 80)
        except ValueError:
            return None
        if target.scheme == scheme and target.hostname == ip and target_port == port:
            path = target.path or "/"
            return path + (f"?{target.query}" if target.query else "")
    return None


async def _http(ctx: ProbeContext, ip: str, port: int, *, secure: bool) -> list[Evidence]:
    scheme, source = ("https", "https") if secure else ("http", "http")
    found: list[Evidence] = []
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
        path = _redirect_path(items, ip, port, scheme) if _hop == 0 else None
    return found


async def _rtsp(ctx: ProbeContext, ip: str, port: int) -> list[Evidence]:
    url = f"rtsp://{ip}:{port}/"
    requests = [rtsp.build_options(url, 1), rtsp.build_describe(url, 2)]
    reply = await _io.exchange(ctx, ip, port, requests, body_until_close=False)
    found: list[Evidence] = []
    for message in reply.messages:
        try:
            found.extend(rtsp.parse_rtsp(message, ip))
        except MalformedReplyError:
            continue
    return found


async def run_host(ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
    """Banners from every web and RTSP port the sweep found open on ``host``."""
    jobs = [(_http, p, False) for p in host.ports if p in HTTP_PORTS][:MAX_PORTS_EACH]
    jobs += [(_http, p, True) for p in host.ports if p in HTTPS_PORTS][:MAX_PORTS_EACH]
    found: list[Evidence] = []
    for fetch, port, secure in jobs:
        try:
            found.extend(await fetch(ctx, host.ip, port, secure=secure))
        except (OSError, RequestBudgetExceededError):
            continue
    for port in [p for p in host.ports if p in RTSP_PORTS][:1]:
        try:
            found.extend(await _rtsp(ctx, host.ip, port))
        except (OSError, RequestBudgetExceededError):
            continue
    return list(dict.fromkeys(found))
