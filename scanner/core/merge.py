"""Merge evidence into devices (pure): one device a MAC, else one an address.

Evidence is bound to the address it was seen at.  Each address's MAC is the one ARP
saw, on our link or in a router's ARP cache (the link layer does not lie about who
answered; a capture adds the Ethernet source of frames from its own segment), else the
first MAC any other reply tied to that address.  Addresses that share a link-layer MAC
are one device, reported at its lowest address with the evidence of all of them.  A MAC
only a device reported (ONVIF, SADP, a WS-Discovery scope) keys that address, but never
merges two: cloned firmware and hostile devices report MACs that are not theirs, so a
second address claiming the same MAC stays a device of its own, keyed by its address.
Evidence not bound to an address is dropped.

Devices of a site are keyed in it (``schema.device_key_for``): the same addresses in
two sites are two devices.

Each address keeps at most ``MAX_EVIDENCE_PER_SOURCE`` items from one source and
``MAX_EVIDENCE_PER_HOST`` in all (link-layer items first): a device that floods replies
(thousands of WS-Discovery matches with other scopes each) must not store thousands of
rows.  ``Merger.cut`` says which address lost evidence and why, for the scan's warnings.

``Merger`` is the one merge path: a scan feeds it each address as soon as that
address's probes are done and records the device it returns (a second address of a
device already recorded returns that device again, merged); an import feeds it every
address of a report at once through ``merge``.

A host whose maker the vendor table does not know (a PC, a printer) is named by the
IEEE organisation of its MAC block, unless the MAC is randomised; it is never flagged
for that (flags come from ``identify`` alone).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import Device, device_key_for
from camcensus.vendor_db.identify import identify
from camcensus.vendor_db.oui import lookup_mac
from camcensus.vendor_db.policy import Policy

__all__ = [
    "LINK_SOURCES",
    "MAX_EVIDENCE_PER_HOST",
    "MAX_EVIDENCE_PER_SOURCE",
    "Merger",
    "cap_evidence",
    "group_by_address",
    "link_mac_of",
    "mac_of",
    "merge",
    "reflag",
]

LINK_SOURCES: Final = frozenset({"arp", "kernel-arp", "nmap", "snmp-arp", "ether"})
"""Sources whose ``mac`` evidence comes from the link layer (preferred for identity):
the ARP sweep, our kernel's ARP cache after a connect sweep without root, nmap's own
ARP, a router's ARP cache read over SNMP, and a captured
frame's Ethernet source where ``scanner.core.pcap`` can tell the sender was on the
capture's segment."""
MAX_EVIDENCE_PER_SOURCE: Final = 64
"""Most evidence one address keeps from one source (a lab device of the ``all`` mix has
at most 11 from one probe)."""
MAX_EVIDENCE_PER_HOST: Final = 256
"""Most evidence one address keeps in all (a lab device has at most 46)."""


def group_by_address(evidence: Iterable[Evidence]) -> dict[str, list[Evidence]]:
    """Evidence per address, de-duplicated, in first-seen order; unbound evidence dropped."""
    groups: dict[str, dict[Evidence, None]] = defaultdict(dict)
    for item in evidence:
        if item.address:
            groups[item.address][item] = None
    return {address: list(items) for address, items in groups.items()}


def cap_evidence(address: str, items: Sequence[Evidence]) -> tuple[list[Evidence], str | None]:
    """``items`` of one address cut to the caps, in their order, and a note saying what
    was cut and why (None when nothing was)."""
    per_source: dict[str, int] = defaultdict(int)
    kept: list[Evidence] = []
    for item in items:
        per_source[item.source] += 1
        if per_source[item.source] <= MAX_EVIDENCE_PER_SOURCE:
            kept.append(item)
    if len(kept) > MAX_EVIDENCE_PER_HOST:
        first = [i for i, e in enumerate(kept) if e.source in LINK_SOURCES]
        rest = [i for i, e in enumerate(kept) if e.source not in LINK_SOURCES]
        chosen = sorted((first + rest)[:MAX_EVIDENCE_PER_HOST])
        kept = [kept[i] for i in chosen]
    if len(kept) == len(items):
        return kept, None
    loud = ", ".join(
        f"{source} {count}"
        for source, count in sorted(per_source.items(), key=lambda p: (-p[1], p[0]))
        if count > MAX_EVIDENCE_PER_SOURCE
    )
    return kept, (
        f"{address}: kept {len(kept)} of its {len(items)} evidence items "
        f"({loud or 'many sources'}; at most {MAX_EVIDENCE_PER_SOURCE} a source and "
        f"{MAX_EVIDENCE_PER_HOST} an address): the device floods replies"
    )


