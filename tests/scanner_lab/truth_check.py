"""Compare a scan's devices with the lab's [truth]: one mismatch line per wrong field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from camcensus.lab.api import Lab
from camcensus.vendor_db import load_vendors


def _maker(name: str) -> str | None:
    """vendor_db's canonical name for a vendor name or alias ("Axis" -> "Axis
    Communications").  A brand is NOT turned into its maker here: the truth names the
    maker behind the label, and the scan must name it too."""
    vendor = load_vendors().get(name) if name else None
    return vendor.name if vendor is not None else None


def _label(name: str) -> str:
    """A vendor name or alias, canonical where the vendor table knows it."""
    return _maker(name) or _norm(name)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _same_vendor(expected: str, actual: str) -> bool:
    want, got = _maker(expected), _maker(actual)
    if want is not None or got is not None:
        return want == got
    # neither in the vendor table (PCs, printers): the scan reports the IEEE organisation,
    # e.g. truth "Dell" against "Dell Inc."
    expected_words = _words(expected)
    return _words(actual)[: len(expected_words)] == expected_words


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).lower()


def _squash(text: str | None) -> str:
    """Firmware without spaces: SADP 'V5.7.3build 220112' = ONVIF 'V5.7.3 build 220112'."""
    return "".join((text or "").split()).lower()


def mismatches(lab: Lab, devices: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every field of every lab device that the scan got wrong (empty list: all correct)."""
    profiles = lab.profiles()
    truth = {d.ip: (d.profile_id, profiles[d.profile_id].truth) for d in lab.devices}
    return field_mismatches(truth, devices)


def field_mismatches(
    truth_by_ip: Mapping[str, tuple[str, Mapping[str, Any]]],
    devices: Iterable[Mapping[str, Any]],
) -> list[str]:
    """Mismatch lines ``"<ip> <profile>: <field> ..."`` of ``devices`` against the truth."""
    by_ip = {str(d["ip"]): d for d in devices}
    problems: list[str] = []
    for ip, (profile_id, truth) in truth_by_ip.items():
        where = f"{ip} {profile_id}"
        found = by_ip.get(ip)
        if found is None:
            problems.append(f"{where}: not found")
            continue
        if not _same_vendor(str(truth["maker"]), str(found["maker"] or "")):
            problems.append(f"{where}: maker {found['maker']!r}, truth {truth['maker']!r}")
        brand = str(truth.get("brand") or "")
        white_label = brand and _label(brand) != _label(str(truth["maker"]))
        if white_label and _label(str(found.get("brand") or "")) != _label(brand):
            problems.append(f"{where}: brand {found.get('brand')!r}, truth {brand!r}")
        if truth.get("model") and _norm(found["model"]) != _norm(str(truth["model"])):
            problems.append(f"{where}: model {found['model']!r}, truth {truth['model']!r}")
        if truth.get("firmware") and _squash(found["firmware"]) != _squash(str(truth["firmware"])):
            problems.append(f"{where}: firmware {found['firmware']!r}, truth {truth['firmware']!r}")
        if bool(found["flagged"]) != bool(truth["flagged"]):
            problems.append(f"{where}: flagged {found['flagged']}, truth {truth['flagged']}")
    return problems
