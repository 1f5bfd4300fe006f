"""Typed evidence: the one currency between probes, identification and storage."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

__all__ = ["FAMILIES", "Evidence", "family_keys", "known_keys"]


FAMILIES: Final = ("model", "serial", "firmware")
"""Key families: a fingerprint with ``key = "model"`` matches the value of every key
tagged ``[model]`` (and every model a fingerprint extracts from other evidence)."""


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
def _vocabulary() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``(key, families)`` for every line of ``fields.txt``: the key, then any
    ``[family]`` tags, then an optional ``#`` comment."""
    text = files("camcensus.base").joinpath("fields.txt").read_text(encoding="utf-8")
    entries: list[tuple[str, tuple[str, ...]]] = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            tags = tuple(w[1:-1] for w in words[1:] if w.startswith("[") and w.endswith("]"))
            entries.append((words[0], tags))
    return tuple(entries)


@cache
def known_keys() -> frozenset[str]:
    """The evidence-key vocabulary from ``fields.txt`` (comments and blanks skipped)."""
    return frozenset(key for key, _tags in _vocabulary())


@cache
def family_keys(family: str) -> frozenset[str]:
    """The keys tagged ``[family]`` in ``fields.txt``: e.g. every key whose value is a
    model number (``[model]``), whichever protocol carried it."""
    return frozenset(key for key, tags in _vocabulary() if family in tags)
