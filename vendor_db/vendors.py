"""The vendor-origin table: who makes what, who owns them, and which US lists name them.

``parse_vendors(text)`` is pure; ``load_vendors()`` reads the shipped
``vendor_db/data/vendors.toml`` once.  Every fact carries its sources (keys into the
table's ``[source]`` section, each with URLs and the date of the copy read) and is
marked ``verified = false`` where it rests on general knowledge or one secondary source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal

from camcensus.base.errors import VendorDataError

__all__ = [
    "FACT_NAMES",
    "LIST_FACTS",
    "Fact",
    "MadeBy",
    "Source",
    "Vendor",
    "VendorTable",
    "load_vendors",
    "normalise_name",
    "parse_vendors",
]

LIST_FACTS: Final = ("ndaa_889", "fcc_covered", "entity_list", "dod_1260h")
FACT_NAMES: Final = ("parent", "hq_country", "owner_country", "state_owned", *LIST_FACTS)
VendorKind = Literal["maker", "brand", "chip", "module", "software"]
_KINDS: Final[dict[str, VendorKind]] = {
    "maker": "maker",
    "brand": "brand",
    "chip": "chip",
    "module": "module",
    "software": "software",
}
_MIN_WORD_ALIAS_LEN: Final = 4


@dataclass(frozen=True, slots=True)
class Source:
    """One cited source: what it is, where it lives, and the date of the copy read."""

    key: str
    text: str
    urls: tuple[str, ...]
    date: str


@dataclass(frozen=True, slots=True)
class Fact:
    """One sourced fact about a vendor (``value`` is text; lists use yes/no/unknown)."""

    name: str
    value: str
    sources: tuple[str, ...]
    since: str | None = None
    verified: bool = True
    note: str | None = None

    @property
    def is_yes(self) -> bool:
        """True when the fact is a list membership or flag that holds."""
        return self.value == "yes"


@dataclass(frozen=True, slots=True)
class MadeBy:
    """A brand's maker (white-label / OEM); ``strength`` is documented or reported."""

    maker: str
    strength: Literal["documented", "reported"]
    evidence: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vendor:
    """One row of the vendor-origin table."""

    name: str
    kind: VendorKind
    aliases: tuple[str, ...]
    facts: Mapping[str, Fact]
    unverified_aliases: tuple[str, ...] = ()
    vendor_codes: tuple[str, ...] = ()
    banners: tuple[str, ...] = ()
    oui_org_regex: str | None = None
    pens: tuple[int, ...] = ()
    made_by: MadeBy | None = None
    owned_by: str | None = None
    """The vendor in this table that owns this one (Pelco, Avigilon: Motorola Solutions),
    so evidence naming only the owner (its IEEE block) supports this one, not another."""
    confidence: str = "unknown"
    notes: str = ""

    def fact(self, name: str) -> Fact:
        """The named fact (every vendor has all of ``FACT_NAMES``)."""
        return self.facts[name]

    def unverified_facts(self) -> tuple[Fact, ...]:
        """Facts marked ``verified = false``, in ``FACT_NAMES`` order."""
        return tuple(f for n in FACT_NAMES if not (f := self.facts[n]).verified)

    def list_status(self) -> str:
        """Short list status, e.g. ``NDAA889; FCC Covered 2021-03-12; Entity List 2019-10-09``."""
        parts: list[str] = []
        labels = {
            "ndaa_889": "NDAA889",
            "fcc_covered": "FCC Covered",
            "entity_list": "Entity List",
            "dod_1260h": "1260H",
        }
        for name in LIST_FACTS:
            fact = self.facts[name]
            if not fact.is_yes:
                continue
            text = labels[name]
            if fact.since and name in ("fcc_covered", "entity_list"):
                text += f" {fact.since}"
            if not fact.verified:
                text += " (unverified)"
            parts.append(text)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class VendorTable:
    """All vendors, the sources they cite, and compiled lookup indexes."""

    vendors: tuple[Vendor, ...]
    sources: Mapping[str, Source]
    _by_name: Mapping[str, Vendor] = field(repr=False)
    _by_code: Mapping[str, Vendor] = field(repr=False)
    _words: tuple[tuple[re.Pattern[str], Vendor], ...] = field(repr=False)
    _org: tuple[tuple[re.Pattern[str], Vendor], ...] = field(repr=False)
    _by_pen: Mapping[int, Vendor] = field(repr=False)

    def get(self, name: str) -> Vendor | None:
        """The vendor with this canonical name or alias (case and punctuation ignored)."""
        return self._by_name.get(normalise_name(name))

    def __getitem__(self, name: str) -> Vendor:
        vendor = self.get(name)
        if vendor is None:
            raise KeyError(name)
        return vendor

    def find(self, text: str, *, allow_codes: bool = False) -> Vendor | None:
        """The vendor a free-text label names: exact alias, short code, then alias as a word."""
        key = normalise_name(text)
        if not key:
            return None
        if vendor := self._by_name.get(key):
            return vendor
        if allow_codes and (vendor := self._by_code.get(key)):
            return vendor
        for pattern, vendor in self._words:
            if pattern.search(text):
                return vendor
        return None

    def by_oui_org(self, organisation: str) -> Vendor | None:
        """The vendor whose IEEE organisation regex matches ``organisation``."""
        for pattern, vendor in self._org:
            if pattern.search(organisation):
                return vendor
        return None

    def by_pen(self, pen: int) -> Vendor | None:
        """The vendor registered under an IANA Private Enterprise Number."""
        return self._by_pen.get(pen)

    def source_urls(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """URLs of the cited sources, in order, without duplicates."""
        urls: dict[str, None] = {}
        for key in keys:
            src = self.sources.get(key)
            if src is not None:
                urls.update(dict.fromkeys(src.urls or (src.text,)))
        return tuple(urls)


def normalise_name(text: str) -> str:
    """Case-fold and drop punctuation so ``HIKVISION`` == ``Hikvision`` == ``hikvision.``."""
    return " ".join(re.sub(r"[^\w&+]+", " ", text.casefold()).split())


def _str(row: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = row.get(key, default)
    if not isinstance(value, str):
        raise VendorDataError(f"{where}: '{key}' must be a string")
    return value


def _strs(row: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VendorDataError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _fact(name: str, raw: object, where: str, sources: Mapping[str, Source]) -> Fact:
    if not isinstance(raw, dict):
        raise VendorDataError(f"{where}: fact '{name}' missing or not a table")
    fw = f"{where}.{name}"
    refs = _strs(raw, "sources", fw)
    if not refs:
        raise VendorDataError(f"{fw}: a fact needs at least one source")
    for ref in refs:
        if ref not in sources:
            raise VendorDataError(f"{fw}: unknown source key {ref!r}")
    value = _str(raw, "value", fw)
    if name in LIST_FACTS and value not in ("yes", "no", "unknown"):
        raise VendorDataError(f"{fw}: list facts are yes/no/unknown, not {value!r}")
    since = raw.get("since")
    if since is not None and not isinstance(since, str):
        raise VendorDataError(f"{fw}: 'since' must be a string date")
    verified = raw.get("verified", True)
    if not isinstance(verified, bool):
        raise VendorDataError(f"{fw}: 'verified' must be true or false")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise VendorDataError(f"{fw}: 'note' must be a string")
    if not verified and not note:
        raise VendorDataError(f"{fw}: an unverified fact needs a note saying why")
    return Fact(name, value, refs, since, verified, note)


def _compile(regex: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(regex)
    except re.error as exc:
        raise VendorDataError(f"{where}: bad regex {regex!r}: {exc}") from exc


def parse_vendors(text: str) -> VendorTable:
    """Parse and validate a vendor table (TOML text); raise VendorDataError when invalid."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VendorDataError(f"vendor table: {exc}") from exc
    sources: dict[str, Source] = {}
    for key, raw in doc.get("source", {}).items():
        where = f"source {key!r}"
        if not isinstance(raw, dict):
            raise VendorDataError(f"{where}: must be a table")
        sources[key] = Source(
            key, _str(raw, "text", where), _strs(raw, "urls", where), _str(raw, "date", where)
        )
    vendors: list[Vendor] = []
    for i, row in enumerate(doc.get("vendor", [])):
        where = f"vendor #{i + 1}"
        name = _str(row, "name", where)
        where = f"vendor {name!r}"
        kind = _str(row, "kind", where, "maker")
        if kind not in _KINDS:
            raise VendorDataError(f"{where}: unknown kind {kind!r}")
        facts = {n: _fact(n, row.get(n), where, sources) for n in FACT_NAMES}
        made_by = None
        if (mb := row.get("made_by")) is not None:
            strength = _str(mb, "strength", f"{where}.made_by")
            if strength not in ("documented", "reported"):
                raise VendorDataError(f"{where}.made_by: strength must be documented/reported")
            made_by = MadeBy(
                _str(mb, "maker", f"{where}.made_by"),
                "documented" if strength == "documented" else "reported",
                _str(mb, "evidence", f"{where}.made_by"),
                _strs(mb, "sources", f"{where}.made_by"),
            )
        pens = row.get("pens", [])
        if not isinstance(pens, list) or not all(isinstance(p, int) for p in pens):
            raise VendorDataError(f"{where}: 'pens' must be a list of integers")
        regex = row.get("oui_org_regex")
        if regex is not None:
            _compile(_str(row, "oui_org_regex", where), where)
        vendors.append(
            Vendor(
                name=name,
                kind=_KINDS[kind],
                aliases=_strs(row, "aliases", where),
                facts=facts,
                unverified_aliases=_strs(row, "unverified_aliases", where),
                vendor_codes=_strs(row, "vendor_codes", where),
                banners=_strs(row, "banners", where),
                oui_org_regex=regex,
                pens=tuple(pens),
                made_by=made_by,
                owned_by=_str(row, "owned_by", where) if "owned_by" in row else None,
                confidence=_str(row, "confidence", where, "unknown"),
                notes=_str(row, "notes", where, ""),
            )
        )
    return _index(tuple(vendors), sources)


def _index(vendors: tuple[Vendor, ...], sources: dict[str, Source]) -> VendorTable:
    by_name: dict[str, Vendor] = {}
    by_code: dict[str, Vendor] = {}
    words: list[tuple[re.Pattern[str], Vendor]] = []
    by_pen: dict[int, Vendor] = {}
    for v in vendors:
        for alias in (v.name, *v.aliases, *v.unverified_aliases):
            key = normalise_name(alias)
            other = by_name.setdefault(key, v)
            if other is not v and alias != v.name:
                raise VendorDataError(f"alias {alias!r} names both {other.name} and {v.name}")
            if len(key) >= _MIN_WORD_ALIAS_LEN and alias not in v.unverified_aliases:
                words.append((re.compile(rf"(?i)(?<![\w-]){re.escape(alias)}(?![\w-])"), v))
        for code in v.vendor_codes:
            by_code.setdefault(normalise_name(code), v)
        for pen in v.pens:
            by_pen.setdefault(pen, v)
    # longer aliases first, so "Hikvision" inside "Prama Hikvision" loses to a longer name
    words.sort(key=lambda pv: -len(pv[0].pattern))
    org = tuple((re.compile(v.oui_org_regex), v) for v in vendors if v.oui_org_regex)
    names = {v.name for v in vendors}
    for v in vendors:
        if v.made_by is not None and v.made_by.maker not in names:
            raise VendorDataError(f"vendor {v.name!r}: made_by {v.made_by.maker!r} not in table")
        if v.owned_by is not None and v.owned_by not in names:
            raise VendorDataError(f"vendor {v.name!r}: owned_by {v.owned_by!r} not in table")
    return VendorTable(vendors, sources, by_name, by_code, tuple(words), org, by_pen)


@cache
def load_vendors() -> VendorTable:
    """The shipped vendor table (read once)."""
    text = files("camcensus.vendor_db").joinpath("data", "vendors.toml").read_text(encoding="utf-8")
    return parse_vendors(text)
