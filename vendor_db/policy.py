"""Flag policy: which vendor origins are flagged, and why (configuration, not code).

``Policy.load(text)`` parses a policy TOML (pure).  The named policies ship as data files,
one per policy, in ``vendor_db/data/policies/<name>.toml``, each with its title, status
(law, regulation, guidance or proposal), date, scope, the facts it judges and its
sources: ``Policy.named(name)`` reads one, ``Policy.names()`` lists them and
``Policy.default()`` is ``nl-cybercheck``.  ``Policy.decide(...)`` turns vendors into a
FlagDecision with one reason string per flagged vendor (naming the policy), the sources
behind it, and what the policy asks that camcensus cannot judge yet.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Final, Literal, cast

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db._doc import texts
from camcensus.vendor_db.vendors import LIST_FACTS, Fact, Source, Vendor, VendorTable

__all__ = [
    "DEFAULT_POLICY",
    "FLAG_LEVELS",
    "JUDGED_FACTS",
    "POLICY_STATUSES",
    "FlagDecision",
    "FlagLevel",
    "Policy",
    "PolicySource",
]

FlagLevel = Literal["flagged", "possible", "no"]
FLAG_LEVELS: Final[tuple[FlagLevel, ...]] = ("flagged", "possible", "no")

DEFAULT_POLICY: Final = "nl-cybercheck"
POLICY_STATUSES: Final = ("law", "regulation", "guidance", "proposal")
JUDGED_FACTS: Final = ("maker", "owner", "brand", "firmware_developer")
"""What a policy can judge: the maker (its own country and list entries), the owner
(the controlling owner's country), the brand on the box, the firmware developer."""
FIRMWARE_UNKNOWN: Final = (
    "firmware developer: unknown (no firmware-borne evidence names it), so not judged"
)
_JUDGED_COUNTRY = {"maker": "hq_country", "owner": "owner_country"}
_SOURCED = ("title", "status", "date", "scope", "judges", "countries", "lists")
"""The facts of a named policy that each need a source (``supports`` in its sources)."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
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
    which) or ``no``.  ``flagged`` is true for ``flagged`` alone.  ``policy`` names the
    policy that decided; ``not_judged`` says what it asks that could not be judged (the
    firmware developer, say), flagged or not.
    """

    flagged: bool
    reasons: tuple[str, ...] = ()
    list_status: str = ""
    sources: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    level: FlagLevel = "no"
    policy: str = ""
    not_judged: tuple[str, ...] = ()

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
            "policy": self.policy,
            "not_judged": list(self.not_judged),
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
        policy = doc.get("policy", "")  # absent in flags written before named policies
        if not isinstance(flagged, bool) or not isinstance(status, str):
            raise VendorDataError("flag: 'flagged' is true/false and 'list_status' text")
        if not isinstance(policy, str):
            raise VendorDataError("flag: 'policy' is text")
        if level not in FLAG_LEVELS or (level == "flagged") != flagged:
            raise VendorDataError(f"flag: level {level!r} does not fit flagged = {flagged}")
        return cls(
            flagged,
            tuple(texts(doc, "reasons")),
            status,
            tuple(texts(doc, "sources")),
            tuple(texts(doc, "unverified")),
            level,
            policy,
            tuple(texts(doc, "not_judged")),
        )


def _text_list(doc: Mapping[str, Any], key: str, default: Sequence[str]) -> tuple[str, ...]:
    value = doc.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VendorDataError(f"policy: '{key}' must be a list of strings")
    return tuple(value)


def _text(doc: Mapping[str, Any], key: str, default: str = "") -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise VendorDataError(f"policy: '{key}' must be a string")
    return value


@dataclass(frozen=True, slots=True)
class PolicySource(Source):
    """One source of a policy (a vendor-table Source), the facts of the policy it backs,
    and whether it is verified (``note`` says why not)."""

    supports: tuple[str, ...] = ()
    verified: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "text": self.text,
            "urls": list(self.urls),
            "date": self.date,
            "supports": list(self.supports),
            "verified": self.verified,
            "note": self.note,
        }


