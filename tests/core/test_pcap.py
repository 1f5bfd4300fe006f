"""scanner.core.pcap: capture records -> evidence, through the scan's parsers (pure)."""

from __future__ import annotations

import ipaddress

import pytest
from conftest import CAPTURES

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence, known_keys
from camcensus.scanner.core import pcap
from camcensus.scanner.core.merge import LINK_SOURCES, merge
from camcensus.scanner.core.pcap import Arp, CaptureDecoder, Dhcp, DnsRecord, Mdns, Tcp, Udp

CAM, ADMIN, ROUTER = "198.18.0.10", "198.18.0.1", "198.18.0.254"
CAM_MAC, ADMIN_MAC, ROUTER_MAC = "bc:ad:28:00:00:0a", "02:00:00:00:00:01", "02:00:00:00:00:fe"
SADP = (CAPTURES / "sadp_probematch.xml").read_bytes()
RTSP_401 = (CAPTURES / "rtsp_describe_401.txt").read_bytes()
RTSP_200 = (CAPTURES / "rtsp_options_200.txt").read_bytes()


def _udp(src: str, payload: bytes, port: int, *, dst: str = ADMIN, mac: str = CAM_MAC) -> Udp:
    return Udp(mac, src, dst, port, 50_000, payload)


def _tcp(seq: int, payload: bytes = b"", flags: str = "PA", *, src: str = CAM) -> Tcp:
    return Tcp(
        CAM_MAC, src, ADMIN, 554, 50_000, seq,
        syn="S" in flags, ack="A" in flags, fin="F" in flags, rst="R" in flags, payload=payload,
    )  # fmt: skip


def _evidence(*records: pcap.Record, segments: tuple[str, ...] = ()) -> set[tuple[str, str, str]]:
    decoder = CaptureDecoder([ipaddress.IPv4Network(s) for s in segments])
    for record in records:
        decoder.add(record)
    return {(e.address, e.key, e.value) for e in decoder.evidence()}


def _macs(found: set[tuple[str, str, str]], address: str) -> set[str]:
    return {value for a, key, value in found if a == address and key == "mac"}


def test_arp_senders_are_link_layer_evidence_and_probes_are_not() -> None:
    decoder = CaptureDecoder()
    decoder.add(Arp(CAM_MAC, CAM))
    decoder.add(Arp("bc:ad:28:00:00:0b", "0.0.0.0"))  # an ARP probe (RFC 5227): no sender
    evidence = decoder.evidence()
    assert Evidence("mac", CAM_MAC, "arp", CAM) in evidence
    assert Evidence("ip", CAM, "arp", CAM) in evidence
    assert {e.address for e in evidence} == {CAM}


def test_a_reply_to_a_group_does_not_make_its_ethernet_source_link_evidence() -> None:
    # 239.255.255.250 can be routed: the frame's source may be a router's
    found = _evidence(_udp(CAM, SADP, 37020, dst="239.255.255.250", mac=ROUTER_MAC))
    assert ROUTER_MAC not in _macs(found, CAM)
    assert (CAM, "sadp.model", "DS-2CD2143G2-I") in found


def test_ethernet_source_counts_on_a_named_segment_and_to_link_local_groups() -> None:
    on_segment = _evidence(_udp(CAM, SADP, 37020), segments=("198.18.0.0/23",))
    assert (CAM, "mac", CAM_MAC) in on_segment
    mdns = Mdns(CAM_MAC, CAM, "224.0.0.251", True, (
        DnsRecord("PTR", "_http._tcp.local.", ("cam._http._tcp.local.",)),
    ))  # fmt: skip
    assert (CAM, "mac", CAM_MAC) in _evidence(mdns)


def test_a_router_mac_is_never_a_routed_hosts_link_mac() -> None:
    # the router ARPs for itself; a routed camera's reply carries the router's MAC
    remote = "198.18.4.7"
    found = _evidence(
        Arp(ROUTER_MAC, ROUTER),
        _udp(remote, SADP, 37020, mac=ROUTER_MAC),
        segments=("198.18.0.0/16",),
    )
    assert _macs(found, remote) == {"bc:ad:28:0a:0b:0c"}  # only what SADP reported
    assert _macs(found, ROUTER) == {ROUTER_MAC}


def test_an_ethernet_mac_outranks_a_reported_one_in_the_merge() -> None:
    assert pcap.ETHER_SOURCE in LINK_SOURCES
    decoder = CaptureDecoder([ipaddress.IPv4Network("198.18.0.0/23")])
    decoder.add(_udp(CAM, SADP, 37020))  # SADP reports bc:ad:28:0a:0b:0c, the frame is ours
    (device,) = merge(decoder.evidence())
    assert device.mac == CAM_MAC


