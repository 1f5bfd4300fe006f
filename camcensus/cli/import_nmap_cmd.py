"""``camcensus import-nmap``: turn an nmap XML report into inventory devices.

The report is parsed with defusedxml and capped in size: the bare document type
declaration nmap writes (``<!DOCTYPE nmaprun>``) is accepted, entity declarations and
external references are refused. Each
host's open ports, service names, products, MAC and hostnames become evidence, which
is merged and identified like a scan's, and recorded as a complete scan with scope
``import``.
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
from pathlib import Path
from typing import Final
from xml.etree.ElementTree import Element

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.cli import EXIT_OK
from camcensus.cli.options import add_policy_option, add_site_option, load_policy, load_site

__all__ = ["MAX_REPORT_BYTES", "SOURCE", "parse_nmap_xml", "register"]

SOURCE: Final = "nmap"
DEFAULT_DB: Final = Path("inventory.db")
MAX_REPORT_BYTES: Final = 64 * 1024 * 1024


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus import-nmap``."""
    parser = sub.add_parser(
        "import-nmap",
        help="import an nmap XML report (-oX) into the inventory",
        description=(
            "Read an nmap XML report, identify each host from its ports, services, MAC "
            "and hostnames, and record the result as a completed scan with scope 'import'."
        ),
    )
    parser.add_argument("file", type=Path, help="nmap XML report (nmap -oX)")
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help=f"inventory database, created if missing (default: {DEFAULT_DB})",
    )
    add_policy_option(parser)
    add_site_option(parser, "the import")
    parser.set_defaults(func=run)


def _text(value: str | None) -> str:
    from camcensus.scanner.core.limits import clean_text

    return clean_text(value or "")


def _answered(host: Element) -> bool:
    """Whether any port of ``host`` answered (open, or closed: a RST came back)."""
    return any(
        state.get("state") in ("open", "closed")
        for port in host.iter("port")
        if (state := port.find("state")) is not None
    )


def _host_evidence(host: Element) -> list[Evidence]:
    from camcensus.scanner.core.mac import normalise_mac

    ip = ""
    mac = ""
    for address in host.iter("address"):
        kind = address.get("addrtype")
        if kind == "ipv4":
            try:
                ip = str(ipaddress.IPv4Address(address.get("addr", "")))
            except ValueError:
                return []
        elif kind == "mac":
            try:
                mac = normalise_mac(address.get("addr", ""))
            except MalformedReplyError:
                mac = ""
    if not ip:
        return []
    status = host.find("status")
    if status is not None and status.get("state") not in (None, "up"):
        return []
    if (
        status is not None
        and status.get("reason") == "user-set"
        and not mac
        and not _answered(host)
    ):
        return []  # "up" only because -Pn said so, and nothing answered: no host seen
    found = [Evidence("ip", ip, SOURCE, ip)]
    if mac:
        found.append(Evidence("mac", mac, SOURCE, ip))
    open_ports: list[int] = []
    for port in host.iter("port"):
        state = port.find("state")
        if state is None or state.get("state") != "open":
            continue
        number, protocol = port.get("portid", ""), port.get("protocol", "tcp")
        if not number.isdigit():
            continue
        if protocol == "tcp":
            open_ports.append(int(number))
        service = port.find("service")
        if service is None:
            continue
        name = _text(service.get("name"))
        if name:
            found.append(Evidence("nmap.service", f"{number}/{protocol} {name}", SOURCE, ip))
        product = " ".join(
            _text(service.get(a)) for a in ("product", "version") if _text(service.get(a))
        )
        if product:
            found.append(Evidence("nmap.product", f"{number}/{protocol} {product}", SOURCE, ip))
    if open_ports:
        value = ",".join(str(p) for p in sorted(set(open_ports)))
        found.append(Evidence("tcp.ports", value, SOURCE, ip))
    for hostname in host.iter("hostname"):
        name = _text(hostname.get("name"))
        if name:
            found.append(Evidence("dns.ptr", name, SOURCE, ip))
    return list(dict.fromkeys(e for e in found if e.value))


def parse_nmap_xml(data: bytes) -> list[Evidence]:
    """Evidence for every up host of an nmap XML report (a host nmap calls up only
    because ``-Pn`` told it to, with no port that answered and no MAC, is none).

    Raises ReplyTooLargeError over MAX_REPORT_BYTES and MalformedReplyError for
    non-XML, entity declarations or external references (a bare ``<!DOCTYPE>`` as
    nmap writes it is fine), or a document that is not an nmap report.
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if len(data) > MAX_REPORT_BYTES:
        raise ReplyTooLargeError(f"nmap report: {len(data)} bytes, cap is {MAX_REPORT_BYTES}")
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise MalformedReplyError(f"nmap report: not usable XML ({exc})") from exc
    if root.tag != "nmaprun":
        raise MalformedReplyError(f"nmap report: root is <{root.tag[:40]}>, not <nmaprun>")
    return [e for host in root.iter("host") for e in _host_evidence(host)]


def run(args: argparse.Namespace) -> int:
    """Import ``args.file`` into ``args.db``."""
    from camcensus.base.errors import CamcensusError
    from camcensus.scanner.core.merge import merge
    from camcensus.scanner.store import Inventory

    policy = load_policy(args.policy)
    site = load_site(args.site)  # a bad name fails here: no database is created
    try:
        # At most one byte over the cap: a FIFO or /dev/zero has no size to check first.
        with args.file.open("rb") as stream:
            data = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise CamcensusError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    evidence = parse_nmap_xml(data)  # a bad report fails here: no database is created
    devices = merge(evidence, policy, site)
    with Inventory.open(args.db) as inventory:
        scan_id = inventory.record_import(
            devices,
            operator=getpass.getuser(),
            site=site,
            options={"import": "nmap-xml", "file": args.file.name, **policy.record()},
        )
    flagged = sum(d.flagged for d in devices)
    print(f"camcensus: imported {len(devices)} device(s), {flagged} flagged (scan {scan_id})")
    return EXIT_OK
