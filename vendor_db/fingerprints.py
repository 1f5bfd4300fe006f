"""Fingerprints as data: regexes over evidence values, each with examples that are tests.

One TOML file per evidence-key family in ``vendor_db/data/fingerprints/``::

    key = "rtsp.server"            # or keys = ["sadp.model", "onvif.model"]
    weight = 0.8                   # default claim weight of the file (recog's preference)

    [[fingerprint]]
    id = "dahua-rtsp"
    description = "Dahua RTSP server"
    pattern = '^Dahua Rtsp Server$'
    set = { maker = "Dahua", device_type = "camera" }
    examples = [{ text = "Dahua Rtsp Server", source = "rapid7/recog xml/rtsp_servers.xml" }]

Named groups (``model``, ``firmware``, ``brand``) become fields; ``expect`` lists exactly
the groups an example must extract.  For one key the first matching fingerprint wins, in
file-name order then file order (one that names no maker yields to a later match that
does).  ``parse_fingerprints(text)`` is pure; the package-data
read is ``load_fingerprints()``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Final

from camcensus.base.errors import VendorDataError
from camcensus.base.types import CLAIMABLE_DEVICE_TYPES

__all__ = [
    "OUTPUT_FIELDS",
    "Example",
    "Fingerprint",
    "FingerprintDB",
    "Match",
    "key_matches",
    "load_fingerprints",
    "parse_fingerprints",
]

OUTPUT_FIELDS: Final = frozenset({"maker", "brand", "model", "firmware", "device_type", "sdk"})
MAX_EXAMPLES: Final = 20
_DEFAULT_WEIGHT: Final = 0.8


@dataclass(frozen=True, slots=True)
class Example:
    """A value the fingerprint must match, the groups it must extract, where it was seen."""

    text: str
    expect: Mapping[str, str]
    source: str | None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One pattern over one family of evidence keys."""

    id: str
    keys: tuple[str, ...]
    pattern: re.Pattern[str]
    set: Mapping[str, str]
    weight: float
    description: str
    examples: tuple[Example, ...]
    file: str

    def groups(self) -> frozenset[str]:
        """Named groups of the pattern."""
        return frozenset(self.pattern.groupindex)


@dataclass(frozen=True, slots=True)
class Match:
    """A fingerprint hit: the fields it sets (constants plus extracted groups).

    ``under``: an earlier fingerprint that matched too but names no maker (a device
    type, a model), whose fields are kept beneath this one's.
    """

    fingerprint: Fingerprint
    fields: Mapping[str, str]
    under: Fingerprint | None = None


@dataclass(frozen=True, slots=True)
class FingerprintDB:
    """All fingerprints in match order, indexed by key."""

    fingerprints: tuple[Fingerprint, ...]
    _by_key: Mapping[str, tuple[Fingerprint, ...]] = field(repr=False)

    @classmethod
    def build(cls, fingerprints: Iterable[Fingerprint]) -> FingerprintDB:
        """Index fingerprints by key, keeping order; ids must be unique."""
        fps = tuple(fingerprints)
        seen: set[str] = set()
        by_key: dict[str, list[Fingerprint]] = {}
        for fp in fps:
            if fp.id in seen:
                raise VendorDataError(f"{fp.file}: duplicate fingerprint id {fp.id!r}")
            seen.add(fp.id)
            for key in fp.keys:
                by_key.setdefault(key, []).append(fp)
        return cls(fps, {k: tuple(v) for k, v in by_key.items()})

    def for_key(self, key: str) -> tuple[Fingerprint, ...]:
        """Fingerprints that apply to ``key`` (exact, or a family such as ``mdns.txt.*``)."""
        exact = self._by_key.get(key, ())
        family = tuple(
            fp
            for k, fps in self._by_key.items()
            if k.endswith("*") and key_matches(k, key)
            for fp in fps
        )
        return exact + family if family else exact

    def match(self, key: str, value: str) -> Match | None:
        """The first fingerprint for ``key`` whose pattern matches ``value``.

        When that one names no maker (a generic "printer" banner rule, say), the first
        later match that does name one wins, over the fields of the first: a rule that
        only says what kind of device a banner is never hides who made it.
        """
        first: Match | None = None
        for fp in self.for_key(key):
            m = fp.pattern.search(value)
            if m is None:
                continue
            fields = dict(fp.set)
            fields.update({k: v.strip() for k, v in m.groupdict().items() if v})
            if "maker" in fields:
                if first is None:
                    return Match(fp, fields)
                return Match(fp, {**first.fields, **fields}, under=first.fingerprint)
            if first is None:
                first = Match(fp, fields)
        return first