def test_rtsp_replies_are_reassembled_out_of_order_with_retransmissions() -> None:
    stream = RTSP_200 + RTSP_401
    cut1, cut2 = 7, len(RTSP_200) + 11
    found = _evidence(
        _tcp(999, flags="SA"),
        _tcp(1000 + cut2, stream[cut2:]),
        _tcp(1000, stream[:cut1]),
        _tcp(1000, stream[:cut1]),  # retransmitted
        _tcp(1000 + cut1, stream[cut1:cut2]),
        _tcp(1000 + len(stream), flags="FA"),
    )
    assert (CAM, "rtsp.server", "Dahua Rtsp Server") in found
    assert (CAM, "rtsp.realm", "Login to 7B0123PAZ00002") in found
    assert any(k == "rtsp.public" for _a, k, _v in found)  # the first message of the two
    assert (CAM, "tcp.ports", "554") in found


def test_a_gap_ends_what_a_stream_gives() -> None:
    found = _evidence(
        _tcp(999, flags="SA"),
        _tcp(1000, RTSP_401[:5]),
        _tcp(1000 + 20, RTSP_401[20:]),
        _tcp(1000 + len(RTSP_401), flags="R"),
    )
    assert not any(k.startswith("rtsp.") for _a, k, _v in found)


def test_a_stream_that_began_before_the_capture_is_read_from_where_it_is_seen() -> None:
    found = _evidence(_tcp(77_000, RTSP_401), _tcp(77_000 + len(RTSP_401), flags="FA"))
    assert (CAM, "rtsp.server", "Dahua Rtsp Server") in found


def test_sequence_numbers_wrap() -> None:
    start = (1 << 32) - 4
    found = _evidence(
        _tcp(start - 1, flags="SA"),
        _tcp(start, RTSP_401[:10]),
        _tcp(6, RTSP_401[10:]),
    )
    assert (CAM, "rtsp.server", "Dahua Rtsp Server") in found


def test_what_clients_send_identifies_nobody() -> None:
    request = b"DESCRIBE rtsp://198.18.0.10/ RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: x\r\n\r\n"
    found = _evidence(_tcp(1, request, src=ADMIN))
    assert found == set()


def test_a_stream_keeps_at_most_max_stream_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcap, "MAX_STREAM_BYTES", 64)
    body = b"HTTP/1.1 200 OK\r\nServer: Webs\r\n\r\n" + b"x" * 10_000
    decoder = CaptureDecoder()
    decoder.add(Tcp(CAM_MAC, CAM, ADMIN, 80, 50_000, 0, True, True, False, False, b""))
    for offset in range(0, len(body), 1000):
        chunk = body[offset : offset + 1000]
        decoder.add(
            Tcp(CAM_MAC, CAM, ADMIN, 80, 50_000, 1 + offset, False, True, False, False, chunk)
        )
    evidence = decoder.evidence()
    assert Evidence("http.server", "Webs", "http", CAM) in evidence
    (body_item,) = [e for e in evidence if e.key == "http.body"]
    assert len(body_item.value) <= 64


def test_open_streams_are_capped_and_the_rest_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcap, "MAX_OPEN_STREAMS", 2)
    decoder = CaptureDecoder()
    for port in (50_001, 50_002, 50_003):
        decoder.add(Tcp(CAM_MAC, CAM, ADMIN, 80, port, 0, True, True, False, False, b""))
    assert decoder.skipped["TCP streams beyond MAX_OPEN_STREAMS"] == 1


def test_evidence_per_address_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pcap, "MAX_EVIDENCE_PER_ADDRESS", 5)
    decoder = CaptureDecoder()
    for n in range(20):
        records = (DnsRecord("PTR", "_http._tcp.local.", (f"cam{n}._http._tcp.local.",)),)
        decoder.add(Mdns(CAM_MAC, CAM, "224.0.0.251", True, records))
    assert len(decoder.evidence()) <= 6  # five kept, and its ip
    assert decoder.skipped["evidence beyond MAX_EVIDENCE_PER_ADDRESS"] > 0


def test_mdns_responses_give_service_name_and_txt_and_queries_nothing() -> None:
    instance = "AXIS M3106-L - ACCC8E012345._axis-video._tcp.local."
    records = (
        DnsRecord("PTR", "_axis-video._tcp.local.", (instance,)),
        DnsRecord("TXT", instance, ("macaddress=ACCC8E012345", "flag")),
        DnsRecord("PTR", "10.0.18.198.in-addr.arpa.", ("axis.local.",)),  # not a service
    )
    found = _evidence(Mdns(CAM_MAC, CAM, "224.0.0.251", True, records))
    assert (CAM, "mdns.service", "_axis-video._tcp.local.") in found
    assert (CAM, "mdns.name", "AXIS M3106-L - ACCC8E012345") in found
    assert (CAM, "mdns.txt.macaddress", "ACCC8E012345") in found
    assert _evidence(Mdns(CAM_MAC, CAM, "224.0.0.251", False, records)) == set()


