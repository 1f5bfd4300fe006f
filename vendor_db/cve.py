"""Vulnerable firmware by version comparison only: an offline CVE data pack and its matching.

Never an exploit, never a login: a device's maker, model and firmware string (what the
scan read without credentials) are compared with per-CVE rules.  Each rule names a
maker, a model family (a regex over the model), and the affected firmware as a version
range (``from``/``to``, inclusive, or ``to_excluding``) or a build date (``build_before``,
YYMMDD, for fixes the vendor dates by build).  Three levels per device and CVE:

* ``affected``: model in the family, firmware version in the range;
* ``model-listed``: model in the family, but the firmware is unknown or its version
  cannot be compared with the rule: check the advisory;
* ``not-matched``: otherwise (a finding is only kept for the first two).

Every KEV mark carries the date of the data pack that says so.

The pack: the shipped ``vendor_db/data/cve/pack.toml`` (a small dated default, rules
written from the vendors' advisories with their sources), merged with what
``camcensus data update --from DIR`` imported (``pack.json`` in ``read_dirs("cve")``,
normalised from NVD CVE API 2.0 JSON, the CISA KEV catalogue JSON and ENISA EUVD JSON by
``parse_nvd``, ``parse_kev`` and ``parse_euvd``).  Parsing and matching are pure.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Final, Literal, cast

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db._doc import mapping, optional_text, text, texts
from camcensus.vendor_db.oui import read_dirs
from camcensus.vendor_db.vendors import VendorTable

__all__ = [
    "FIRMWARE_SOURCES",
    "LEVELS",
    "LEVEL_TEXT",
    "PACK_FILE",
    "CveEntry",
    "CvePack",
    "Finding",
    "FirmwareVersion",
    "Kev",
    "Rule",
    "VulnLevel",
    "VulnReport",
    "default_cve_pack",
    "detect_and_parse",
    "firmware_source",
    "load_cve_pack",
    "match_device",
    "merge_packs",
    "pack_from_dict",
    "pack_to_dict",
    "parse_euvd",
    "parse_firmware",
    "parse_kev",
    "parse_nvd",
    "read_json_file",
]

_log = logging.getLogger(__name__)

VulnLevel = Literal["affected", "model-listed", "not-matched"]
LEVELS: Final[tuple[VulnLevel, ...]] = ("affected", "model-listed", "not-matched")
LEVEL_TEXT: Final[Mapping[VulnLevel, str]] = {
    "affected": "affected (version in range)",
    "model-listed": "model listed, version unknown: check the advisory",
    "not-matched": "not matched",
}
FIRMWARE_SOURCES: Final = {
    "sadp.": "SADP",
    "dhip.": "DHIP",
    "netip.": "NetIP",
    "onvif.": "ONVIF",
    "isapi.": "ISAPI",
    "wsd.": "WS-Discovery",
    "snmp.": "SNMP",
    "upnp.": "UPnP",
    "mdns.": "mDNS",
}
"""Evidence key prefix -> the protocol a firmware version came from (else: banner)."""
PACK_FILE: Final = "pack.json"
_MAX_IMPORT_BYTES: Final = 512 * 1024 * 1024
_NUMBERS = re.compile(r"(\d+(?:\.\d+)+)")
_BUILD = re.compile(r"(?i)build\s*(\d{6})\b|\.R\.(\d{6})\b")
_YYMMDD = re.compile(r"^\d{6}$")
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True, order=True)
class FirmwareVersion:
    """A firmware string's dotted version numbers and its build date (YYMMDD), if any."""

    numbers: tuple[int, ...]
    build: int | None = None


def parse_firmware(raw: str | None) -> FirmwareVersion | None:
    """``V5.4.1 build 160525`` -> (5, 4, 1) build 160525; ``2.800.0000000.29.R.210630`` ->
    (2, 800, 0, 29) build 210630; None when the string holds no dotted version.

    >>> parse_firmware("V5.3.0build 151016")
    FirmwareVersion(numbers=(5, 3, 0), build=151016)
    >>> parse_firmware("unknown") is None
    True
    """
    if not raw:
        return None
    numbers = _NUMBERS.search(raw[:128])
    if numbers is None:
        return None
    build_match = _BUILD.search(raw[:128])
    build = int(next(g for g in build_match.groups() if g)) if build_match else None
    return FirmwareVersion(tuple(int(n) for n in numbers.group(1).split(".")[:8]), build)


