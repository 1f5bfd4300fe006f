"""Flag policy: which vendor origins are flagged, and why (configuration, not code).

``Policy.load(text)`` parses a policy TOML (pure); ``Policy.default()`` reads the shipped
``vendor_db/data/policy.toml``.  ``Policy.decide(...)`` turns vendors into a FlagDecision
with one reason string per flagged vendor and the sources behind it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Final, Literal, cast

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db._doc import texts
from camcensus.vendor_db.vendors import LIST_FACTS, Fact, Vendor, VendorTable

__all__ = ["FLAG_LEVELS", "FlagDecision", "FlagLevel", "Policy"]

FlagLevel = Literal["flagged", "possible", "no"]
FLAG_LEVELS: Final[tuple[FlagLevel, ...]] = ("flagged", "possible", "no")

_COUNTRY_FACTS = ("owner_country", "hq_country")
_LIST_TEXT = {
    "ndaa_889": "named in NDAA FY2019 sec. 889",
    "fcc_covered": "on FCC Covered List",
    "entity_list": "on US Entity List",
    "dod_1260h": "on DoD 1260H list",
}


@dataclass(frozen=True, slots=True)
class FlagDecision:
    """Whether a device is flagged, why, and what that rests on.

    ``level`` is ``flagged`` (the policy names the maker, and the maker evidence holds),
    ``possible`` (the policy would name it, but the only evidence is weak: an open port,
    a MAC block its maker shares with phones and PCs, one weak hint; the reasons say
    which) or ``no``.  ``flagged`` is true for ``flagged`` alone.
    """

    flagged: bool
    reasons: tuple[str, ...] = ()
    list_status: str = ""
    sources: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    level: FlagLevel = "no"

    def __post_init__(self) -> None:
        if self.level not in FLAG_LEVELS:
            raise ValueError(f"unknown flag level {self.level!r}")
        if self.flagged and self.level == "no":  # FlagDecision(True): flagged
            object.__setattr__(self, "level", "flagged")
        elif self.flagged != (self.level == "flagged"):
            raise ValueError(f"flagged = {self.flagged} does not fit level {self.level!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with stable keys."""
        return {
            "flagged": self.flagged,
            "reasons": list(self.reasons),
            "list_status": self.list_status,
            "sources": list(self.sources),
            "unverified": list(self.unverified),
            "level": self.level,
        }

    @classmethod
    def from_dict(cls, data: object) -> FlagDecision:
        """The FlagDecision ``to_dict`` wrote; VendorDataError when ``data`` is not one."""
        if not isinstance(data, dict):
            raise VendorDataError("flag: expected an object")
        doc = cast("dict[str, object]", data)
        flagged = doc.get("flagged", False)
        status = doc.get("list_status", "")
        level = doc.get("level", "flagged" if flagged else "no")
        if not isinstance(flagged, bool) or not isinstance(status, str):
            raise VendorDataError("flag: 'flagged' is true/false and 'list_status' text")
        if level not in FLAG_LEVELS or (level == "flagged") != flagged:
            raise VendorDataError(f"flag: level {level!r} does not fit flagged = {flagged}")
        return cls(
            flagged,
            tuple(texts(doc, "reasons")),
            status,
            tuple(texts(doc, "sources")),
            tuple(texts(doc, "unverified")),
            level,
        )


