"""Probes turn hostile replies into silence or CamcensusError, never another exception.

No network: the probes run over a ReplayTransport serving the replies below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv4Interface
from typing import Any

import nmap
import pytest

from camcensus.base.errors import CamcensusError
from camcensus.base.evidence import Evidence
from camcensus.scanner.probes import onvif as onvif_probe
from camcensus.scanner.probes import ports, ssdp
from camcensus.scanner.probes.context import HostInfo, Interface, ProbeContext
from camcensus.scanner.probes.transport import NetworkTransport, ReplayTransport, Transport

IP = "198.18.0.11"
SOAP = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
    ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>{}</s:Body></s:Envelope>'
)
DEVICE_INFO = SOAP.format(
    "<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer>"
    "<tds:Model>C1</tds:Model></tds:GetDeviceInformationResponse>"
)


IFACE = Interface("test0", IPv4Interface("198.18.0.1/24"))


def _ctx(
    transport: Transport | None = None,
    clock: Callable[[], datetime] | None = None,
    timeout_s: float = 2.0,
) -> ProbeContext:
    return ProbeContext(
        interface=IFACE,
        hosts=(IPv4Address(IP),),
        transport=transport or ReplayTransport(),
        link_local=True,
        timeout_s=timeout_s,
        clock=clock or (lambda: datetime(2024, 1, 1, tzinfo=UTC)),
    )


def _http(body: str, content_type: str = "application/soap+xml; charset=utf-8") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body.encode()


def _time_reply(year: int) -> str:
    return SOAP.format(
        "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><UTCDateTime>"
        "<Time><Hour>23</Hour><Minute>59</Minute><Second>59</Second></Time>"
        f"<Date><Year>{year}</Year><Month>12</Month><Day>31</Day></Date>"
        "</UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
    )


def _onvif_device(year: int) -> ReplayTransport:
    def answer(ip: str, port: int, request: bytes) -> bytes | None:
        if b"GetSystemDateAndTime" in request:
            return _http(_time_reply(year))
        if b"GetDeviceInformation" in request:
            return _http(DEVICE_INFO)
        return None

    return ReplayTransport(tcp=answer, open_ports={IP: frozenset({80})})


def _requests(transport: ReplayTransport) -> list[object]:
    return [what for kind, what in transport.sent if kind == "tcp"]


def _ticking_clock() -> Callable[[], datetime]:
    now = [datetime(2024, 1, 1, tzinfo=UTC)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return clock


@pytest.mark.parametrize("year", [9999, 1])
async def test_onvif_absurd_device_clock_is_ignored_not_a_crash(year: int) -> None:
    device = _onvif_device(year)
    host = HostInfo(IP, ports=(80,))
    found = await onvif_probe.run_host(_ctx(device, _ticking_clock()), host)
    keys = {e.key: e.value for e in found}
    assert "onvif.clock_skew_s" not in keys  # nonsense clock: no skew evidence
    assert keys["onvif.manufacturer"] == "Acme"  # the scan of this host goes on
    assert len(_requests(device)) >= 2


async def test_onvif_plausible_skew_is_still_reported() -> None:
    found = await onvif_probe.run_host(_ctx(_onvif_device(2023)), HostInfo(IP, ports=(80,)))
    skew = [e.value for e in found if e.key == "onvif.clock_skew_s"]
    assert skew == [str(-1)]  # 2023-12-31T23:59:59 against 2024-01-01T00:00:00


def _xaddrs_host(xaddrs: str) -> HostInfo:
    return HostInfo(IP, evidence=(Evidence("wsd.xaddrs", xaddrs, "wsd", IP),))


@pytest.mark.parametrize("path", ["/onvif/device\x01service", "/onvif/\x7f", "/a\x00b", "/x\x1bb"])
def test_onvif_service_urls_skip_unsafe_paths(path: str) -> None:
    assert onvif_probe.service_urls(_xaddrs_host(f"http://{IP}{path}")) == []
    good = f"http://{IP}{path} http://{IP}:8080/onvif/device_service"
    assert onvif_probe.service_urls(_xaddrs_host(good)) == [("http", 8080, "/onvif/device_service")]


async def test_onvif_run_host_with_control_char_xaddrs_does_not_raise() -> None:
    device = _onvif_device(2024)
    assert await onvif_probe.run_host(_ctx(device), _xaddrs_host(f"http://{IP}/on\x01vif")) == []
    assert device.sent == []


class _FailingScanner:
    error: Exception = nmap.PortScannerError("nmap: bad interface")
    timeout: object = None

    def scan(self, **kwargs: Any) -> dict[str, Any]:
        type(self).timeout = kwargs["timeout"]
        raise self.error


@pytest.mark.parametrize(
    "error",
    [nmap.PortScannerError("Failed to open device test0"), nmap.PortScannerTimeout("Timeout")],
)
async def test_nmap_errors_become_camcensus_errors_at_the_transport(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    monkeypatch.setattr(_FailingScanner, "error", error)
    monkeypatch.setattr(_FailingScanner, "timeout", None)
    monkeypatch.setattr(nmap, "PortScanner", _FailingScanner)
    transport = NetworkTransport(IFACE, is_root=False)
    monkeypatch.setattr(transport, "has_nmap", lambda: True)
    with pytest.raises(CamcensusError) as caught:
        await ports.run(_ctx(transport))
    assert caught.value.__cause__ is error
    assert _FailingScanner.timeout == ports.nmap_timeout_s(2.0)


@pytest.mark.parametrize("timeout_s", [0.1, 1.0, 2.0, 5.0, 60.0])
def test_nmap_timeout_fires_before_the_sweep_deadline(timeout_s: float) -> None:
    deadline_s = max(30.0, timeout_s * 15)  # scanner.runner: the sweep's deadline
    assert ports.sweep_deadline_s(timeout_s) == deadline_s
    nmap_s = ports.nmap_timeout_s(timeout_s)
    assert isinstance(nmap_s, int)
    assert timeout_s * 10 <= nmap_s <= deadline_s - ports.NMAP_MARGIN_S


def _ssdp_device(description: bytes) -> ReplayTransport:
    reply = (
        "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
        f"LOCATION: http://{IP}:49152/desc.xml\r\nSERVER: Linux UPnP/1.0 cam/1.0\r\n\r\n"
    ).encode()
    return ReplayTransport(
        udp=lambda payload, destination: [(reply, IP)],
        tcp=lambda ip, port, request: description,
        open_ports={IP: frozenset({49152})},
    )


@pytest.mark.parametrize(
    "description",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=hex\r\n\r\n<root/>",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=idna\r\n\r\n<root>\xff</root>",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
        b'<?xml version="1.0" encoding="rot13"?><root/>',
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
        b'<?xml version="1.0" encoding="utf-32"?><root/>',
    ],
)
async def test_ssdp_hostile_description_costs_only_the_description(description: bytes) -> None:
    found = await ssdp.run(_ctx(_ssdp_device(description)))
    assert ("ssdp.server", "Linux UPnP/1.0 cam/1.0") in {(e.key, e.value) for e in found}
