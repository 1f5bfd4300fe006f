"""Typed evidence: the one currency between probes, identification and storage."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["Evidence", "known_keys"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observed fact about one device.

    key:    a dotted name from ``camcensus/base/fields.txt`` (e.g. ``http.server``)
    value:  the observed text, verbatim as the device sent it (never trusted)
    source: the probe that saw it (``arp``, ``wsd``, ``sadp``, ``http`` ...)
    address: the IP address it was seen at ("" when not address-bound)
    """

    key: str
    value: str
    source: str = ""
    address: str = ""


@cache
def known_keys() -> frozenset[str]:
    """The evidence-key vocabulary from ``fields.txt`` (comments and blanks skipped)."""
    text = files("camcensus.base").joinpath("fields.txt").read_text(encoding="utf-8")
    keys = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(k for k in keys if k)
