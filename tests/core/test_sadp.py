from __future__ import annotations

from collections.abc import Callable

import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import sadp

ADDRESS = "198.18.0.11"


def test_build_inquiry_upper_cases_uuid() -> None:
    packet = sadp.build_inquiry("9f3a2b1c-4d5e-4f60-8a7b-1c2d3e4f5a6b")
    assert packet == (
        b'<?xml version="1.0" encoding="utf-8"?><Probe>'
        b"<Uuid>9F3A2B1C-4D5E-4F60-8A7B-1C2D3E4F5A6B</Uuid><Types>inquiry</Types></Probe>"
    )


def test_build_inquiry_rejects_non_uuid() -> None:
    with pytest.raises(ValueError, match="UUID"):
        sadp.build_inquiry("</Uuid><x>")


def test_parse_reply_fields(capture: Callable[[str], bytes]) -> None:
    found = sadp.parse_reply(capture("sadp_probematch.xml"), ADDRESS)
    values = {e.key: e.value for e in found}
    assert values == {
        "sadp.device_type": "138",
        "sadp.model": "DS-2CD2143G2-I",
        "sadp.serial": "DS-2CD2143G2-I20230101AAWRJ00001",
        "sadp.firmware": "V5.7.3build 220112",
        "sadp.dsp_version": "V7.3 build 220112",
        "sadp.oem_code": "1",
        "sadp.digital_channels": "1",
        "sadp.analog_channels": "0",
        "sadp.mac": "bc:ad:28:0a:0b:0c",
        "mac": "bc:ad:28:0a:0b:0c",
        "ip": "198.18.0.11",
    }  # empty OEMInfo is skipped
    assert all(e.source == "sadp" and e.address == ADDRESS for e in found)


def test_own_probe_echo_is_ignored() -> None:
    assert sadp.parse_reply(sadp.build_inquiry("9f3a2b1c-4d5e-4f60-8a7b-1c2d3e4f5a6b"), "x") == []


def test_bad_mac_and_ip_drop_only_those_fields() -> None:
    reply = (
        b"<ProbeMatch><DeviceDescription>DS-7608NI-K2</DeviceDescription>"
        b"<MAC>not-a-mac</MAC><IPv4Address>999.1.1.1</IPv4Address></ProbeMatch>"
    )
    assert sadp.parse_reply(reply, ADDRESS) == [
        Evidence("sadp.model", "DS-7608NI-K2", "sadp", ADDRESS)
    ]


@pytest.mark.parametrize("data", [b"<ProbeMatch><MAC>", b"\xff\xfe\x00garbage", b"<Other/>", b""])
def test_garbage_raises_malformed(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        sadp.parse_reply(data, ADDRESS)


def test_entity_bomb_and_xxe_refused(billion_laughs: bytes, external_entity: bytes) -> None:
    for data in (billion_laughs, external_entity):
        with pytest.raises(MalformedReplyError, match="forbidden"):
            sadp.parse_reply(data, ADDRESS)


def test_oversized_datagram_refused() -> None:
    data = b"<ProbeMatch><DeviceSN>" + b"A" * 10_000_000 + b"</DeviceSN></ProbeMatch>"
    with pytest.raises(ReplyTooLargeError):
        sadp.parse_reply(data, ADDRESS)


def test_long_value_is_capped() -> None:
    data = b"<ProbeMatch><DeviceSN>" + b"A" * 5000 + b"</DeviceSN></ProbeMatch>"
    (serial,) = sadp.parse_reply(data, ADDRESS)
    assert serial.value == "A" * 256
