"""Merge evidence into devices (pure): group by MAC, else by IP, then identify each group.

Evidence is bound to the address it was seen at. Each address's MAC is the one ARP
saw (the link layer does not lie about who answered), else the first MAC any other
reply tied to that address; addresses sharing a MAC are one device (its lowest
address is reported). Evidence not bound to an address is dropped.

A host whose maker the vendor table does not know (a PC, a printer) is named by the
IEEE organisation of its MAC block, unless the MAC is randomised; it is never
flagged for that (flags come from ``identify`` alone).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.model import DeviceObservation, device_key_for
from camcensus.vendor_db.identify import identify
from camcensus.vendor_db.oui import lookup_mac
from camcensus.vendor_db.policy import Policy

__all__ = ["LINK_SOURCES", "group_by_address", "group_devices", "mac_of", "merge", "observe"]

LINK_SOURCES: Final = frozenset({"arp", "nmap"})
"""Sources whose ``mac`` evidence comes from the link layer (preferred for identity)."""


def group_by_address(evidence: Iterable[Evidence]) -> dict[str, list[Evidence]]:
    """Evidence per address, de-duplicated, in first-seen order; unbound evidence dropped."""
    groups: dict[str, dict[Evidence, None]] = defaultdict(dict)
    for item in evidence:
        if item.address:
            groups[item.address][item] = None
    return {address: list(items) for address, items in groups.items()}


def mac_of(items: Sequence[Evidence]) -> str | None:
    """The MAC of one address: link-layer first, else the first reported one."""
    macs = [e for e in items if e.key == "mac" and e.value]
    for item in macs:
        if item.source in LINK_SOURCES:
            return item.value
    return macs[0].value if macs else None


def _ip_order(address: str) -> tuple[int, int | str]:
    try:
        return (0, int(ipaddress.ip_address(address)))
    except ValueError:
        return (1, address)


def group_devices(evidence: Iterable[Evidence]) -> list[tuple[str, str | None, list[Evidence]]]:
    """``(ip, mac, evidence)`` per device: addresses with one MAC merged, else one per IP."""
    by_address = group_by_address(evidence)
    by_key: dict[str, list[str]] = defaultdict(list)
    macs: dict[str, str | None] = {}
    for address in sorted(by_address, key=_ip_order):
        mac = mac_of(by_address[address])
        macs[address] = mac
        by_key[device_key_for(mac, address)].append(address)
    devices: list[tuple[str, str | None, list[Evidence]]] = []
    for addresses in by_key.values():
        items = [e for a in addresses for e in by_address[a]]
        devices.append((addresses[0], macs[addresses[0]], items))
    return devices


def _organisation(mac: str | None) -> str:
    if not mac:
        return ""
    info = lookup_mac(mac)
    if info.randomised or not info.organisation:
        return ""
    return info.organisation


def observe(
    ip: str, mac: str | None, items: Sequence[Evidence], policy: Policy
) -> DeviceObservation:
    """Identify one device's evidence and wrap it as a DeviceObservation."""
    ident = identify(items, policy)
    flag = ident.flag
    return DeviceObservation(
        device_key=device_key_for(mac, ip),
        ip=ip,
        mac=mac,
        maker=ident.maker or _organisation(mac),
        brand=ident.brand or "",
        model=ident.model or "",
        firmware=ident.firmware,
        device_type=ident.device_type,
        confidence=min(1.0, max(0.0, ident.confidence)),
        flagged=flag.flagged,
        flag_reasons=tuple(flag.reasons),
        list_status=flag.list_status,
        sources=tuple(flag.sources),
        identity=ident.to_dict(),
        evidence=tuple(items),
    )


def merge(evidence: Iterable[Evidence], policy: Policy | None = None) -> list[DeviceObservation]:
    """Every device in ``evidence``, identified, ordered by address."""
    pol = policy or Policy.default()
    return [observe(ip, mac, items, pol) for ip, mac, items in group_devices(evidence)]
