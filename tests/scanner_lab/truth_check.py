"""Compare a scan's devices with the lab's [truth]: one mismatch line per wrong field.

Names are judged with the corpus's own table of makers and brands
(tests/corpus/makers.toml: the names each goes by, written from sources), never with
camcensus' vendor table: "Axis Communications" is right for truth "Axis" because the
table says Axis goes by that name, not because camcensus says so.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from camcensus.lab.api import Lab

_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
sys.path.insert(0, str(_CORPUS))

from corpus import names_maker  # noqa: E402


def _words(text: str | None) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in (text or "").casefold()).split()]


@cache
def _brands() -> dict[str, tuple[str, ...]]:
    doc = tomllib.loads((_CORPUS / "makers.toml").read_text(encoding="utf-8"))
    return {name: tuple(entry["names"]) for name, entry in doc.get("brand", {}).items()}


def _same_maker(truth: str, found: str | None) -> bool:
    if not truth:
        return not found  # a randomised MAC names nobody, and the scan must say nobody
    return names_maker(found, truth)


def _same_brand(truth: str, found: str | None) -> bool:
    names = _brands().get(truth, (truth,))
    got = _words(found)
    return any(got[: len(w)] == w for w in map(_words, names))


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
        maker = str(truth["maker"])
        if not _same_maker(maker, found.get("maker")):
            problems.append(f"{where}: maker {found['maker']!r}, truth {maker!r}")
        brand = str(truth.get("brand") or "")
        white_label = brand and not _same_brand(brand, maker)
        if white_label and not _same_brand(brand, found.get("brand")):
            problems.append(f"{where}: brand {found.get('brand')!r}, truth {brand!r}")
        if truth.get("model") and _norm(found["model"]) != _norm(str(truth["model"])):
            problems.append(f"{where}: model {found['model']!r}, truth {truth['model']!r}")
        if truth.get("firmware") and _squash(found["firmware"]) != _squash(str(truth["firmware"])):
            problems.append(f"{where}: firmware {found['firmware']!r}, truth {truth['firmware']!r}")
        if bool(found["flagged"]) != bool(truth["flagged"]):
            problems.append(f"{where}: flagged {found['flagged']}, truth {truth['flagged']}")
    return problems


def wrong_by_field(problems: Iterable[str]) -> dict[str, set[str]]:
    """The addresses each field is wrong for, from ``field_mismatches`` lines (a device
    not found is under ``"not"``)."""
    wrong: dict[str, set[str]] = {}
    for line in problems:
        ip, rest = line.split(" ", 1)
        field = rest.split(": ", 1)[1].split(" ", 1)[0]
        wrong.setdefault(field, set()).add(ip)
    return wrong