def link_mac_of(items: Sequence[Evidence]) -> str | None:
    """The MAC the link layer (ARP, nmap) saw answer for one address, if any."""
    return next(
        (e.value for e in items if e.key == "mac" and e.value and e.source in LINK_SOURCES),
        None,
    )


def mac_of(items: Sequence[Evidence]) -> str | None:
    """The MAC of one address: link-layer first, else the first reported one."""
    link = link_mac_of(items)
    if link is not None:
        return link
    return next((e.value for e in items if e.key == "mac" and e.value), None)


def _ip_order(address: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(address)))
    except ValueError:
        return (1, address)


def _organisation(mac: str | None) -> str:
    if not mac:
        return ""
    info = lookup_mac(mac)
    if info.randomised or not info.organisation:
        return ""
    return info.organisation


class Merger:
    """Devices built up address by address (see the module docstring)."""

    def __init__(self, policy: Policy | None = None, site: str | None = None) -> None:
        self._policy = policy or Policy.default()
        self._site = site
        self._evidence: dict[str, list[Evidence]] = {}
        self._macs: dict[str, str | None] = {}
        self._members: dict[str, list[str]] = defaultdict(list)
        self._devices: dict[str, Device] = {}
        self._cut: dict[str, str] = {}

    def add(self, address: str, items: Iterable[Evidence]) -> Device:
        """Add all evidence of one address; return the device that address belongs to,
        merged with the addresses of that device added before.

        ValueError when the address was added already (its evidence is complete when it
        is added, so a second call is a bug in the caller).
        """
        if address in self._evidence:
            raise ValueError(f"address {address} was merged already")
        own, note = cap_evidence(
            address, list(dict.fromkeys(e for e in items if e.address == address))
        )
        if note is not None:
            self._cut[address] = note
        mac = mac_of(own)
        key = device_key_for(mac, address, self._site)
        if link_mac_of(own) is None and self._members.get(key):
            # a reported MAC someone else has: no merge
            key = device_key_for(None, address, self._site)
        self._evidence[address] = own
        self._macs[address] = mac
        members = self._members[key]
        members.append(address)
        members.sort(key=_ip_order)
        device = self._identify(key, members)
        self._devices[key] = device
        return device

    def _identify(self, key: str, members: Sequence[str]) -> Device:
        items = [e for address in members for e in self._evidence[address]]
        mac = self._macs[members[0]]
        return Device(
            device_key=key,
            ip=members[0],
            mac=mac,
            identification=identify(items, self._policy),
            mac_organisation=_organisation(mac),
            addresses=tuple(members),
            evidence=tuple(items),
        )

    def cut(self, address: str) -> str | None:
        """Why ``address`` lost evidence to the caps, or None when it kept all of it."""
        return self._cut.get(address)

    def devices(self) -> list[Device]:
        """Every device so far, ordered by address."""
        return sorted(self._devices.values(), key=lambda d: _ip_order(d.ip))


def merge(
    evidence: Iterable[Evidence], policy: Policy | None = None, site: str | None = None
) -> list[Device]:
    """Every device in ``evidence``, identified, ordered by address; keyed in ``site``."""
    merger = Merger(policy, site)
    by_address = group_by_address(evidence)
    for address in sorted(by_address, key=_ip_order):
        merger.add(address, by_address[address])
    return merger.devices()


def reflag(device: Device, policy: Policy) -> Device:
    """``device`` with its flag decided again, from its own evidence, under ``policy``
    (an inventory read with another policy than the one it was scanned with).  The
    identification itself is kept as stored."""
    flag = identify(device.evidence, policy).flag
    return replace(device, identification=replace(device.identification, flag=flag))