def _cmp(a: FirmwareVersion, b: FirmwareVersion) -> int | None:
    """-1/0/1 comparing version then build; None when only a build (missing on one side)
    would decide."""
    width = max(len(a.numbers), len(b.numbers))
    na = a.numbers + (0,) * (width - len(a.numbers))
    nb = b.numbers + (0,) * (width - len(b.numbers))
    if na != nb:
        return -1 if na < nb else 1
    if a.build is None or b.build is None:
        return 0 if a.build == b.build else None
    return (a.build > b.build) - (a.build < b.build)


@dataclass(frozen=True, slots=True)
class Rule:
    """One affected family of one CVE (see the module docstring)."""

    maker: str
    family: str
    model: str
    from_version: str = ""
    to_version: str = ""
    to_excluding: str = ""
    build_before: str = ""
    sources: tuple[str, ...] = ()
    origin: str = "advisory"  # "advisory" (written by hand, cited) or "nvd" (imported CPE)

    def __post_init__(self) -> None:
        try:
            re.compile(self.model)
        except re.error as exc:
            raise VendorDataError(f"rule {self.family!r}: bad model regex: {exc}") from exc
        if self.build_before and not _YYMMDD.match(self.build_before):
            raise VendorDataError(f"rule {self.family!r}: build_before is YYMMDD")
        for bound in (self.from_version, self.to_version, self.to_excluding):
            if bound and parse_firmware(bound) is None:
                raise VendorDataError(f"rule {self.family!r}: {bound!r} is no version")

    def model_matches(self, model: str | None) -> bool:
        """Whether ``model`` is in this rule's family (case ignored)."""
        return bool(model) and re.match(self.model, str(model), re.IGNORECASE) is not None

    def in_range(self, version: FirmwareVersion) -> bool | None:
        """True/False, or None when this version cannot be compared with the rule."""
        checks: list[bool | None] = []
        if self.from_version:
            c = _cmp(version, cast(FirmwareVersion, parse_firmware(self.from_version)))
            checks.append(None if c is None else c >= 0)
        if self.to_version:
            c = _cmp(version, cast(FirmwareVersion, parse_firmware(self.to_version)))
            checks.append(None if c is None else c <= 0)
        if self.to_excluding:
            c = _cmp(version, cast(FirmwareVersion, parse_firmware(self.to_excluding)))
            checks.append(None if c is None else c < 0)
        if self.build_before:
            checks.append(None if version.build is None else version.build < int(self.build_before))
        if not checks:
            return True  # every version of the family
        if False in checks:
            return False
        return None if None in checks else True

    @property
    def range_text(self) -> str:
        """``V5.2.0 build 140721 to V5.4.0 build 160530``, ``builds before 210628``..."""
        parts = []
        if self.from_version or self.to_version:
            parts.append(f"{self.from_version or 'any'} to {self.to_version or 'any'}")
        if self.to_excluding:
            parts.append(f"before {self.to_excluding}")
        if self.build_before:
            parts.append(f"builds before {self.build_before}")
        return ", ".join(parts) or "every version"


@dataclass(frozen=True, slots=True)
class Kev:
    """A CISA KEV entry: when CISA added the CVE, the due date, and the sources."""

    date_added: str
    due_date: str = ""
    ransomware: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CveEntry:
    """One CVE of the pack: its rules, KEV status and ENISA EUVD id."""

    cve_id: str
    title: str
    rules: tuple[Rule, ...] = ()
    kev: Kev | None = None
    euvd_id: str = ""
    euvd_exploited_since: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CvePack:
    """The CVE data pack: its date (of the newest source read), what it is, its entries."""

    date: str
    title: str
    entries: Mapping[str, CveEntry] = field(default_factory=dict)
    origin: str = "shipped"

    def source_text(self) -> str:
        """``data pack 2026-12-02 (shipped)``."""
        return f"data pack {self.date} ({self.origin})"


