from __future__ import annotations

from collections.abc import Callable

import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import ssdp

ADDRESS = "198.18.0.11"


def test_build_msearch() -> None:
    assert ssdp.build_msearch() == (
        b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
        b'MAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n'
    )
    assert b"MX: 3\r\nST: upnp:rootdevice\r\n" in ssdp.build_msearch("upnp:rootdevice", 3)


@pytest.mark.parametrize(
    ("st", "mx_s", "message"),
    [
        ("ssdp:all\r\nX: y", 1, "unsafe"),
        ("", 1, "unsafe"),
        ("ssdp:all", 0, "MX"),
        ("ssdp:all", 6, "MX"),
    ],
)
def test_build_msearch_rejects_bad_input(st: str, mx_s: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ssdp.build_msearch(st, mx_s)


def test_parse_response(capture: Callable[[str], bytes]) -> None:
    found, location = ssdp.parse_response(capture("ssdp_response.txt"), ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        ("ssdp.server", "Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"),
        ("ssdp.usn", "uuid:5a1f0e2c-7b3d-11ee-8000-bcad280a0b0c::upnp:rootdevice"),
        ("ssdp.usn_mac", "bc:ad:28:0a:0b:0c"),  # the node of its version-1 UUID
    ]
    assert location == "http://198.18.0.11:49152/upnp/description.xml"


@pytest.mark.parametrize(
    ("usn", "mac"),
    [  # an Axis id in uuid: form ending in its MAC (FantasticFiasco/axis-js Message.mock.ts)
        ("uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::urn:axis-com:service:BasicService:1",
         "ac:cc:8e:27:0a:d8"),
        ("uuid:08a6f3cd-312c-4810-837e-fb2859be05bb::upnp:rootdevice", None),  # random
        ("uuid:device_1::upnp:rootdevice", None),
    ],
)  # fmt: skip
def test_a_usn_made_from_the_mac_gives_it(usn: str, mac: str | None) -> None:
    reply = f"HTTP/1.1 200 OK\r\nUSN: {usn}\r\n\r\n".encode()
    found, _location = ssdp.parse_response(reply, ADDRESS)
    assert [e.value for e in found if e.key == "ssdp.usn_mac"] == ([mac] if mac else [])


def test_notify_counts_and_msearch_echo_does_not() -> None:
    notify = b"NOTIFY * HTTP/1.1\r\nSERVER: x/1\r\nLOCATION: http://198.18.0.11/d.xml\r\n\r\n"
    found, location = ssdp.parse_response(notify, ADDRESS)
    assert [e.value for e in found] == ["x/1"]
    assert location == "http://198.18.0.11/d.xml"
    assert ssdp.parse_response(ssdp.build_msearch(), ADDRESS) == ([], None)


@pytest.mark.parametrize(
    "location",
    [
        "http://203.0.113.5/d.xml",
        "file:///etc/passwd",
        "http://198.18.0.11:99999/d.xml",
        "gopher://198.18.0.11/",
    ],
)
def test_location_elsewhere_is_not_followed(location: str) -> None:
    data = f"HTTP/1.1 200 OK\r\nLOCATION: {location}\r\n\r\n".encode()
    assert ssdp.parse_response(data, ADDRESS) == ([], None)


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", b"HTTP/1.1 404 Not Found\r\n\r\n", b"GARBAGE"])
def test_garbage_raises_malformed(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        ssdp.parse_response(data, ADDRESS)


def test_oversized_datagram_refused() -> None:
    with pytest.raises(ReplyTooLargeError):
        ssdp.parse_response(b"HTTP/1.1 200 OK\r\nSERVER: " + b"x" * 10_000_000, ADDRESS)


def test_parse_description_root_device_only(capture: Callable[[str], bytes]) -> None:
    found = ssdp.parse_description(capture("upnp_description.xml"), ADDRESS)
    assert {e.key: e.value for e in found} == {
        "upnp.manufacturer": "Hikvision",
        "upnp.manufacturer_url": "http://www.hikvision.com",
        "upnp.model_name": "DS-2CD2143G2-I",
        "upnp.model_number": "DS-2CD2143G2-I",
        "upnp.model_description": "Network Camera",
        "upnp.friendly_name": "DS-2CD2143G2-I - 00001",
        "upnp.serial": "DS-2CD2143G2-I20230101AAWRJ00001",
    }
    assert "Embedded Co" not in {e.value for e in found}


def test_parse_description_without_namespace() -> None:
    xml = b"<root><device><manufacturer>Dahua</manufacturer></device></root>"
    assert [(e.key, e.value) for e in ssdp.parse_description(xml, ADDRESS)] == [
        ("upnp.manufacturer", "Dahua")
    ]


@pytest.mark.parametrize("xml", [b"<root/>", b"<html><device/></html>", b"<root><device>"])
def test_parse_description_garbage(xml: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        ssdp.parse_description(xml, ADDRESS)


def test_parse_description_hostile(billion_laughs: bytes, external_entity: bytes) -> None:
    for xml in (billion_laughs, external_entity):
        with pytest.raises(MalformedReplyError):
            ssdp.parse_description(xml, ADDRESS)
    with pytest.raises(ReplyTooLargeError):
        ssdp.parse_description(b"<root>" + b" " * 10_000_000 + b"</root>", ADDRESS)


def test_parse_description_deep_nesting_within_cap_does_not_recurse() -> None:
    depth = 30_000
    xml = (
        b"<root><device><friendlyName>"
        + b"<a>" * depth
        + b"cam"
        + b"</a>" * depth
        + b"</friendlyName></device></root>"
    )
    assert [e.value for e in ssdp.parse_description(xml, ADDRESS)] == ["cam"]


def test_repeated_headers_give_one_evidence() -> None:
    found, _ = ssdp.parse_response(
        b"HTTP/1.1 200 OK\r\n" + b"USN: uuid:1\r\n" * 2000 + b"\r\n", ADDRESS
    )
    assert [(e.key, e.value) for e in found] == [("ssdp.usn", "uuid:1")]


def test_vendor_type_domains_from_usn_and_notify_nt_not_from_an_echoed_st() -> None:
    axis = "urn:axis-com:service:BasicService:1"
    reply = (
        f"HTTP/1.1 200 OK\r\nST: {axis}\r\nUSN: uuid:Upnp-BasicDevice-1_0-ACCC8E270AD8::{axis}"
        "\r\n\r\n"
    ).encode()
    found, _ = ssdp.parse_response(reply, ADDRESS)
    assert [e.value for e in found if e.key == "upnp.type_domain"] == ["axis-com"]  # once
    # a search response's ST echoes the search; the USN says what the device is
    echo = (
        b"HTTP/1.1 200 OK\r\nST: urn:hikvision-com:device:DS-AccessControlDevice:1\r\n"
        b"USN: uuid:1::upnp:rootdevice\r\n\r\n"
    )
    assert not [e for e in ssdp.parse_response(echo, ADDRESS)[0] if e.key == "upnp.type_domain"]
    notify = (
        b"NOTIFY * HTTP/1.1\r\nNT: urn:schemas-sony-com:service:ScalarWebAPI:1\r\n"
        b"USN: uuid:1\r\n\r\n"
    )
    found, _ = ssdp.parse_response(notify, ADDRESS)
    assert [e.value for e in found if e.key == "upnp.type_domain"] == ["schemas-sony-com"]
    standard = (
        b"NOTIFY * HTTP/1.1\r\nNT: urn:schemas-upnp-org:device:Basic:1\r\n"
        b"USN: uuid:1::urn:schemas-upnp-org:device:Basic:1\r\n\r\n"
    )
    found, _ = ssdp.parse_response(standard, ADDRESS)
    assert not [e for e in found if e.key == "upnp.type_domain"]  # the forum's own: no one's


def test_a_header_listing_several_types_is_no_ones() -> None:
    listed = "urn:schemas-huawei-com:device:x:1, urn:www-huawei-com:service:y:1"
    reply = f"HTTP/1.1 200 OK\r\nST: {listed}\r\nUSN: uuid:1::{listed}\r\n\r\n".encode()
    assert not [e for e in ssdp.parse_response(reply, ADDRESS)[0] if e.key == "upnp.type_domain"]


def test_vendor_type_domains_from_the_description_embedded_devices_included() -> None:
    xml = (
        b'<root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
        b"<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>"
        b"<serviceList><service><serviceType>urn:schemas-sony-com:service:ScalarWebAPI:1"
        b"</serviceType></service></serviceList><deviceList><device><deviceType>"
        b"urn:dial-multiscreen-org:device:dial:1</deviceType></device></deviceList>"
        b"</device></root>"
    )
    found = ssdp.parse_description(xml, ADDRESS)
    assert [e.value for e in found if e.key == "upnp.type_domain"] == [
        "schemas-sony-com",
        "dial-multiscreen-org",
    ]


def test_type_domains_are_capped() -> None:
    types = [f"urn:vendor{n}-com:service:S:1" for n in range(40)]
    assert len(ssdp.type_domains(types)) == 8
    assert ssdp.type_domains(["urn:schemas-upnp-org:service:AVTransport:1", "uuid:1"]) == []
