"""Capture reading: scapy (what import-pcap uses) against dpkt, on the same large capture.

Synthesises a capture of a busy camera segment (default 200,000 packets: 250 devices'
ARP, SADP, DHIP, NetIP and WS-Discovery replies, RTSP and HTTP replies over TCP, and
mostly RTP video datagrams and TCP acknowledgements, as a SPAN port sees them), then
reads it, each reader in a process of its own so that its peak memory (ru_maxrss) is
its own:

* ``scapy``: scapy's PcapReader, every frame dissected (import-pcap's reading);
* ``dpkt``: dpkt's pcap Reader, every frame decoded to Ethernet / IP / UDP or TCP;
* ``import-pcap``: the whole import minus the database (reading, decoding into
  evidence, merging and identifying).

Sends nothing: it only writes and reads a file.  Writes bench/results/pcap.json.

    .venv/bin/python bench/pcap.py [--packets 200000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "pcap.json"
CAPTURES = ROOT / "tests" / "fixtures" / "captures"
REPLIES = ROOT / "lab" / "profiles" / "replay" / "replies"
DEVICES = 250


def _templates(device: int) -> list[bytes]:
    """The frames one device and a viewer exchange, as raw bytes (scapy builds them)."""
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import ARP, Ether
    from scapy.packet import Raw

    ip = f"198.18.{device // 200}.{device % 200 + 10}"
    mac = f"bc:ad:28:00:{device // 256:02x}:{device % 256:02x}"
    admin, admin_mac = "198.18.0.1", "02:00:00:00:00:01"
    frame = Ether(src=mac, dst=admin_mac) / IP(src=ip, dst=admin)
    rtsp = (REPLIES / "hik-rtsp-options-exoplayer-issue9800.reply").read_bytes()
    http = (CAPTURES / "http_app_webs_chunked.txt").read_bytes()
    discovery = [
        Ether(src=mac, dst=admin_mac) / ARP(op=2, hwsrc=mac, psrc=ip, pdst=admin),
        frame
        / UDP(sport=37020, dport=37020)
        / Raw((CAPTURES / "sadp_probematch.xml").read_bytes()),
        frame
        / UDP(sport=37810, dport=5000)
        / Raw((CAPTURES / "dhip_notifydevinfo.bin").read_bytes()),
        frame / UDP(sport=34569, dport=34569) / Raw((CAPTURES / "netip_reply.bin").read_bytes()),
        frame / UDP(sport=3702, dport=5001) / Raw((CAPTURES / "wsd_probematches.xml").read_bytes()),
        frame / TCP(sport=554, dport=40000, flags="SA", seq=100),
        frame / TCP(sport=554, dport=40000, flags="PA", seq=101) / Raw(rtsp),
        frame / TCP(sport=80, dport=40001, flags="SA", seq=500),
        frame / TCP(sport=80, dport=40001, flags="PA", seq=501) / Raw(http),
        frame / TCP(sport=80, dport=40001, flags="FA", seq=501 + len(http)),
    ]
    video = frame / UDP(sport=6970, dport=40002) / Raw(b"\x80\x60" + bytes(1314))
    ack = Ether(src=admin_mac, dst=mac) / IP(src=admin, dst=ip) / TCP(sport=40000, dport=554)
    return [bytes(p) for p in discovery] + [bytes(video)] * 60 + [bytes(ack)] * 10


def synthesise(path: Path, packets: int) -> None:
    """Write a classic pcap (Ethernet) of ``packets`` frames."""
    per_device = [_templates(d) for d in range(DEVICES)]
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        written, second = 0, 1_700_000_000
        while written < packets:
            for frames in per_device:
                for frame in frames:
                    if written >= packets:
                        break
                    out.write(
                        struct.pack("<IIII", second, written % 1_000_000, len(frame), len(frame))
                    )
                    out.write(frame)
                    written += 1
            second += 1


def _read_scapy(path: Path) -> int:
    from scapy.layers import inet, l2  # noqa: F401  (the link type, and IP dissection)
    from scapy.utils import PcapReader

    count = 0
    with PcapReader(str(path)) as reader:
        for _packet in reader:
            count += 1
    return count


def _read_dpkt(path: Path) -> int:
    import dpkt

    count = 0
    with path.open("rb") as stream:
        for _ts, buf in dpkt.pcap.Reader(stream):
            eth = dpkt.ethernet.Ethernet(buf)
            layer = eth.data
            if isinstance(layer, dpkt.ip.IP) and isinstance(
                layer.data, dpkt.udp.UDP | dpkt.tcp.TCP
            ):
                _ = layer.data.data
            count += 1
    return count


def _import(path: Path) -> int:
    from camcensus.scanner.capture import read_capture
    from camcensus.scanner.core.merge import merge
    from camcensus.scanner.core.pcap import CaptureDecoder

    decoder = CaptureDecoder()
    read = read_capture(path, decoder)
    devices = merge(decoder.evidence())
    assert len(devices) == DEVICES, len(devices)
    return read.packets


READERS = {"scapy": _read_scapy, "dpkt": _read_dpkt, "import-pcap": _import}


def _child(mode: str, path: Path) -> None:
    started = time.perf_counter()
    packets = READERS[mode](path)
    wall_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "reader": mode,
                "packets": packets,
                "wall_s": round(wall_s, 2),
                "peak_mb": round(peak_mb, 1),
            }
        )
    )


def _run(mode: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=200_000)
    parser.add_argument("--child", nargs=2, metavar=("READER", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--write", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    if args.write:
        synthesise(Path(args.write), args.packets)
        return
    with tempfile.TemporaryDirectory() as tmp:
        # each step in a process of its own: Linux carries a process's peak RSS across
        # exec, so a reader started from a parent that had built the frames would
        # report the parent's peak
        capture = Path(tmp) / "segment.pcap"
        write = [sys.executable, __file__, "--packets", str(args.packets), "--write", str(capture)]
        subprocess.run(write, check=True)
        size = capture.stat().st_size
        rows = [_run(mode, capture) for mode in READERS]
    by = {r["reader"]: r for r in rows}
    for row in rows:
        assert row["packets"] == args.packets, row
    result = {
        "benchmark": "pcap",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "capture": {"packets": args.packets, "bytes": size, "devices": DEVICES},
        "rows": rows,
        "ratios": {
            "wall_scapy_over_dpkt": round(by["scapy"]["wall_s"] / by["dpkt"]["wall_s"], 1),
            "peak_scapy_over_dpkt": round(by["scapy"]["peak_mb"] / by["dpkt"]["peak_mb"], 2),
            "wall_import_over_scapy": round(by["import-pcap"]["wall_s"] / by["scapy"]["wall_s"], 2),
        },
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