@dataclass(frozen=True, slots=True)
class Finding:
    """One CVE matched on one device, at ``level``, and why."""

    cve_id: str
    level: VulnLevel
    title: str
    family: str
    why: str
    kev_date: str = ""
    pack_date: str = ""
    sources: tuple[str, ...] = ()

    @property
    def kev_text(self) -> str:
        """``KEV since 2026-03-05 (data pack of 2026-12-02)``, or ""."""
        if not self.kev_date:
            return ""
        return f"KEV since {self.kev_date} (data pack of {self.pack_date})"

    def line(self) -> str:
        """One line for text output and the CSV."""
        kev = f"; {self.kev_text}" if self.kev_text else ""
        return f"{self.cve_id}: {LEVEL_TEXT[self.level]} ({self.family}; {self.why}){kev}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "cve": self.cve_id,
            "level": self.level,
            "title": self.title,
            "family": self.family,
            "why": self.why,
            "kev_date": self.kev_date,
            "pack_date": self.pack_date,
            "sources": list(self.sources),
        }

    @classmethod
    def from_dict(cls, data: object) -> Finding:
        """The finding ``to_dict`` wrote; VendorDataError otherwise."""
        doc = mapping(data, "finding")
        level = doc.get("level")
        if level not in LEVELS:
            raise VendorDataError(f"finding: unknown level {level!r}")
        return cls(
            text(doc, "cve"),
            level,
            text(doc, "title"),
            text(doc, "family"),
            text(doc, "why"),
            text(doc, "kev_date"),
            text(doc, "pack_date"),
            tuple(texts(doc, "sources")),
        )


@dataclass(frozen=True, slots=True)
class VulnReport:
    """A device's vulnerable-firmware answer: the overall level, the firmware compared and
    where it came from, the pack's date, and the findings."""

    level: VulnLevel = "not-matched"
    firmware: str | None = None
    firmware_source: str = ""
    pack_date: str = ""
    findings: tuple[Finding, ...] = ()

    @property
    def text(self) -> str:
        """The overall level as a person reads it."""
        return LEVEL_TEXT[self.level]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "level": self.level,
            "text": self.text,
            "firmware": self.firmware,
            "firmware_source": self.firmware_source,
            "pack_date": self.pack_date,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: object) -> VulnReport:
        """The report ``to_dict`` wrote; VendorDataError otherwise."""
        doc = mapping(data, "vulnerabilities")
        level = doc.get("level", "not-matched")
        if level not in LEVELS:
            raise VendorDataError(f"vulnerabilities: unknown level {level!r}")
        findings = doc.get("findings", [])
        if not isinstance(findings, list):
            raise VendorDataError("vulnerabilities: 'findings' must be a list")
        return cls(
            level,
            optional_text(doc, "firmware"),
            text(doc, "firmware_source"),
            text(doc, "pack_date"),
            tuple(Finding.from_dict(f) for f in findings),
        )


def firmware_source(key: str) -> str:
    """``SADP (sadp.firmware)``, ``banner (http.server)``: where a firmware string came from."""
    for prefix, name in FIRMWARE_SOURCES.items():
        if key.startswith(prefix):
            return f"{name} ({key})"
    return f"banner ({key})"


def match_device(
    pack: CvePack, maker: str | None, model: str | None, firmware: str | None, source: str = ""
) -> VulnReport:
    """The findings of ``pack`` for a device of ``maker``/``model`` running ``firmware``."""
    version = parse_firmware(firmware)
    findings: list[Finding] = []
    for entry in pack.entries.values():
        best: Finding | None = None
        for rule in entry.rules:
            if maker is None or rule.maker != maker or not rule.model_matches(model):
                continue
            in_range = None if version is None else rule.in_range(version)
            if in_range is False:
                continue
            if in_range:
                why = f"firmware {firmware} in {rule.range_text}"
                level: VulnLevel = "affected"
            elif firmware:
                why = f"firmware {firmware} not comparable with {rule.range_text}"
                level = "model-listed"
            else:
                why = f"firmware not known; affected: {rule.range_text}"
                level = "model-listed"
            finding = Finding(
                entry.cve_id,
                level,
                entry.title,
                rule.family,
                why,
                entry.kev.date_added if entry.kev else "",
                pack.date,
                tuple(dict.fromkeys((*rule.sources, *(entry.kev.sources if entry.kev else ())))),
            )
            if best is None or (best.level != "affected" and level == "affected"):
                best = finding
        if best is not None:
            findings.append(best)
    findings.sort(key=lambda f: (LEVELS.index(f.level), f.cve_id))
    overall: VulnLevel = findings[0].level if findings else "not-matched"
    return VulnReport(overall, firmware, source, pack.date, tuple(findings))