def _sources(doc: Mapping[str, Any]) -> tuple[PolicySource, ...]:
    raw = doc.get("source", {})
    if not isinstance(raw, dict):
        raise VendorDataError("policy: [source.KEY] must be tables")
    out: list[PolicySource] = []
    for key, row in raw.items():
        where = f"policy source {key!r}"
        if not isinstance(row, dict):
            raise VendorDataError(f"{where}: must be a table")
        if unknown := set(row) - {"text", "urls", "date", "supports", "verified", "note"}:
            raise VendorDataError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
        supports = _text_list(row, "supports", ())
        if bad := set(supports) - set(_SOURCED):
            raise VendorDataError(f"{where}: supports unknown fact(s) {sorted(bad)}")
        verified = row.get("verified", True)
        if not isinstance(verified, bool):
            raise VendorDataError(f"{where}: 'verified' must be true or false")
        note = _text(row, "note")
        if not verified and not note:
            raise VendorDataError(f"{where}: an unverified source needs a note saying why")
        text = _text(row, "text")
        if not text:
            raise VendorDataError(f"{where}: 'text' says what the source is")
        out.append(
            PolicySource(
                key, text, _text_list(row, "urls", ()), _text(row, "date"), supports, verified, note
            )
        )
    return tuple(out)


def _judges(doc: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(judges, country facts, brand judged): from ``judges``, or from the older
    ``country_facts``/``flag_brand`` keys (a policy file written before ``judges``)."""
    if "judges" in doc:
        if "country_facts" in doc or "flag_brand" in doc:
            raise VendorDataError(
                "policy: give 'judges', or the older 'country_facts'/'flag_brand', not both"
            )
        judges = _text_list(doc, "judges", ())
        if bad := set(judges) - set(JUDGED_FACTS):
            raise VendorDataError(
                f"policy: unknown judged fact(s) {sorted(bad)}; known: {JUDGED_FACTS}"
            )
        if not judges:
            raise VendorDataError("policy: 'judges' names at least one fact")
        facts = tuple(f for f in _COUNTRY_FACTS if any(_JUDGED_COUNTRY.get(j) == f for j in judges))
        return tuple(j for j in JUDGED_FACTS if j in judges), facts, "brand" in judges
    country_facts = _text_list(doc, "country_facts", _COUNTRY_FACTS)
    if bad := set(country_facts) - set(_COUNTRY_FACTS):
        raise VendorDataError(f"policy: unknown country fact(s) {sorted(bad)}")
    flag_brand = doc.get("flag_brand", True)
    if not isinstance(flag_brand, bool):
        raise VendorDataError("policy: 'flag_brand' is true/false")
    judged = {j for j, f in _JUDGED_COUNTRY.items() if f in country_facts} | {"maker"}
    if flag_brand:
        judged.add("brand")
    return tuple(j for j in JUDGED_FACTS if j in judged), country_facts, flag_brand


_KEYS = frozenset(
    {
        "name", "title", "status", "date", "scope", "judges", "countries", "lists",
        "interpretation", "not_judged", "source", "country_facts", "flag_brand",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Policy:
    """Which origins to flag: countries (of the maker and/or owner) and US lists, with
    what the policy is (title, status, date, scope), its sources and a hash of its text."""

    name: str = "default"
    countries: frozenset[str] = field(default_factory=lambda: frozenset({"CN", "RU", "IR", "KP"}))
    country_facts: tuple[str, ...] = _COUNTRY_FACTS
    lists: tuple[str, ...] = LIST_FACTS
    flag_brand: bool = True
    judges: tuple[str, ...] = ("maker", "owner", "brand")
    title: str = ""
    status: str = ""
    date: str = ""
    scope: str = ""
    interpretation: str = ""
    not_judged: tuple[str, ...] = ()
    sources: tuple[PolicySource, ...] = ()
    sha256: str = ""

    @classmethod
    def load(cls, text: str) -> Policy:
        """Parse a policy TOML text; VendorDataError when invalid.

        A named policy (one with a ``title``) must also say its status, date, scope and
        judged facts, and each of them, its countries and lists must be backed by a source.
        """
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise VendorDataError(f"policy: {exc}") from exc
        unknown = set(doc) - _KEYS
        if unknown:
            raise VendorDataError(f"policy: unknown setting(s) {', '.join(sorted(unknown))}")
        countries = _text_list(doc, "countries", ())
        for c in countries:
            if len(c) != 2 or not c.isalpha() or not c.isupper():
                raise VendorDataError(f"policy: country {c!r} is not an ISO 3166 alpha-2 code")
        judges, country_facts, flag_brand = _judges(doc)
        lists = _text_list(doc, "lists", LIST_FACTS)
        if bad := set(lists) - set(LIST_FACTS):
            raise VendorDataError(f"policy: unknown list(s) {sorted(bad)}; known: {LIST_FACTS}")
        name = doc.get("name", "custom")
        if not isinstance(name, str):
            raise VendorDataError("policy: 'name' is a string")
        status = _text(doc, "status")
        if status and status not in POLICY_STATUSES:
            raise VendorDataError(f"policy: status {status!r} is not one of {POLICY_STATUSES}")
        date = _text(doc, "date")
        if date and not _DATE.match(date):
            raise VendorDataError(f"policy: date {date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        not_judged = _text_list(doc, "not_judged", ())
        policy = cls(
            name,
            frozenset(countries),
            country_facts,
            lists,
            flag_brand,
            judges,
            _text(doc, "title"),
            status,
            date,
            _text(doc, "scope"),
            _text(doc, "interpretation"),
            not_judged,
            _sources(doc),
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        if policy.title:
            policy._check_named(doc)
        return policy

    def _check_named(self, doc: Mapping[str, Any]) -> None:
        where = f"policy {self.name!r}"
        if not _NAME.match(self.name):
            raise VendorDataError(f"{where}: a name is lower-case letters, digits and '-'")
        for key in ("status", "date", "scope"):
            if not getattr(self, key):
                raise VendorDataError(f"{where}: a named policy says its {key}")
        if "judges" not in doc:
            raise VendorDataError(f"{where}: a named policy says which facts it 'judges'")
        if not self.sources:
            raise VendorDataError(f"{where}: a named policy cites its [source.KEY]")
        supported = {fact for src in self.sources for fact in src.supports}
        if missing := [f for f in _SOURCED if f not in supported]:
            raise VendorDataError(f"{where}: no source supports {', '.join(missing)}")

    @classmethod
    def default(cls) -> Policy:
        """The shipped default policy, ``nl-cybercheck``."""
        return cls.named(DEFAULT_POLICY)

    @classmethod
    def named(cls, name: str) -> Policy:
        """The shipped policy of this name; VendorDataError when there is none."""
        if name not in _policy_names():
            raise VendorDataError(
                f"unknown policy {name!r}; the named policies: {', '.join(_policy_names())}"
            )
        return _named_policy(name)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names of the shipped policies, sorted."""
        return _policy_names()

    @property
    def label(self) -> str:
        """The name, with the status when the policy is not law (``eu-x (proposal)``)."""
        return f"{self.name} ({self.status})" if self.status == "proposal" else self.name

    def record(self) -> dict[str, str]:
        """What a scan records of the policy it ran with."""
        return {"policy": self.name, "policy_sha256": self.sha256}

    def source_urls(self) -> tuple[str, ...]:
        """The URLs (or texts, where a source has none) of the policy's own sources."""
        urls: dict[str, None] = {}
        for src in self.sources:
            urls.update(dict.fromkeys(src.urls or (src.text,)))
        return tuple(urls)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the policy (``camcensus policies --json``)."""
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "date": self.date,
            "scope": self.scope,
            "judges": list(self.judges),
            "countries": sorted(self.countries),
            "lists": list(self.lists),
            "interpretation": self.interpretation,
            "not_judged": list(self.not_judged),
            "sources": [s.to_dict() for s in self.sources],
            "sha256": self.sha256,
            "default": self.name == DEFAULT_POLICY,
        }

    def vendor_hits(self, vendor: Vendor) -> list[Fact]:
        """The facts of ``vendor`` this policy flags on (lists first, then countries)."""
        hits = [vendor.fact(n) for n in self.lists if vendor.fact(n).is_yes]
        hits += [f for n in self.country_facts if (f := vendor.fact(n)).value in self.countries]
        return hits

    def reason(
        self, vendor: Vendor, hits: Sequence[Fact], role: str = "", *, firmware: bool = False
    ) -> str:
        """``Hikvision: owner ... (CN, state-owned) [policy nl-cybercheck]``: the vendor
        (after its ``role`` when it is not the maker: ``firmware developer HiSilicon: ...``),
        each fact the policy flags on (``firmware``: the vendor develops the firmware too,
        and the policy judges that), and the policy's name."""
        parts: list[str] = []
        for fact in hits:
            mark = " (unverified)" if not fact.verified else ""
            if fact.name in _LIST_TEXT:
                since = f" since {fact.since}" if fact.since else ""
                parts.append(f"{_LIST_TEXT[fact.name]}{since}{mark}")
        owner = vendor.fact("owner_country")
        hq = vendor.fact("hq_country")
        hit_names = {f.name for f in hits}
        if hit_names & set(_COUNTRY_FACTS) and "owner_country" in self.country_facts:
            state = vendor.fact("state_owned").value
            state_text = {"yes": ", state-owned", "unknown": ", state ownership unknown"}.get(
                state, ""
            )
            mark = " (unverified)" if not owner.verified else ""
            parts.append(f"owner {vendor.fact('parent').value} ({owner.value}{state_text}){mark}")
            if hq.value != owner.value:
                parts.append(f"HQ {hq.value}")
        elif "hq_country" in hit_names:
            parts.append(f"HQ {hq.value}" + (" (unverified)" if not hq.verified else ""))
        if firmware:
            parts.append("also the firmware developer")
        who = f"{role} {vendor.name}" if role else vendor.name
        return f"{who}: " + "; ".join(parts) + f" [policy {self.label}]"

    def decide(
        self,
        table: VendorTable,
        maker: Vendor | None,
        brand: Vendor | None,
        *,
        caveats: Sequence[str] = (),
        weak: str | None = None,
        firmware_developer: Vendor | None = None,
        firmware_from_sdk: bool = False,
    ) -> FlagDecision:
        """Flag decision for a device made by ``maker``, labelled ``brand``, whose firmware
        ``firmware_developer`` develops (judged when the policy judges it).

        ``weak`` says why the maker evidence is too weak to flag on (then the level is
        ``possible``, and that reason is given last).  A flag on a firmware developer
        known only as the SoC/SDK vendor of reference firmware (``firmware_from_sdk``) is
        ``possible`` too."""
        involved: list[tuple[Vendor, str]] = [(v, "") for v in (maker,) if v is not None]
        if brand is not None and brand is not maker and (self.flag_brand or maker is None):
            involved.append((brand, ""))
        judges_firmware = "firmware_developer" in self.judges
        if (
            judges_firmware
            and firmware_developer is not None
            and all(v is not firmware_developer for v, _ in involved)
        ):
            involved.append((firmware_developer, "firmware developer"))
        reasons: list[str] = []
        sources: list[str] = []
        unverified: list[str] = []
        firmware_only = True
        for vendor, role in involved:
            hits = self.vendor_hits(vendor)
            if hits:
                also = judges_firmware and not role and vendor is firmware_developer
                reasons.append(self.reason(vendor, hits, role, firmware=also))
                firmware_only = firmware_only and role == "firmware developer"
                for fact in hits:
                    sources.extend(table.source_urls(fact.sources))
            for fact in vendor.unverified_facts():
                unverified.append(f"{vendor.name}: {fact.name} = {fact.value} ({fact.note})")
        if reasons and firmware_only and firmware_from_sdk and weak is None:
            weak = (
                f"the firmware developer {firmware_developer.name if firmware_developer else ''} "
                "is known only as the SoC/SDK vendor of the reference firmware"
            )
        not_judged = self.not_judged
        if judges_firmware and firmware_developer is None:
            not_judged = (FIRMWARE_UNKNOWN, *not_judged)
        level: FlagLevel = "no"
        if reasons:
            sources.extend(self.source_urls())
            unverified.extend(
                f"policy {self.name}: source {s.key} ({s.note})"
                for s in self.sources
                if not s.verified
            )
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
            self.name,
            not_judged,
        )


def _policy_dir() -> Traversable:
    return files("camcensus.vendor_db").joinpath("data", "policies")


@cache
def _policy_names() -> tuple[str, ...]:
    suffix = ".toml"
    return tuple(
        sorted(e.name[: -len(suffix)] for e in _policy_dir().iterdir() if e.name.endswith(suffix))
    )


@cache
def _named_policy(name: str) -> Policy:
    text = _policy_dir().joinpath(f"{name}.toml").read_text(encoding="utf-8")
    policy = Policy.load(text)
    if policy.name != name or not policy.title:
        raise VendorDataError(f"policies/{name}.toml: a named policy with name = {name!r}")
    return policy
