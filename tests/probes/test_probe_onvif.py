"""The ONVIF device service over a replay transport: what is asked, with which login, when.

The camera below answers GetSystemDateAndTime to anyone and the rest only with a
WS-UsernameToken whose password digest checks out, like a real Hikvision with its
default "Digest/WSSE" setting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from replay import CAMERA, capture, context, http_reply, sent

from camcensus.base.evidence import Evidence
from camcensus.scanner.probes import onvif
from camcensus.scanner.probes.context import Credentials, HostInfo
from camcensus.scanner.probes.transport import ReplayTransport

CLOCK = datetime(2024, 3, 1, 6, 30, 10, tzinfo=UTC)  # the device is 5 s ahead
SOAP = "Content-Type: application/soap+xml; charset=utf-8"
_ENVELOPE = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{}</s:Body></s:Envelope>'
)
SCOPES = _ENVELOPE.format(
    "<tds:GetScopesResponse><tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef>"
    "<tt:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2143G2-I</tt:ScopeItem>"
    "</tds:Scopes></tds:GetScopesResponse>"
).encode()
CAPABILITIES = _ENVELOPE.format(
    "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device>"
    "<tt:XAddr>http://198.18.0.11/onvif/device_service</tt:XAddr></tt:Device>"
    "</tds:Capabilities></tds:GetCapabilitiesResponse>"
).encode()


def _camera(password: str) -> ReplayTransport:
    def answer(ip: str, port: int, request: bytes) -> bytes:
        if b"GetSystemDateAndTime" in request:
            return http_reply("200 OK", [SOAP], capture("onvif_system_date_and_time.xml"))
        if b"GetCapabilities" in request:  # answered before authentication
            return http_reply("200 OK", [SOAP], CAPABILITIES)
        if b"<wsse:Password" not in request:
            return http_reply("400 Bad Request", [SOAP], capture("onvif_fault_not_authorized.xml"))
        if password.encode() == b"wrong":
            return http_reply("401 Unauthorized", ['WWW-Authenticate: Digest realm="x"'])
        if b"GetDeviceInformation" in request:
            return http_reply("200 OK", [SOAP], capture("onvif_device_information.xml"))
        if b"GetScopes" in request:
            return http_reply("200 OK", [SOAP], SCOPES)
        return http_reply("200 OK", [SOAP], capture("onvif_network_interfaces.xml"))

    return ReplayTransport(tcp=answer, open_ports={CAMERA: frozenset({80})})


def _operations(transport: ReplayTransport) -> list[tuple[str, bool]]:
    ops = []
    for _ip, _port, request in sent(transport, "tcp"):
        name = next(
            op
            for op in (
                "GetSystemDateAndTime",
                "GetDeviceInformation",
                "GetScopes",
                "GetCapabilities",
                "GetNetworkInterfaces",
            )
            if op.encode() in request
        )
        ops.append((name, b"<wsse:UsernameToken" in request))
    return ops


async def test_without_credentials_the_camera_says_login_required_and_nothing_more() -> None:
    transport = _camera("secret")
    found = await onvif.run_host(context(transport, clock=lambda: CLOCK), HostInfo(CAMERA, (80,)))
    assert _operations(transport) == [
        ("GetSystemDateAndTime", False),
        ("GetDeviceInformation", False),
        ("GetScopes", False),
        ("GetCapabilities", False),
        ("GetNetworkInterfaces", False),
    ]
    values = {(e.key, e.value) for e in found}
    assert ("onvif.auth", "required") in values
    assert ("onvif.xaddr", "http://198.18.0.11/onvif/device_service") in values
    assert ("onvif.clock_skew_s", "5") in values
    assert not any(e.key == "onvif.model" for e in found)


async def test_with_credentials_each_operation_is_asked_once_more_signed() -> None:
    transport = _camera("secret")
    ctx = context(transport, clock=lambda: CLOCK, credentials=Credentials("admin", "secret"))
    found = await onvif.run_host(ctx, HostInfo(CAMERA, (80,)))
    assert _operations(transport) == [
        ("GetSystemDateAndTime", False),
        ("GetDeviceInformation", False),
        ("GetDeviceInformation", True),
        ("GetScopes", False),
        ("GetScopes", True),
        ("GetCapabilities", False),  # pre-auth: never sent with the credentials
        ("GetNetworkInterfaces", False),
        ("GetNetworkInterfaces", True),
    ]
    values = {(e.key, e.value) for e in found}
    assert ("onvif.model", "DS-2CD2143G2-I") in values
    assert ("onvif.scope.hardware", "DS-2CD2143G2-I") in values
    assert ("onvif.mac", "bc:ad:28:0a:0b:0c") in values
    assert ("onvif.auth", "ok") in values
    # the token is stamped with the device's clock, not ours (skew tolerated)
    signed = [r for _ip, _p, r in sent(transport, "tcp") if b"UsernameToken" in r]
    assert all(b"2024-03-01T06:30:" in r for r in signed)
    assert all(b"secret" not in r for r in signed)  # a digest, never the password itself


async def test_a_rejected_login_is_never_tried_again() -> None:
    transport = _camera("wrong")
    ctx = context(transport, clock=lambda: CLOCK, credentials=Credentials("admin", "wrong"))
    found = await onvif.run_host(ctx, HostInfo(CAMERA, (80,)))
    signed = [op for op, with_token in _operations(transport) if with_token]
    assert signed == ["GetDeviceInformation"]  # one login attempt, then stop
    assert ("onvif.auth", "failed") in {(e.key, e.value) for e in found}


async def test_the_xaddrs_from_ws_discovery_choose_the_service_url() -> None:
    transport = ReplayTransport(
        tcp=lambda ip, port, request: http_reply(
            "200 OK", [SOAP], capture("onvif_system_date_and_time.xml")
        ),
        open_ports={CAMERA: frozenset({8899})},
    )
    xaddrs = Evidence("wsd.xaddrs", f"http://{CAMERA}:8899/onvif/device_service", "wsd", CAMERA)
    await onvif.run_host(context(transport), HostInfo(CAMERA, (80,), (xaddrs,)))
    ((ip, port, request), *_) = sent(transport, "tcp")
    assert (ip, port) == (CAMERA, 8899)
    assert request.startswith(b"POST /onvif/device_service HTTP/1.1\r\n")


async def test_no_device_service_means_no_request() -> None:
    transport = _camera("secret")
    assert await onvif.run_host(context(transport), HostInfo(CAMERA, ports=(554,))) == []
    assert transport.sent == []


async def test_the_vendor_namespaces_of_the_clock_answer_are_evidence() -> None:
    """GetSystemDateAndTime, answered to anyone, already names the SOAP stack by the
    namespaces its envelope declares (Hikvision's event topics here)."""
    hikvision = b'xmlns:tnshik="http://www.hikvision.com/2011/event/topics" xmlns:ter='
    clock = capture("onvif_system_date_and_time.xml").replace(b"xmlns:ter=", hikvision, 1)
    camera = _camera("secret")

    def answer(ip: str, port: int, request: bytes) -> bytes:
        if b"GetSystemDateAndTime" in request:
            return http_reply("200 OK", [SOAP], clock)
        return camera.tcp(ip, port, request)

    transport = ReplayTransport(tcp=answer, open_ports={CAMERA: frozenset({80})})
    found = await onvif.run_host(context(transport, clock=lambda: CLOCK), HostInfo(CAMERA, (80,)))
    namespaces = [e.value for e in found if e.key == "onvif.namespace"]
    assert namespaces == ["http://www.hikvision.com/2011/event/topics"]