# -- the pack as data -------------------------------------------------------------------------


def _rule_from(doc: Mapping[str, Any], where: str, refs: Mapping[str, Sequence[str]]) -> Rule:
    allowed = {"maker", "family", "model", "from", "to", "to_excluding", "build_before",
               "sources", "origin"}  # fmt: skip
    if unknown := set(doc) - allowed:
        raise VendorDataError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    d = dict(doc)
    if not isinstance(d.get("sources", []), list):
        raise VendorDataError(f"{where}: 'sources' must be a list")
    sources = [str(s) for s in d.get("sources", [])]
    urls = [u for s in sources for u in refs.get(s, [s])]
    for key in ("maker", "family", "model"):
        if not isinstance(d.get(key), str) or not d[key]:
            raise VendorDataError(f"{where}: '{key}' is required text")
    return Rule(
        d["maker"],
        d["family"],
        d["model"],
        str(d.get("from", "")),
        str(d.get("to", "")),
        str(d.get("to_excluding", "")),
        str(d.get("build_before", "")),
        tuple(urls),
        str(d.get("origin", "advisory")),
    )


def pack_from_dict(doc: Mapping[str, Any], origin: str = "shipped") -> CvePack:
    """A pack from its TOML/JSON document; VendorDataError when it is not one."""
    if doc.get("schema") != 1:
        raise VendorDataError("CVE pack: schema = 1 expected")
    date = doc.get("date")
    if not isinstance(date, str) or not _DATE.match(date):
        raise VendorDataError("CVE pack: 'date' is YYYY-MM-DD")
    raw_sources = doc.get("source", {})
    if not isinstance(raw_sources, dict):
        raise VendorDataError("CVE pack: [source.KEY] must be tables")
    refs: dict[str, Sequence[str]] = {}
    for key, src in raw_sources.items():
        if not isinstance(src, dict) or not isinstance(src.get("text"), str):
            raise VendorDataError(f"CVE pack: source {key!r} needs its 'text'")
        refs[key] = [str(u) for u in src.get("urls", [])] or [src["text"]]
    entries: dict[str, CveEntry] = {}
    cves = doc.get("cve", [])
    if not isinstance(cves, list):
        raise VendorDataError("CVE pack: [[cve]] must be a list")
    for n, raw in enumerate(cves):
        where = f"CVE pack entry #{n + 1}"
        if not isinstance(raw, dict) or not _CVE.match(str(raw.get("id", ""))):
            raise VendorDataError(f"{where}: 'id' must be a CVE id")
        cve_id = str(raw["id"])
        raw_rules = raw.get("rule", [])
        if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
            raise VendorDataError(f"{cve_id}: [[cve.rule]] must be tables")
        for key in ("sources",):
            if not isinstance(raw.get(key, []), list):
                raise VendorDataError(f"{cve_id}: '{key}' must be a list")
        rules = tuple(
            _rule_from(r, f"{cve_id} rule #{i + 1}", refs) for i, r in enumerate(raw_rules)
        )
        kev = None
        if (k := raw.get("kev")) is not None:
            if not isinstance(k, dict) or not _DATE.match(str(k.get("date_added", ""))):
                raise VendorDataError(f"{cve_id}: kev.date_added is YYYY-MM-DD")
            if not isinstance(k.get("sources", []), list):
                raise VendorDataError(f"{cve_id}: kev.sources must be a list")
            kev = Kev(
                str(k["date_added"]),
                str(k.get("due_date", "")),
                str(k.get("ransomware", "")),
                tuple(u for s in k.get("sources", []) for u in refs.get(str(s), [str(s)])),
            )
        entries[cve_id] = CveEntry(
            cve_id,
            str(raw.get("title", "")),
            rules,
            kev,
            str(raw.get("euvd_id", "")),
            str(raw.get("euvd_exploited_since", "")),
            tuple(u for s in raw.get("sources", []) for u in refs.get(str(s), [str(s)])),
        )
    return CvePack(date, str(doc.get("title", "")), entries, origin)


