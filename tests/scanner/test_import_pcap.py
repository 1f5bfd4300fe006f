"""import-pcap: a capture written with scapy from devices' replies -> an 'import' scan."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dns import DNS, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw
from scapy.utils import wrpcap, wrpcapng

from camcensus.cli import EXIT_ERROR, EXIT_OK, main
from camcensus.scanner.store import Inventory

ROOT = Path(__file__).resolve().parent.parent.parent
CAPTURES = ROOT / "tests" / "fixtures" / "captures"
REPLIES = ROOT / "lab" / "profiles" / "replay" / "replies"
ADMIN, ADMIN_MAC = "198.18.0.1", "02:00:00:00:00:01"
HIK, HIK_MAC = "198.18.0.10", "bc:ad:28:11:22:33"
DAHUA, DAHUA_MAC = "198.18.0.11", "3c:ef:8c:11:22:33"
XM, XM_MAC = "198.18.0.13", "00:12:41:11:22:33"
AXIS, AXIS_MAC = "198.18.0.14", "ac:cc:8e:11:22:33"
DHCP_CLIENT, DHCP_MAC = "198.18.0.20", "24:0f:9b:00:00:01"


def _from(mac: str, src: str, dst: str = ADMIN, dst_mac: str = ADMIN_MAC) -> Any:
    return Ether(src=mac, dst=dst_mac) / IP(src=src, dst=dst)


def _lab_packets() -> list[Any]:
    """A small segment's traffic: ARP, the discovery replies of four makers, an RTSP
    reply split over two out-of-order segments, a DHCP request and an mDNS answer."""
    rtsp = (REPLIES / "hik-rtsp-options-exoplayer-issue9800.reply").read_bytes()
    axis_instance = "AXIS M1034-W - ACCC8E112233._axis-video._tcp.local."
    return [
        Ether(src=ADMIN_MAC, dst="ff:ff:ff:ff:ff:ff")
        / ARP(op=1, hwsrc=ADMIN_MAC, psrc=ADMIN, pdst=HIK),
        Ether(src=HIK_MAC, dst=ADMIN_MAC)
        / ARP(op=2, hwsrc=HIK_MAC, psrc=HIK, hwdst=ADMIN_MAC, pdst=ADMIN),
        _from(HIK_MAC, HIK, "239.255.255.250", "01:00:5e:7f:ff:fa")
        / UDP(sport=37020, dport=37020)
        / Raw((CAPTURES / "sadp_probematch.xml").read_bytes()),
        _from(DAHUA_MAC, DAHUA)
        / UDP(sport=37810, dport=40000)
        / Raw((CAPTURES / "dhip_notifydevinfo.bin").read_bytes()),
        _from(XM_MAC, XM, "198.18.1.255", "ff:ff:ff:ff:ff:ff")
        / UDP(sport=34569, dport=34569)
        / Raw((CAPTURES / "netip_reply.bin").read_bytes()),
        _from(AXIS_MAC, AXIS)
        / UDP(sport=3702, dport=40001)
        / Raw((REPLIES / "axis-wsd-probematch-kupnp-m1034w.reply").read_bytes()),
        _from(HIK_MAC, HIK) / TCP(sport=554, dport=50000, flags="SA", seq=1000, ack=1),
        _from(HIK_MAC, HIK) / TCP(sport=554, dport=50000, flags="PA", seq=1011) / Raw(rtsp[10:]),
        _from(HIK_MAC, HIK) / TCP(sport=554, dport=50000, flags="PA", seq=1001) / Raw(rtsp[:10]),
        _from(HIK_MAC, HIK) / TCP(sport=554, dport=50000, flags="FA", seq=1001 + len(rtsp)),
        Ether(src=DHCP_MAC, dst="ff:ff:ff:ff:ff:ff")
        / IP(src="0.0.0.0", dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(op=1, chaddr=bytes.fromhex(DHCP_MAC.replace(":", "")))
        / DHCP(
            options=[
                ("message-type", 3),
                ("requested_addr", DHCP_CLIENT),
                ("hostname", b"IPC-lobby"),
                ("vendor_class_id", b"udhcp 1.20.2"),
                "end",
            ]
        ),
        _from(AXIS_MAC, AXIS, "224.0.0.251", "01:00:5e:00:00:fb")
        / UDP(sport=5353, dport=5353)
        / DNS(
            qr=1,
            aa=1,
            an=[DNSRR(rrname="_axis-video._tcp.local.", type="PTR", rdata=axis_instance)],
            ar=[DNSRR(rrname=axis_instance, type="TXT", rdata=[b"macaddress=ACCC8E112233"])],
        ),
        # hostile: garbage where SADP XML belongs, a frame cut inside its IP header
        _from(XM_MAC, XM) / UDP(sport=37020, dport=37020) / Raw(b"<<<garbage"),
        Ether(src=XM_MAC, dst=ADMIN_MAC, type=0x0800) / Raw(b"\x45\x00"),
    ]


def _import(capture: Path, db: Path, *extra: str) -> int:
    return main(["import-pcap", str(capture), "--db", str(db), *extra])


def _devices(db: Path) -> dict[str, dict[str, Any]]:
    with Inventory.open(db, create=False) as inventory:
        (scan,) = inventory.scans()
        assert scan.status == "complete"
        assert scan.scope == "import"
    out = tmp = db.with_suffix(".json")
    assert main(["export", "--db", str(db), "--json", str(tmp)]) == EXIT_OK
    return {d["ip"]: d for d in json.loads(out.read_text(encoding="utf-8"))["devices"]}


@pytest.mark.parametrize("write", [wrpcap, wrpcapng], ids=["pcap", "pcapng"])
def test_devices_are_named_from_what_they_sent(
    tmp_path: Path, write: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "segment.cap"
    write(str(capture), _lab_packets())
    assert _import(capture, tmp_path / "inv.db") == EXIT_OK
    out, err = capsys.readouterr()
    assert "read 14 packets" in out
    assert "malformed replies: 1" in err
    devices = _devices(tmp_path / "inv.db")
    makers = {ip: d["maker"] for ip, d in devices.items()}
    assert makers[HIK] == "Hikvision"
    assert makers[DAHUA] == "Dahua"
    assert makers[XM] == "Xiongmai"
    assert makers[AXIS] == "Axis Communications"
    assert devices[HIK]["mac"] == HIK_MAC  # from ARP, not the MAC SADP reports
    assert devices[AXIS]["mac"] == AXIS_MAC  # its mDNS frame went to a link-local group
    keys = {(e["key"], e["value"]) for e in devices[HIK]["evidence"]}
    assert ("tcp.ports", "554") in keys
    assert any(k == "rtsp.public" for k, _v in keys)  # reassembled across two segments
    dhcp = {(e["key"], e["value"]) for e in devices[DHCP_CLIENT]["evidence"]}
    assert {("dhcp.hostname", "IPC-lobby"), ("dhcp.vendor_class", "udhcp 1.20.2")} <= dhcp
    assert devices[DHCP_CLIENT]["mac"] == DHCP_MAC


def test_a_gzipped_capture_is_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pcap"
    wrpcap(str(plain), _lab_packets())
    packed = tmp_path / "segment.pcap.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _import(packed, tmp_path / "inv.db") == EXIT_OK
    assert _devices(tmp_path / "inv.db")[DAHUA]["maker"] == "Dahua"


def test_a_capture_cut_short_keeps_its_whole_packets(tmp_path: Path) -> None:
    capture = tmp_path / "cut.pcap"
    wrpcap(str(capture), _lab_packets()[:6])
    capture.write_bytes(capture.read_bytes()[:-7])  # the Axis ProbeMatch loses its end
    assert _import(capture, tmp_path / "inv.db") == EXIT_OK
    devices = _devices(tmp_path / "inv.db")
    assert devices[DAHUA]["maker"] == "Dahua"
    assert devices.get(AXIS, {}).get("maker", "") != "Axis Communications"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a pcap or pcapng capture"),
        (b"this is a text file, not a capture\n" * 3, "not a pcap or pcapng capture"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "not a pcap or pcapng capture"),  # a header cut short
    ],
    ids=["empty", "text", "short-header"],
)
def test_a_file_that_is_no_capture_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "bad.pcap"
    capture.write_bytes(content)
    assert _import(capture, tmp_path / "inv.db") == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert list(tmp_path.iterdir()) == [capture]


def test_a_missing_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path / "nope.pcap", tmp_path / "inv.db") == EXIT_ERROR
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "inv.db").exists()


def test_an_inventory_that_cannot_be_written_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "segment.pcap"
    wrpcap(str(capture), _lab_packets())
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"my notes, not SQLite" * 100)
    assert _import(capture, not_a_db) == EXIT_ERROR
    assert not_a_db.read_bytes() == b"my notes, not SQLite" * 100  # left as it was
    assert "internal error" not in capsys.readouterr().err
    assert _import(capture, tmp_path / "no-such-dir" / "inv.db") == EXIT_ERROR
    assert not (tmp_path / "no-such-dir").exists()


def test_a_failed_write_removes_the_database_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capture = tmp_path / "segment.pcap"
    wrpcap(str(capture), _lab_packets())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Inventory, "record_device", broken)
    assert _import(capture, tmp_path / "inv.db") == EXIT_ERROR
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segment.pcap"]


def test_max_packets_stops_reading_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = tmp_path / "segment.pcap"
    wrpcap(str(capture), _lab_packets())
    assert _import(capture, tmp_path / "inv.db", "--max-packets", "4") == EXIT_OK
    out, err = capsys.readouterr()
    assert "read 4 packets" in out
    assert "stopped after 4 packets" in err
    assert set(_devices(tmp_path / "inv.db")) == {HIK, ADMIN, DAHUA}


def test_segment_makes_ethernet_sources_link_evidence(tmp_path: Path) -> None:
    capture = tmp_path / "segment.pcap"
    wrpcap(str(capture), _lab_packets()[3:4])  # the DHIP reply alone: no ARP for it
    assert _import(capture, tmp_path / "a.db") == EXIT_OK
    assert _devices(tmp_path / "a.db")[DAHUA]["mac"] == "3c:ef:8c:0a:0b:0c"  # reported
    assert _import(capture, tmp_path / "b.db", "--segment", "198.18.0.0/23") == EXIT_OK
    assert _devices(tmp_path / "b.db")[DAHUA]["mac"] == DAHUA_MAC  # the frame's own


def test_bad_segment_and_max_packets_are_usage_errors(tmp_path: Path) -> None:
    for extra in (["--segment", "lab"], ["--max-packets", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            _import(tmp_path / "x.pcap", tmp_path / "inv.db", *extra)
        assert exit_info.value.code == 2


def test_a_reply_fragmented_by_ip_is_put_back_together(tmp_path: Path) -> None:
    from scapy.layers.inet import fragment

    reply = (REPLIES / "axis-wsd-probematch-kupnp-m1034w.reply").read_bytes()
    padded = reply.replace(b"</SOAP-ENV:Envelope>", b" " * 3000 + b"</SOAP-ENV:Envelope>")
    datagram = IP(src=AXIS, dst=ADMIN, id=4242) / UDP(sport=3702, dport=40001) / Raw(padded)
    pieces = [Ether(src=AXIS_MAC, dst=ADMIN_MAC) / f for f in fragment(datagram, fragsize=1400)]
    assert len(pieces) > 2
    capture = tmp_path / "fragments.pcap"
    wrpcap(str(capture), [pieces[1], pieces[0], *pieces[2:]])  # out of order
    assert _import(capture, tmp_path / "inv.db") == EXIT_OK
    assert _devices(tmp_path / "inv.db")[AXIS]["maker"] == "Axis Communications"


def test_an_import_into_a_site_keys_its_devices_there(tmp_path: Path) -> None:
    capture = tmp_path / "segment.pcap"
    wrpcap(str(capture), _lab_packets())
    assert _import(capture, tmp_path / "inv.db", "--site", "Train-4711") == EXIT_OK
    devices = _devices(tmp_path / "inv.db")
    assert devices
    assert all(d["device_key"].startswith("Train-4711/") for d in devices.values())
    assert {d["site"] for d in devices.values()} == {"Train-4711"}
