"""Probes turn hostile replies into silence or CamcensusError, never another exception.

No network: the probes' stream/datagram exchanges are replaced by in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv4Interface
from typing import Any

import nmap
import pytest

from camcensus.base.errors import CamcensusError
from camcensus.base.evidence import Evidence
from camcensus.scanner.probes import _stream, ports, ssdp
from camcensus.scanner.probes import onvif as onvif_probe
from camcensus.scanner.probes.context import HostInfo, Interface, ProbeContext

IP = "198.18.0.11"
SOAP = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
    ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>{}</s:Body></s:Envelope>'
)
DEVICE_INFO = SOAP.format(
    "<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer>"
    "<tds:Model>C1</tds:Model></tds:GetDeviceInformationResponse>"
)


def _ctx(clock: Callable[[], datetime] | None = None, timeout_s: float = 2.0) -> ProbeContext:
    return ProbeContext(
        interface=Interface("test0", IPv4Interface("198.18.0.1/24")),
        hosts=(IPv4Address(IP),),
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


def _fake_onvif_device(monkeypatch: pytest.MonkeyPatch, year: int, sent: list[bytes]) -> None:
    async def exchange(
        ctx: ProbeContext, ip: str, port: int, requests: Sequence[bytes], **_: Any
    ) -> _stream.Reply:
        sent.extend(requests)
        if b"GetSystemDateAndTime" in requests[0]:
            return _stream.Reply((_http(_time_reply(year)),))
        if b"GetDeviceInformation" in requests[0]:
            return _stream.Reply((_http(DEVICE_INFO),))
        return _stream.Reply(())

    monkeypatch.setattr(_stream, "exchange", exchange)


def _ticking_clock() -> Callable[[], datetime]:
    now = [datetime(2024, 1, 1, tzinfo=UTC)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return clock


@pytest.mark.parametrize("year", [9999, 1])
async def test_onvif_absurd_device_clock_is_ignored_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, year: int
) -> None:
    sent: list[bytes] = []
    _fake_onvif_device(monkeypatch, year, sent)
    host = HostInfo(IP, ports=(80,))
    found = await onvif_probe.run_host(_ctx(_ticking_clock()), host)
    keys = {e.key: e.value for e in found}
    assert "onvif.clock_skew_s" not in keys  # nonsense clock: no skew evidence
    assert keys["onvif.manufacturer"] == "Acme"  # the scan of this host goes on
    assert len(sent) >= 2


async def test_onvif_plausible_skew_is_still_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[bytes] = []
    _fake_onvif_device(monkeypatch, 2023, sent)
    found = await onvif_probe.run_host(_ctx(), HostInfo(IP, ports=(80,)))
    skew = [e.value for e in found if e.key == "onvif.clock_skew_s"]
    assert skew == [str(-1)]  # 2023-12-31T23:59:59 against 2024-01-01T00:00:00


def _xaddrs_host(xaddrs: str) -> HostInfo:
    return HostInfo(IP, evidence=(Evidence("wsd.xaddrs", xaddrs, "wsd", IP),))


@pytest.mark.parametrize("path", ["/onvif/device\x01service", "/onvif/\x7f", "/a\x00b", "/x\x1bb"])
def test_onvif_service_urls_skip_unsafe_paths(path: str) -> None:
    assert onvif_probe.service_urls(_xaddrs_host(f"http://{IP}{path}")) == []
    good = f"http://{IP}{path} http://{IP}:8080/onvif/device_service"
    assert onvif_probe.service_urls(_xaddrs_host(good)) == [("http", 8080, "/onvif/device_service")]


async def test_onvif_run_host_with_control_char_xaddrs_does_not_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[bytes] = []
    _fake_onvif_device(monkeypatch, 2024, sent)
    assert await onvif_probe.run_host(_ctx(), _xaddrs_host(f"http://{IP}/on\x01vif")) == []
    assert sent == []


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
async def test_nmap_errors_become_scanner_errors(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    monkeypatch.setattr(_FailingScanner, "error", error)
    monkeypatch.setattr(_FailingScanner, "timeout", None)
    monkeypatch.setattr(nmap, "PortScanner", _FailingScanner)
    monkeypatch.setattr(ports.shutil, "which", lambda _name: "/usr/bin/nmap")
    with pytest.raises(CamcensusError) as caught:
        await ports.run(_ctx())
    assert caught.value.__cause__ is error
    assert _FailingScanner.timeout == ports.nmap_timeout_s(2.0)


@pytest.mark.parametrize("timeout_s", [0.1, 1.0, 2.0, 5.0, 60.0])
def test_nmap_timeout_fires_before_the_sweep_deadline(timeout_s: float) -> None:
    deadline_s = max(30.0, timeout_s * 15)  # scanner.runner: the sweep's deadline
    assert ports.sweep_deadline_s(timeout_s) == deadline_s
    nmap_s = ports.nmap_timeout_s(timeout_s)
    assert isinstance(nmap_s, int)
    assert timeout_s * 10 <= nmap_s <= deadline_s - ports.NMAP_MARGIN_S


def _fake_ssdp(monkeypatch: pytest.MonkeyPatch, description: bytes) -> None:
    async def udp_exchange(ctx: ProbeContext, *_: Any, **__: Any) -> list[tuple[bytes, str]]:
        reply = (
            "HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
            f"LOCATION: http://{IP}:49152/desc.xml\r\nSERVER: Linux UPnP/1.0 cam/1.0\r\n\r\n"
        ).encode()
        return [(reply, IP)]

    async def stream_exchange(
        ctx: ProbeContext, ip: str, port: int, requests: Sequence[bytes], **_: Any
    ) -> _stream.Reply:
        return _stream.Reply((description,))

    monkeypatch.setattr(ssdp, "exchange", udp_exchange)
    monkeypatch.setattr(_stream, "exchange", stream_exchange)


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
async def test_ssdp_hostile_description_costs_only_the_description(
    monkeypatch: pytest.MonkeyPatch, description: bytes
) -> None:
    _fake_ssdp(monkeypatch, description)
    found = await ssdp.run(_ctx())
    assert ("ssdp.server", "Linux UPnP/1.0 cam/1.0") in {(e.key, e.value) for e in found}