def pack_to_dict(pack: CvePack) -> dict[str, Any]:
    """The document ``pack_from_dict`` reads (sources written inline as URLs)."""
    cves: list[dict[str, Any]] = []
    for e in pack.entries.values():
        row: dict[str, Any] = {"id": e.cve_id, "title": e.title, "sources": list(e.sources)}
        if e.kev is not None:
            row["kev"] = {
                "date_added": e.kev.date_added,
                "due_date": e.kev.due_date,
                "ransomware": e.kev.ransomware,
                "sources": list(e.kev.sources),
            }
        if e.euvd_id:
            row["euvd_id"] = e.euvd_id
            row["euvd_exploited_since"] = e.euvd_exploited_since
        row["rule"] = [
            {
                "maker": r.maker,
                "family": r.family,
                "model": r.model,
                "from": r.from_version,
                "to": r.to_version,
                "to_excluding": r.to_excluding,
                "build_before": r.build_before,
                "sources": list(r.sources),
                "origin": r.origin,
            }
            for r in e.rules
        ]
        cves.append(row)
    return {"schema": 1, "date": pack.date, "title": pack.title, "cve": cves}


def merge_packs(base: CvePack, update: CvePack) -> CvePack:
    """``base`` with ``update`` laid over it: new CVEs added, KEV and EUVD marks of the
    update win, NVD rules added to a CVE only when the base has no (advisory) rules for it;
    the pack's date and origin are the update's."""
    entries = dict(base.entries)
    for cve_id, new in update.entries.items():
        old = entries.get(cve_id)
        if old is None:
            entries[cve_id] = new
            continue
        entries[cve_id] = replace(
            old,
            title=old.title or new.title,
            rules=old.rules or new.rules,
            kev=new.kev or old.kev,
            euvd_id=new.euvd_id or old.euvd_id,
            euvd_exploited_since=new.euvd_exploited_since or old.euvd_exploited_since,
            sources=tuple(dict.fromkeys((*old.sources, *new.sources))),
        )
    return CvePack(update.date, base.title, entries, update.origin)


# -- the published formats --------------------------------------------------------------------

_CPE_VENDORS: Final = {"dahuasecurity": "Dahua", "hikvision": "Hikvision"}
_NVD_URL: Final = "https://nvd.nist.gov/vuln/detail/"
_KEV_URL: Final = "https://www.cisa.gov/known-exploited-vulnerabilities-catalog"
_EUVD_URL: Final = "https://euvd.enisa.europa.eu/vulnerability/"


def _cpe_model(product: str) -> str:
    """``ds-2cd2xx2f-i_series_firmware`` -> a model regex (``x`` placeholders after a digit
    stand for digits)."""
    name = re.sub(r"_(series_)?firmware$", "", product).replace("_series", "").upper()
    out = ""
    for i, ch in enumerate(name):
        out += (
            r"\d"
            if ch == "X" and i and (name[i - 1].isdigit() or out.endswith(r"\d"))
            else (re.escape(ch))
        )
    return "^" + out + r"(?![0-9A-Z])"