def _dhcp(op: int, kind: int, *, requested: str | None, ciaddr: str = "0.0.0.0") -> Dhcp:
    return Dhcp(
        CAM_MAC, "0.0.0.0", "255.255.255.255", op, kind, CAM_MAC, ciaddr, requested,
        "IPC-lobby", "udhcp 1.20.2",
    )  # fmt: skip


def test_dhcp_request_names_host_and_vendor_class_at_the_address_it_asks_for() -> None:
    found = _evidence(_dhcp(1, 3, requested=CAM))
    assert (CAM, "dhcp.hostname", "IPC-lobby") in found
    assert (CAM, "dhcp.vendor_class", "udhcp 1.20.2") in found
    assert (CAM, "mac", CAM_MAC) in found
    assert {"dhcp.hostname", "dhcp.vendor_class"} <= known_keys()


def test_dhcp_discover_is_bound_through_arp_and_a_servers_answer_is_ignored() -> None:
    discover = _dhcp(1, 1, requested="198.18.0.99")  # a wish, not the address
    assert _evidence(discover) == set()
    found = _evidence(discover, Arp(CAM_MAC, CAM))
    assert (CAM, "dhcp.hostname", "IPC-lobby") in found
    assert _evidence(_dhcp(2, 5, requested=None, ciaddr=CAM)) == set()  # an ACK


def test_wsd_hello_counts_and_probes_do_not() -> None:
    hello = (
        b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
        b' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"'
        b' xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header/><s:Body>'
        b"<d:Hello><a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>"
        b"<d:Types>dn:NetworkVideoTransmitter</d:Types>"
        b"<d:Scopes>onvif://www.onvif.org/hardware/DS-2CD2043G2-I</d:Scopes>"
        b"</d:Hello></s:Body></s:Envelope>"
    )
    found = _evidence(_udp(CAM, hello, 3702, dst="239.255.255.250"))
    assert (CAM, "wsd.scope.hardware", "DS-2CD2043G2-I") in found
    probe = (CAPTURES / "wsd_probematches.xml").read_bytes().replace(b"ProbeMatches", b"Probe")
    assert not any(k.startswith("wsd.") for _a, k, _v in _evidence(_udp(ADMIN, probe, 3702)))


def test_malformed_replies_are_counted_and_skipped() -> None:
    decoder = CaptureDecoder()
    decoder.add(_udp(CAM, b"<<<not xml", 37020))
    decoder.add(_udp(CAM, b"\xff\x00", 34569))
    decoder.add(_tcp(5, b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 10_000))
    assert decoder.evidence() == []
    assert decoder.skipped["malformed replies"] == 3


def test_split_messages_by_length_chunks_and_protocol() -> None:
    chunked = (CAPTURES / "http_app_webs_chunked.txt").read_bytes()
    first = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope"
    assert pcap.split_messages(first + chunked) == [first, chunked]
    assert pcap.split_messages(RTSP_200 + RTSP_401) == [RTSP_200, RTSP_401]
    with pytest.raises(MalformedReplyError):
        pcap.split_messages(b"\r\nServer: x\r\n\r\n")


def test_fragments_are_joined_bounded_and_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    joined = pcap.Fragments()
    key = (CAM, ADMIN, 17, 7)
    assert joined.add(key, 16, False, b"cd") is None
    assert joined.add(key, 0, True, b"a" * 8) is None
    assert joined.add(key, 8, True, b"b" * 8) == b"a" * 8 + b"b" * 8 + b"cd"
    monkeypatch.setattr(pcap, "MAX_PENDING_DATAGRAMS", 2)
    for ident in range(5):
        joined.add((CAM, ADMIN, 17, ident), 0, True, b"x" * 8)
    assert joined.given_up == 3
    assert joined.add(key, 65_530, False, b"y" * 10) is None  # past 65,535 bytes


def test_an_ftp_greeting_is_read_from_the_server_side() -> None:
    greeting = b"220 AXIS P1346 Network Camera 5.50 (2014) ready.\r\n"
    found = _evidence(
        Tcp(CAM_MAC, CAM, ADMIN, 21, 50_000, 9, True, True, False, False, b""),
        Tcp(CAM_MAC, CAM, ADMIN, 21, 50_000, 10, False, True, False, False, greeting),
        Tcp(CAM_MAC, ADMIN, CAM, 50_000, 21, 1, False, True, False, False, b"USER x\r\n"),
    )
    assert (CAM, "ftp.banner", "AXIS P1346 Network Camera 5.50 (2014) ready.") in found
    assert not any(a == ADMIN for a, _k, _v in found)
