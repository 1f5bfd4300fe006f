from __future__ import annotations

from collections.abc import Callable

import defusedxml.ElementTree
import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import wsd
from camcensus.scanner.core._evidence import EvidenceList

ADDRESS = "198.18.0.11"
MESSAGE_ID = "uuid:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
}


@pytest.mark.parametrize(
    ("types", "prefix", "namespace"),
    [
        ("dn:NetworkVideoTransmitter", "dn", "http://www.onvif.org/ver10/network/wsdl"),
        ("tds:Device", "tds", "http://www.onvif.org/ver10/device/wsdl"),
    ],
)
def test_build_probe_is_a_soap12_probe(types: str, prefix: str, namespace: str) -> None:
    packet = wsd.build_probe(MESSAGE_ID, types)
    root = defusedxml.ElementTree.fromstring(packet)
    assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    assert root.findtext("s:Header/a:Action", namespaces=NS) == (
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
    )
    assert root.findtext("s:Header/a:MessageID", namespaces=NS) == MESSAGE_ID
    assert root.findtext("s:Header/a:To", namespaces=NS) == (
        "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
    )
    assert root.findtext("s:Body/d:Probe/d:Types", namespaces=NS) == types
    assert f'xmlns:{prefix}="{namespace}"'.encode() in packet


def test_build_probe_rejects_markup_in_types() -> None:
    with pytest.raises(ValueError, match="QNames"):
        wsd.build_probe(MESSAGE_ID, "dn:X</d:Types>")


def test_message_id_is_escaped() -> None:
    packet = wsd.build_probe("a<b&c", "tds:Device")
    root = defusedxml.ElementTree.fromstring(packet)
    assert root.findtext("s:Header/a:MessageID", namespaces=NS) == "a<b&c"


def test_parse_probe_matches(capture: Callable[[str], bytes]) -> None:
    found = wsd.parse_probe_matches(capture("wsd_probematches.xml"), ADDRESS)
    pairs = [(e.key, e.value) for e in found]
    assert pairs == [
        ("wsd.endpoint", "urn:uuid:5a1f0e2c-7b3d-11ee-8000-bcad280a0b0c"),
        ("wsd.endpoint_mac", "bc:ad:28:0a:0b:0c"),  # a version-1 UUID's node
        ("wsd.types", "dn:NetworkVideoTransmitter tds:Device"),
        (
            "wsd.xaddrs",
            "http://198.18.0.11/onvif/device_service "
            "http://[fe80::bead:28ff:fe0a:b0c]/onvif/device_service",
        ),
        ("eui64_mac", "bc:ad:28:0a:0b:0c"),  # the IPv6 service address's interface ID
        ("wsd.scope.type", "video_encoder"),
        ("wsd.scope.profile", "Streaming"),
        ("wsd.scope.profile", "G"),
        ("wsd.scope.profile", "T"),
        ("wsd.scope.mac", "bc:ad:28:0a:0b:0c"),
        ("mac", "bc:ad:28:0a:0b:0c"),
        ("wsd.scope.hardware", "DS-2CD2143G2-I"),
        ("wsd.scope.name", "HIKVISION DS-2CD2143G2-I"),
        ("wsd.scope.location", "city/hangzhou"),
        # a scope outside ONVIF's is kept as written: it may name its owner
        ("wsd.scope.other", "http://www.example.com/not-an-onvif-scope"),
    ]
    assert {(e.source, e.address) for e in found} == {("wsd", ADDRESS)}


@pytest.mark.parametrize(
    ("endpoint", "node"),
    [
        ("urn:uuid:5a1f0e2c-7b3d-11ee-8000-bcad280a0b0c", "bc:ad:28:0a:0b:0c"),
        ("uuid:2419d68a-2dd2-21b2-a205-ACCC8E270AD8", "ac:cc:8e:27:0a:d8"),  # version 2 (DCE)
        # hand-built outside the RFC variant (a TP-Link TL-SC3130G, evercam-discovery-java#32)
        ("uuid:B926EB6A-CB4B-54DB-3130-0023CDE05FA7", "00:23:cd:e0:5f:a7"),
        ("urn:uuid:08a6f3cd-312c-4810-837e-fb2859be05bb", None),  # version 4: random
        ("urn:uuid:08a6f3cd-312c-5810-937e-fb2859be05bb", None),  # version 5: a name's hash
        ("urn:uuid:5a1f0e2c-7b3d-11ee-8000-0bcad280a0b0", None),  # group bit: a random node
        ("urn:uuid:not-a-uuid", None),
    ],
)
def test_endpoint_mac_only_from_a_uuid_that_carries_a_node(endpoint: str, node: str | None) -> None:
    found = EvidenceList("wsd", ADDRESS)
    wsd.add_endpoint(found, endpoint)
    macs = [e.value for e in found.items() if e.key == "wsd.endpoint_mac"]
    assert macs == ([node] if node else [])
    assert "mac" not in {e.key for e in found.items()}  # never the identity key