def _text_list(doc: dict[str, Any], key: str, default: Sequence[str]) -> tuple[str, ...]:
    value = doc.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VendorDataError(f"policy: '{key}' must be a list of strings")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Policy:
    """Which origins to flag: countries (by owner/HQ) and US lists."""

    name: str = "default"
    countries: frozenset[str] = field(default_factory=lambda: frozenset({"CN", "RU", "IR", "KP"}))
    country_facts: tuple[str, ...] = _COUNTRY_FACTS
    lists: tuple[str, ...] = LIST_FACTS
    flag_brand: bool = True

    @classmethod
    def load(cls, text: str) -> Policy:
        """Parse a policy TOML text; VendorDataError when invalid."""
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise VendorDataError(f"policy: {exc}") from exc
        unknown = set(doc) - {"name", "countries", "country_facts", "lists", "flag_brand"}
        if unknown:
            raise VendorDataError(f"policy: unknown setting(s) {', '.join(sorted(unknown))}")
        countries = _text_list(doc, "countries", ())
        for c in countries:
            if len(c) != 2 or not c.isalpha() or not c.isupper():
                raise VendorDataError(f"policy: country {c!r} is not an ISO 3166 alpha-2 code")
        country_facts = _text_list(doc, "country_facts", _COUNTRY_FACTS)
        if bad := set(country_facts) - set(_COUNTRY_FACTS):
            raise VendorDataError(f"policy: unknown country fact(s) {sorted(bad)}")
        lists = _text_list(doc, "lists", LIST_FACTS)
        if bad := set(lists) - set(LIST_FACTS):
            raise VendorDataError(f"policy: unknown list(s) {sorted(bad)}; known: {LIST_FACTS}")
        name = doc.get("name", "custom")
        flag_brand = doc.get("flag_brand", True)
        if not isinstance(name, str) or not isinstance(flag_brand, bool):
            raise VendorDataError("policy: 'name' is a string and 'flag_brand' true/false")
        return cls(name, frozenset(countries), country_facts, lists, flag_brand)

    @classmethod
    def default(cls) -> Policy:
        """The shipped default policy."""
        return _default_policy()

    def vendor_hits(self, vendor: Vendor) -> list[Fact]:
        """The facts of ``vendor`` this policy flags on (lists first, then countries)."""
        hits = [vendor.fact(n) for n in self.lists if vendor.fact(n).is_yes]
        hits += [f for n in self.country_facts if (f := vendor.fact(n)).value in self.countries]
        return hits

    def reason(self, vendor: Vendor, hits: Sequence[Fact]) -> str:
        """``Hikvision: on FCC Covered List since 2021-03-12; owner ... (CN, state-owned)``."""
        parts: list[str] = []
        for fact in hits:
            mark = " (unverified)" if not fact.verified else ""
            if fact.name in _LIST_TEXT:
                since = f" since {fact.since}" if fact.since else ""
                parts.append(f"{_LIST_TEXT[fact.name]}{since}{mark}")
        owner = vendor.fact("owner_country")
        hq = vendor.fact("hq_country")
        if any(f.name in _COUNTRY_FACTS for f in hits):
            state = vendor.fact("state_owned").value
            state_text = {"yes": ", state-owned", "unknown": ", state ownership unknown"}.get(
                state, ""
            )
            parts.append(f"owner {vendor.fact('parent').value} ({owner.value}{state_text})")
            if hq.value != owner.value:
                parts.append(f"HQ {hq.value}")
        return f"{vendor.name}: " + "; ".join(parts)

    def decide(
        self,
        table: VendorTable,
        maker: Vendor | None,
        brand: Vendor | None,
        *,
        caveats: Sequence[str] = (),
        weak: str | None = None,
    ) -> FlagDecision:
        """Flag decision for a device made by ``maker`` and labelled ``brand``.

        ``weak`` says why the maker evidence is too weak to flag on (then the level is
        ``possible``, and that reason is given last)."""
        involved: list[Vendor] = [v for v in (maker,) if v is not None]
        if brand is not None and brand is not maker and (self.flag_brand or maker is None):
            involved.append(brand)
        reasons: list[str] = []
        sources: list[str] = []
        unverified: list[str] = []
        for vendor in involved:
            hits = self.vendor_hits(vendor)
            if hits:
                reasons.append(self.reason(vendor, hits))
                for fact in hits:
                    sources.extend(table.source_urls(fact.sources))
            for fact in vendor.unverified_facts():
                unverified.append(f"{vendor.name}: {fact.name} = {fact.value} ({fact.note})")
        level: FlagLevel = "no"
        if reasons:
            reasons.extend(caveats)
            level = "flagged"
            if weak is not None:
                reasons.append(f"possible only: {weak}")
                level = "possible"
        status_vendor = maker or brand
        status = status_vendor.list_status() if status_vendor is not None else ""
        return FlagDecision(
            level == "flagged",
            tuple(reasons),
            status,
            tuple(dict.fromkeys(sources)),
            tuple(dict.fromkeys(unverified)),
            level,
        )


@cache
def _default_policy() -> Policy:
    text = files("camcensus.vendor_db").joinpath("data", "policy.toml").read_text(encoding="utf-8")
    return Policy.load(text)