def key_matches(pattern: str, key: str) -> bool:
    """``mdns.txt.*`` admits ``mdns.txt.model``; other patterns must be equal."""
    if pattern.endswith("*"):
        return key.startswith(pattern[:-1])
    return pattern == key


def _example(raw: object, where: str) -> Example:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise VendorDataError(f"{where}: an example is a table with a 'text' string")
    expect = raw.get("expect", {})
    if not isinstance(expect, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in expect.items()
    ):
        raise VendorDataError(f"{where}: 'expect' must map group names to strings")
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        raise VendorDataError(f"{where}: 'source' must be a string")
    return Example(raw["text"], dict(expect), source)


def _fingerprint(raw: Any, keys: tuple[str, ...], weight: float, file: str) -> Fingerprint:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise VendorDataError(f"{file}: every [[fingerprint]] needs an 'id' string")
    where = f"{file}: fingerprint {raw['id']!r}"
    pattern_text = raw.get("pattern")
    if not isinstance(pattern_text, str):
        raise VendorDataError(f"{where}: 'pattern' must be a string")
    try:
        pattern = re.compile(pattern_text)
    except re.error as exc:
        raise VendorDataError(f"{where}: bad pattern: {exc}") from exc
    sets = raw.get("set", {})
    if not isinstance(sets, dict) or not all(isinstance(v, str) for v in sets.values()):
        raise VendorDataError(f"{where}: 'set' must map field names to strings")
    for name, value in sets.items():
        if name not in OUTPUT_FIELDS:
            raise VendorDataError(f"{where}: unknown field {name!r} in 'set'")
        if name == "device_type" and value not in CLAIMABLE_DEVICE_TYPES:
            raise VendorDataError(
                f"{where}: device_type must be one of {sorted(CLAIMABLE_DEVICE_TYPES)}"
            )
    for group in pattern.groupindex:
        if group not in OUTPUT_FIELDS:
            raise VendorDataError(f"{where}: named group {group!r} is not an output field")
    fw = raw.get("weight", weight)
    if not isinstance(fw, int | float) or not 0.0 < fw <= 1.0:
        raise VendorDataError(f"{where}: 'weight' must be in (0, 1]")
    examples = raw.get("examples", [])
    if not isinstance(examples, list):
        raise VendorDataError(f"{where}: 'examples' must be a list")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise VendorDataError(f"{where}: 'description' must be a string")
    return Fingerprint(
        id=raw["id"],
        keys=keys,
        pattern=pattern,
        set=dict(sets),
        weight=float(fw),
        description=description,
        examples=tuple(_example(e, f"{where} example {i + 1}") for i, e in enumerate(examples)),
        file=file,
    )


def parse_fingerprints(text: str, file: str = "<string>") -> list[Fingerprint]:
    """Parse one fingerprint file (TOML text); raise VendorDataError when invalid."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VendorDataError(f"{file}: {exc}") from exc
    key = doc.get("key")
    keys_raw = doc.get("keys", [key] if key is not None else [])
    if not keys_raw or not all(isinstance(k, str) for k in keys_raw):
        raise VendorDataError(f"{file}: needs 'key' (string) or 'keys' (list of strings)")
    weight = doc.get("weight", _DEFAULT_WEIGHT)
    if not isinstance(weight, int | float):
        raise VendorDataError(f"{file}: 'weight' must be a number")
    return [
        _fingerprint(raw, tuple(keys_raw), float(weight), file)
        for raw in doc.get("fingerprint", [])
    ]


@cache
def load_fingerprints() -> FingerprintDB:
    """All shipped fingerprint files, in file-name order (read and compiled once)."""
    directory = files("camcensus.vendor_db").joinpath("data", "fingerprints")
    fps: list[Fingerprint] = []
    for entry in sorted(directory.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            fps.extend(parse_fingerprints(entry.read_text(encoding="utf-8"), entry.name))
    return FingerprintDB.build(fps)