def test_relates_to_matches_our_message_id(capture: Callable[[str], bytes]) -> None:
    assert wsd.relates_to(capture("wsd_probematches.xml")) == MESSAGE_ID
    assert wsd.relates_to(wsd.build_probe(MESSAGE_ID)) is None


def test_own_probe_echo_gives_nothing() -> None:
    assert wsd.parse_probe_matches(wsd.build_probe(MESSAGE_ID), ADDRESS) == []


def test_several_matches_and_lowercase_mac_scope() -> None:
    match = (
        "<d:ProbeMatch><d:Scopes>onvif://www.onvif.org/mac/{mac} "
        "onvif://www.onvif.org/name/{name}</d:Scopes></d:ProbeMatch>"
    )
    body = match.format(mac="3CEF8C0A0B0C", name="IPC") + match.format(
        mac="not%20a%20mac", name="NVR%2F2"
    )
    data = (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:d="{NS["d"]}"><s:Body>'
        f"<d:ProbeMatches>{body}</d:ProbeMatches></s:Body></s:Envelope>"
    ).encode()
    assert [(e.key, e.value) for e in wsd.parse_probe_matches(data, ADDRESS)] == [
        ("wsd.scope.mac", "3CEF8C0A0B0C"),
        ("mac", "3c:ef:8c:0a:0b:0c"),
        ("wsd.scope.name", "IPC"),
        ("wsd.scope.mac", "not a mac"),
        ("wsd.scope.name", "NVR/2"),
    ]


def test_same_host_urls_keeps_only_the_replying_host() -> None:
    xaddrs = (
        "http://198.18.0.11/onvif/device_service https://198.18.0.11:8443/onvif "
        "http://203.0.113.9/onvif/device_service ftp://198.18.0.11/x http://198.18.0.11:bad/"
    )
    assert wsd.same_host_urls(xaddrs, ADDRESS) == [
        "http://198.18.0.11/onvif/device_service",
        "https://198.18.0.11:8443/onvif",
    ]


@pytest.mark.parametrize(
    "data",
    [b"<s:Envelope", b"<NotSoap/>", b'<e:Envelope xmlns:e="urn:x"><e:Header/></e:Envelope>'],
)
def test_garbage_raises_malformed(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        wsd.parse_probe_matches(data, ADDRESS)


def test_entity_bomb_and_xxe_refused(billion_laughs: bytes, external_entity: bytes) -> None:
    for data in (billion_laughs, external_entity):
        with pytest.raises(MalformedReplyError):
            wsd.parse_probe_matches(data, ADDRESS)
        with pytest.raises(MalformedReplyError):
            wsd.relates_to(data)


def test_oversized_reply_refused() -> None:
    with pytest.raises(ReplyTooLargeError):
        wsd.parse_probe_matches(b"<a>" + b"x" * 10_000_000 + b"</a>", ADDRESS)


def test_parse_announcement_reads_probe_matches_as_parse_probe_matches_does(
    capture: Callable[[str], bytes],
) -> None:
    data = capture("wsd_probematches.xml")
    assert wsd.parse_announcement(data, "198.18.0.9") == wsd.parse_probe_matches(data, "198.18.0.9")


def test_vendor_namespaces_of_the_envelope_come_after_the_match() -> None:
    match = "<d:ProbeMatch><d:Scopes>onvif://www.onvif.org/name/IPC</d:Scopes></d:ProbeMatch>"
    data = (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:d="{NS["d"]}" xmlns:a="{NS["a"]}" '
        'xmlns:tnshik="http://www.hikvision.com/2011/event/topics" '
        "xmlns:hikwsd='http://www.onvifext.com/onvif/ext/ver10/wsdl' "
        'xmlns:tds="http://www.onvif.org/ver10/device/wsdl">'
        f"<s:Body><d:ProbeMatches>{match}</d:ProbeMatches></s:Body></s:Envelope>"
    ).encode()
    pairs = [(e.key, e.value) for e in wsd.parse_probe_matches(data, ADDRESS)]
    assert pairs == [
        ("wsd.scope.name", "IPC"),
        ("wsd.namespace", "http://www.hikvision.com/2011/event/topics"),
        ("wsd.namespace", "http://www.onvifext.com/onvif/ext/ver10/wsdl"),
        ("wsd.namespace_prefixes", "tnshik, hikwsd"),  # their prefixes, not a standard's
    ]
    assert wsd.parse_announcement(data, ADDRESS) == wsd.parse_probe_matches(data, ADDRESS)
    # a message that matches nothing (our own Probe echoed) gives no namespace either
    echo = wsd.build_probe(MESSAGE_ID).replace(
        b"<s:Envelope ", b'<s:Envelope xmlns:v="http://x.example/v" '
    )
    assert wsd.parse_probe_matches(echo, ADDRESS) == []