def _nvd_rules(cve_id: str, configs: object, table: VendorTable) -> list[Rule]:
    rules: list[Rule] = []
    if not isinstance(configs, list):
        return rules
    for config in configs:
        for node in (config or {}).get("nodes", []) if isinstance(config, dict) else []:
            for m in node.get("cpeMatch", []) if isinstance(node, dict) else []:
                if not isinstance(m, dict) or not m.get("vulnerable"):
                    continue
                parts = str(m.get("criteria", "")).split(":")
                if len(parts) < 6 or parts[2] != "o":
                    continue
                vendor = _CPE_VENDORS.get(parts[3]) or (
                    v.name if (v := table.get(parts[3].replace("_", " "))) else None
                )
                if vendor is None:
                    continue  # not a maker of the vendor table: not a camera firmware
                exact = parts[5] if parts[5] not in ("*", "-", "") else ""
                from_v = str(m.get("versionStartIncluding", "")) or exact
                to_v = str(m.get("versionEndIncluding", "")) or exact
                to_x = str(m.get("versionEndExcluding", ""))
                if m.get("versionStartExcluding") or any(
                    b and parse_firmware(b) is None for b in (from_v, to_v, to_x)
                ):
                    continue  # a bound camcensus cannot compare: leave the CPE out
                rules.append(
                    Rule(
                        vendor,
                        parts[4],
                        _cpe_model(parts[4]),
                        from_v,
                        to_v,
                        to_x,
                        sources=(_NVD_URL + cve_id,),
                        origin="nvd",
                    )
                )
    return rules


def parse_nvd(doc: object, table: VendorTable, date: str) -> CvePack:
    """NVD CVE API 2.0 JSON (``{"format": "NVD_CVE", "vulnerabilities": [{"cve": ...}]}``):
    the CVEs whose CPE configurations name firmware (``cpe:2.3:o:``) of a maker in the
    vendor table, with their version ranges as rules."""
    data = mapping(doc, "NVD CVE JSON")
    vulns = data.get("vulnerabilities")
    if not isinstance(vulns, list):
        raise VendorDataError("NVD CVE JSON: 'vulnerabilities' must be a list")
    entries: dict[str, CveEntry] = {}
    for item in vulns:
        cve = item.get("cve") if isinstance(item, dict) else None
        if not isinstance(cve, dict) or not _CVE.match(str(cve.get("id", ""))):
            raise VendorDataError("NVD CVE JSON: every item holds a 'cve' with its 'id'")
        cve_id = str(cve["id"])
        rules = _nvd_rules(cve_id, cve.get("configurations", []), table)
        if not rules:
            continue
        descriptions = cve.get("descriptions", [])
        title = next(
            (str(d.get("value", ""))[:300] for d in descriptions
             if isinstance(d, dict) and d.get("lang") == "en"),
            "",
        )  # fmt: skip
        entries[cve_id] = CveEntry(cve_id, title, tuple(rules), sources=(_NVD_URL + cve_id,))
    stamp = str(data.get("timestamp", ""))[:10]
    return CvePack(stamp if _DATE.match(stamp) else date, "NVD CVE API 2.0", entries, "imported")


def parse_kev(doc: object) -> CvePack:
    """The CISA KEV catalogue JSON (``catalogVersion``, ``dateReleased``,
    ``vulnerabilities[]`` of ``cveID``, ``dateAdded``, ``dueDate``, ...): KEV marks only,
    dated by the catalogue's release."""
    data = mapping(doc, "KEV catalogue")
    released = str(data.get("dateReleased", ""))[:10]
    vulns = data.get("vulnerabilities")
    if not _DATE.match(released) or not isinstance(vulns, list):
        raise VendorDataError("KEV catalogue: 'dateReleased' and 'vulnerabilities' expected")
    entries: dict[str, CveEntry] = {}
    version = str(data.get("catalogVersion", ""))
    for item in vulns:
        if not isinstance(item, dict) or not _CVE.match(str(item.get("cveID", ""))):
            raise VendorDataError("KEV catalogue: every entry has a 'cveID'")
        added = str(item.get("dateAdded", ""))
        if not _DATE.match(added):
            raise VendorDataError(f"KEV catalogue: {item['cveID']}: 'dateAdded' is a date")
        cve_id = str(item["cveID"])
        kev = Kev(
            added[:10],
            str(item.get("dueDate", ""))[:10],
            str(item.get("knownRansomwareCampaignUse", "")),
            (f"{_KEV_URL} (catalogue {version}, released {released})",),
        )
        title = f"{item.get('vendorProject', '')} {item.get('product', '')}: " + str(
            item.get("vulnerabilityName", "")
        )
        entries[cve_id] = CveEntry(cve_id, title.strip(), kev=kev)
    return CvePack(released, f"CISA KEV {version}", entries, "imported")


