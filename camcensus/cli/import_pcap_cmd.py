"""``camcensus import-pcap``: identify devices from a packet capture, sending nothing.

For a segment the scanner cannot reach (a SPAN port, a train's network): the capture
is read with scapy (``scanner.capture``, streamed), what the devices themselves sent
becomes evidence through the scan's own parsers (``scanner.core.pcap``), and the
result is merged, identified and recorded like ``import-nmap``'s: a completed scan
with scope ``import`` whose targets are the devices' addresses.

The inventory is written only once the whole capture has been read; when the import
fails after all, an inventory this command created is removed again, so a failed
import never leaves a database behind that was not there before.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import ipaddress
import sys
from pathlib import Path

from camcensus.cli import EXIT_OK
from camcensus.cli.options import add_policy_option, add_site_option, load_policy, load_site

__all__ = ["register", "run"]

_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _network(text: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an IPv4 network: {text!r}") from exc


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus import-pcap``."""
    parser = sub.add_parser(
        "import-pcap",
        help="identify devices from a packet capture (pcap/pcapng) into the inventory",
        description=(
            "Read a packet capture, identify each device from what it sent (ARP, DHCP, "
            "WS-Discovery, SADP, DHIP, NetIP, SSDP, mDNS, open ports, HTTP and RTSP "
            "replies), and record the result as a completed scan with scope 'import'. "
            "Nothing is sent."
        ),
    )
    parser.add_argument("file", type=Path, help="packet capture (tcpdump -w, Wireshark)")
    parser.add_argument("--db", type=Path, default=Path("inventory.db"), help="inventory database")
    parser.add_argument(
        "--segment",
        type=_network,
        action="append",
        default=[],
        metavar="CIDR",
        help=(
            "a network the capture was taken on (repeatable): its hosts' Ethernet source "
            "MACs count as link-layer evidence; without it only ARP, and frames to "
            "link-local destinations, do"
        ),
    )
    parser.add_argument(
        "--max-packets",
        type=_positive,
        default=None,
        metavar="N",
        help="stop after N packets (default: 5 million, about half an hour of reading)",
    )
    add_policy_option(parser)
    add_site_option(parser, "the import")
    parser.set_defaults(func=run)


def _remove_new_database(path: Path) -> None:
    for suffix in _SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def run(args: argparse.Namespace) -> int:
    """Import the capture ``args.file`` into ``args.db``."""
    from camcensus.base.errors import CamcensusError
    from camcensus.scanner.capture import DEFAULT_MAX_PACKETS, read_capture
    from camcensus.scanner.core.merge import merge
    from camcensus.scanner.core.pcap import CaptureDecoder
    from camcensus.scanner.store import Inventory

    if not args.file.is_file():
        raise CamcensusError(f"cannot read {args.file}: not a file")
    policy = load_policy(args.policy)
    site = load_site(args.site)  # a bad name fails here: no database is created
    decoder = CaptureDecoder(args.segment)
    max_packets = args.max_packets or DEFAULT_MAX_PACKETS
    read = read_capture(args.file, decoder, max_packets=max_packets)
    devices = merge(decoder.evidence(), policy, site)
    created = not args.db.exists()
    try:
        with Inventory.open(args.db) as inventory:
            scan_id = inventory.record_import(
                devices,
                operator=getpass.getuser(),
                site=site,
                options={
                    "import": "pcap",
                    "file": args.file.name,
                    "segments": [str(n) for n in args.segment],
                    "packets": read.packets,
                    **policy.record(),
                },
            )
    except BaseException:
        if created:
            _remove_new_database(args.db)
        raise
    if read.stopped_at_cap:
        print(
            f"camcensus: warning: stopped after {read.packets:,} packets (--max-packets); "
            "the rest of the capture was not read",
            file=sys.stderr,
        )
    for why, count in sorted({**read.skipped, **decoder.skipped}.items()):
        print(f"camcensus: skipped: {why}: {count:,}", file=sys.stderr)
    flagged = sum(d.flagged for d in devices)
    print(
        f"camcensus: read {read.packets:,} packets; imported {len(devices)} device(s), "
        f"{flagged} flagged (scan {scan_id})"
    )
    return EXIT_OK