def parse_euvd(doc: object, date: str) -> CvePack:
    """ENISA EUVD JSON (one record, a list of them, or ``{"items": [...]}``; each with
    ``id``, ``aliases`` naming its CVE, ``exploitedSince``): EUVD ids and exploitation dates
    of CVEs, no rules (EUVD product versions are free text); dated by the newest
    ``dateUpdated`` (else ``date``)."""
    items: object = doc
    if isinstance(doc, dict):
        items = doc.get("items", [doc])
    if not isinstance(items, list):
        raise VendorDataError("EUVD JSON: a record, a list of records or {'items': [...]}")
    entries: dict[str, CveEntry] = {}
    updated: list[str] = []
    for item in items:
        if not isinstance(item, dict) or not str(item.get("id", "")).startswith("EUVD-"):
            raise VendorDataError("EUVD JSON: every record has an 'id' EUVD-...")
        if _DATE.match(stamp := str(item.get("dateUpdated") or "")[:10]):
            updated.append(stamp)
        aliases = item.get("aliases", "")
        names = aliases.split() if isinstance(aliases, str) else [str(a) for a in aliases or []]
        since = str(item.get("exploitedSince") or "")[:10]
        for cve_id in (a for a in names if _CVE.match(a)):
            entries[cve_id] = CveEntry(
                cve_id,
                str(item.get("description", ""))[:300],
                euvd_id=str(item["id"]),
                euvd_exploited_since=since if _DATE.match(since) else "",
                sources=(_EUVD_URL + str(item["id"]),),
            )
    return CvePack(max(updated, default=date), "ENISA EUVD", entries, "imported")


def detect_and_parse(doc: object, table: VendorTable, date: str) -> tuple[str, CvePack]:
    """(format name, pack) for one downloaded JSON document; VendorDataError when it is
    none of NVD CVE 2.0, CISA KEV or ENISA EUVD."""
    if isinstance(doc, dict) and "catalogVersion" in doc:
        return "CISA KEV", parse_kev(doc)
    if isinstance(doc, dict) and (doc.get("format") == "NVD_CVE" or "vulnerabilities" in doc):
        return "NVD CVE 2.0", parse_nvd(doc, table, date)
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict) and (
        str(first.get("id", "")).startswith("EUVD-") or "items" in first
    ):
        return "ENISA EUVD", parse_euvd(doc, date)
    raise VendorDataError("not NVD CVE API 2.0, CISA KEV or ENISA EUVD JSON")


def read_json_file(path: Path) -> object:
    """One downloaded JSON file (size-capped); VendorDataError when unreadable."""
    try:
        with path.open("rb") as stream:
            data = stream.read(_MAX_IMPORT_BYTES + 1)
        if len(data) > _MAX_IMPORT_BYTES:
            raise VendorDataError(f"{path}: over the {_MAX_IMPORT_BYTES}-byte cap")
        return json.loads(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise VendorDataError(f"{path}: cannot read JSON: {exc}") from exc


# -- loading ----------------------------------------------------------------------------------


def _shipped_pack() -> CvePack:
    raw = files("camcensus.vendor_db").joinpath("data", "cve", "pack.toml").read_text("utf-8")
    try:
        return pack_from_dict(tomllib.loads(raw), "shipped")
    except tomllib.TOMLDecodeError as exc:
        raise VendorDataError(f"data/cve/pack.toml: {exc}") from exc


def load_cve_pack(imported_dirs: Iterable[Path] | None = None) -> CvePack:
    """The shipped pack with the first imported ``pack.json`` of ``imported_dirs`` (else of
    ``read_dirs("cve")``) laid over it.  An unreadable import is skipped with a warning."""
    pack = _shipped_pack()
    for directory in read_dirs("cve") if imported_dirs is None else imported_dirs:
        path = directory / PACK_FILE
        try:
            if not path.is_file():
                continue
            imported = pack_from_dict(mapping(read_json_file(path), str(path)), "imported")
        except (OSError, VendorDataError) as exc:
            _log.warning("CVE data %s skipped: %s", path, exc)
            continue
        return merge_packs(pack, imported)
    return pack


@cache
def default_cve_pack() -> CvePack:
    """The pack ``identify`` uses, read once per process."""
    return load_cve_pack()
