"""Identification: all evidence of one device -> maker, brand, model, firmware, type, flag.

Every piece of evidence becomes zero or more Claims (field, value, weight, and the rule
that made it).  Claims for the same field and value combine as independent evidence
(noisy-or); the best-supported value wins and the losers are kept as conflicts with an
explanation.  A brand whose maker is documented in the vendor table (Ezviz -> Hikvision,
Amcrest -> Dahua, ...) adds a maker claim through that OEM relation.  Pure: data is read
once through the cached loaders.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from camcensus.base.domains import registered_name
from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import FAMILIES, Evidence, family_keys, known_keys
from camcensus.base.types import DEVICE_TYPES, DeviceType
from camcensus.vendor_db._doc import mapping, number, optional_text, texts
from camcensus.vendor_db.cve import (
    CvePack,
    VulnReport,
    default_cve_pack,
    firmware_source,
    match_device,
)
from camcensus.vendor_db.fingerprints import FingerprintDB, Match, key_matches, load_fingerprints
from camcensus.vendor_db.origin import Origin, origin_of
from camcensus.vendor_db.oui import OuiTables, default_oui_tables, lookup_mac
from camcensus.vendor_db.policy import FlagDecision, Policy
from camcensus.vendor_db.vendors import Vendor, VendorTable, load_vendors, normalise_name

__all__ = ["Claim", "Identification", "evidence_from_mapping", "identify"]

_AS_TYPE: Final[dict[str, DeviceType]] = {"camera": "camera", "nvr": "nvr", "other": "other"}
MAX_VALUE_CHARS: Final = 512
MAX_BODY_CHARS: Final = 4096
"""An HTTP body is matched over the first 4096 characters (the scanner's body evidence cap),
not 512: a vendor's API path or script name often sits past the opening of a page."""
_LONG_VALUE_KEYS: Final = frozenset({"http.body", "http.field_names"})
MAX_EVIDENCE: Final = 2000
_MAC_KEYS: Final = (
    "mac", "sadp.mac", "dhip.mac", "onvif.mac", "netip.mac", "wsd.scope.mac", "wsd.endpoint_mac",
    "eui64_mac", "ssdp.usn_mac",
)  # fmt: skip
_MAC_FACTORS: Final = {"wsd.endpoint_mac": 0.6, "ssdp.usn_mac": 0.6}
_ECHO_FACTORS: Final = {"rtsp.content_base": 0.55}
"""Keys whose value may repeat what the client asked: an RTSP server's Content-Base,
RTP-Info and ``a=control`` URLs echo the request's URL, and a capture does not say which
URL the client sent (a scan drops the ones of its own requests), so a maker's stream path
there is only weak: alone, "possible" (0.8 x 0.55 < 0.5)."""
_MAC_TEXT_KEYS: Final = frozenset({"http.realm", "rtsp.realm", "onvif.hardware_id"})
"""Keys (with the serial family) whose value some firmware sets to the unit's MAC."""
_BARE_MAC: Final = re.compile(r"((?:[0-9A-Fa-f]{2}[:-]?){5}[0-9A-Fa-f]{2})")
_MAC_TEXT_FACTOR: Final = 0.9
"""A MAC read out of a UUID counts less: a firmware SDK may reuse one node everywhere."""
#: keys whose value is a label (brand name) when no fingerprint claims it
_LABEL_KEYS: Final = {
    "onvif.manufacturer": 0.7,
    "upnp.manufacturer": 0.7,  # the device's own description names its maker, as ONVIF does
    "dhip.vendor": 0.8,
    "dhip.manufacturer": 0.7,
    "sadp.oem_info": 0.8,
    "mdns.txt.manufacturer": 0.5,
    "mdns.txt.vendor": 0.5,
    "isapi.manufacturer": 0.6,
    "recorder.vendor": 0.6,
    "wsd.scope.name": 0.65,  # the device's own name; its firmware's default names the maker
    "onvif.scope.name": 0.65,
    "wsd.scope.manufacturer": 0.7,
    "onvif.scope.manufacturer": 0.7,
    "wsd.manufacturer": 0.7,  # DPWS ThisModel: the device's own metadata, as upnp's
    "wsd.scope.hardware": 0.5,
    "onvif.scope.hardware": 0.5,
    "wsd.friendly_name": 0.5,
    "wsd.scope.other": 0.5,
    "onvif.scope.other": 0.5,
    "wsd.element": 0.5,
    "wsd.namespace": 0.5,  # a maker's own XML namespace: "http://www.sony.com/..."
    "onvif.namespace": 0.5,
    "http.field.manufacturer": 0.7,  # a device API's own manufacturer/vendor/brand field
    "http.field.nested.manufacturer": 0.45,  # the same, nested below device level: weaker
}
_NAME_KEYS: Final = frozenset({"wsd.scope.name", "onvif.scope.name"})
_USER_NAME_WEIGHT: Final = 0.5
"""The weight of a name scope that is not the firmware's default "<maker> <model>"
(``_DEFAULT_NAME``): a user sets the name (ONVIF SetScopes) after the site or room a
camera watches ("Huawei Campus Gate", "Huawei Gate 2") as often as the default stays,
so alone it names a maker only as possible."""
_DEFAULT_NAME: Final = re.compile(
    r"[A-Za-z][\w&.-]{0,30}[ _](?=[\w-]{0,40}[A-Za-z])(?=[\w-]{0,40}\d)[\w-]{4,40}"
)
"""A name scope as firmware writes it by default: one word, then one model number with
letters and digits ("HIKVISION DS-2CD2143G2-I")."""
_VENDOR_ONLY_LABELS: Final = frozenset(
    {"wsd.scope.hardware", "onvif.scope.hardware", "wsd.friendly_name", "wsd.scope.other",
     "onvif.scope.other", "wsd.namespace", "onvif.namespace", "wsd.element"}
)  # fmt: skip
"""Label keys that name a maker only when the vendor table knows the name in them (a
hardware scope or a DPWS friendly name is a model or a user's name far more often; a
scope or namespace URI names its owner, when at all, as a word of its host or path)."""
_URI_LABEL_KEYS: Final = frozenset(
    {"wsd.scope.other", "onvif.scope.other", "wsd.namespace", "onvif.namespace"}
)
_SCOPE_LABEL_KEYS: Final = frozenset(
    {"wsd.scope.name", "onvif.scope.name", "wsd.scope.hardware", "onvif.scope.hardware"}
)
_GLUED_NAME: Final = re.compile(r"([A-Za-z]{3,24})[-_]+[A-Za-z0-9]")
"""A name or hardware scope that joins the maker's name to the model with a dash or an
underscore (``HIKVISION-DS-2CD2143G2-I``): the letters before it, exact in the table."""
_SITE_KEYS: Final = {"http.field.site": 0.4}
"""Keys whose value is the registered name of a device's own web site ("axis",
"hikvision"): a vendor-table name names the maker, weakly (alone a maker of concern is only
"possible"); a name the table does not know names no one."""
_NAMED_FIRST: Final = {
    "http.server": 0.6,
    "http.title": 0.6,
    "http.realm": 0.55,
    "rtsp.server": 0.6,
    "rtsp.realm": 0.55,
    "snmp.sysdescr": 0.6,
    "ftp.banner": 0.55,
    "telnet.banner": 0.55,
    "ssdp.server": 0.5,
    "upnp.friendly_name": 0.5,
    "upnp.model_description": 0.5,
    "mdns.name": 0.5,
    "wsd.model": 0.5,  # DPWS ModelName: "Brother MFC-L2710DW series"
    "http.field.product": 0.6,
    "http.field.model": 0.55,  # "AXIS P5512", "TP-Link Archer C7 v5": led by the maker
    "http.field.nested.model": 0.45,
    "nmap.product": 0.55,  # nmap's verdict on a port: "Hikvision IP camera httpd"
    "nmap.favicon": 0.55,  # the name nmap's favicon database gives a web UI's icon
}
"""Free-text keys whose value often starts with the maker's own name ("Juniper Networks
EX2500 ...", "Microsoft-IIS/10.0", "Huawei Versatile Routing Platform"): when no
fingerprint names a maker, a vendor-table name as the value's first word(s) does."""
_NOT_A_LEADING_NAME: Final = frozenset(
    {"web service", "h264", "general", "honor", "lts", "lumi", "tapo", "vigi", "omada",
     "holosens", "icsee", "directip", "lecheng", "siveillance", "milestone", "vicon", "unv",
     "tenda", "cudy", "bolid", "qtech", "broadlink", "kstar"}
)  # fmt: skip
"""Names of the vendor table that are also ordinary words or product names, so a value
starting with them names no one ("Tenda da sole", Polish "cudy", "bolid" a racing car,
other companies' "QTECH", "Broadlink" and "KSTAR")."""
_ANOTHERS_PRODUCT: Final = frozenset({("axis", "2")})
"""Leading words that are another maker's product spelled with a vendor-table name:
Apache Axis2's home page is titled "Axis 2 - Home" (Greenbone's detect script,
Clivebi/nvtscript@65a8f07886c2ef2c10517168b7a872d9bf0dd255:gb_apache_axis2_detect.sc);
Axis cameras' titles give a model number after the name ("AXIS 2120 Network Camera")."""
_TITLE_PARTS: Final = re.compile(r"\s+[-|:\u2013\u2014\u00b7]\s+")
_SUBJECT_ORG: Final = re.compile(r"(?:^|,)\s*O=((?:[^,\\]|\\.)+)")
"""The organisation of a subject, in RFC 4514 form ("C=US,O=Acme") or OpenSSL's
one-line form ("C=, O=KONICA MINOLTA, OU=...")."""
_GREETING: Final = re.compile(r"^(?:220[- ])?(?:(?i:welcome to (?:the )?)|ET[0-9A-F]{12} )")
"""What a banner puts before the maker's name: a greeting ("Welcome to ASUS RT-AC68U FTP
service.") or the default host name Lexmark-built printers give themselves, "ET" and the
MAC ("ET0021B71A1111 Dell 2350dn Laser Printer FTP Server ...")."""
_GREETING_KEYS: Final = frozenset({"ftp.banner", "telnet.banner"})
_MODEL_TEXT_KEYS: Final = frozenset(
    {"http.title", "http.realm", "http.server", "rtsp.realm", "rtsp.server",
     "rtsp.sdp.session", "rtsp.sdp.info", "upnp.friendly_name", "upnp.model_description",
     "mdns.name", "wsd.scope.name", "onvif.scope.name", "onvif.hardware_id", "tls.subject",
     "ftp.banner", "telnet.banner", "snmp.sysdescr", "ssdp.server", "dhcp.hostname",
     "isapi.device_name", "dhip.machine_name", "netip.hostname", "onvif.profile",
     "recorder.name", "wsd.scope.hardware", "onvif.scope.hardware", "wsd.model",
     "wsd.friendly_name", "http.field.product", "http.field.device_type",
     "http.field.nested.model", "http.field.nested.device_type", "nmap.product"}
)  # fmt: skip
"""Free-text keys in which a device often writes its own model number among other words."""
_TYPE_MODEL_KEYS: Final = frozenset({"http.field.device_type"})
"""Type fields read whole with every model scheme, at ``_DERIVED``: Dahua's deviceType and
others' type fields hold the model more often than a kind ("IPC", "NVR" match no scheme)."""
_TEXT_MODEL_FACTORS: Final = {"http.field.nested.model": 0.6, "http.field.nested.device_type": 0.6}
"""Keys whose model-in-text claims are weaker than ``_TEXT_MODEL``: a field nested below
device level (bodyfields' nested tier) is the device's more often than not, but a part's
or a peer's the reader could not tell apart more often than a device-level one; a scheme
of weight 0.75 gives 0.45 there, under ``_FLAG_SUPPORT`` alone."""
_TOKEN_SPLIT: Final = re.compile(r"[\s,;:\"'<>\[\]{}|=]+")
_MAX_MODEL_TOKENS: Final = 16
_TEXT_MODEL_MIN: Final = 0.6
"""Model schemes below this weight (short or shared shapes) are not read out of free text."""
_TEXT_MODEL: Final = 0.8  # weight factor of a model scheme matched on a word of free text
_RAW_FAMILIES: Final = ("model", "firmware")
"""Families whose values are claims of that field as they stand (``onvif.model`` is a
model even when no fingerprint knows it)."""
_GENERIC_LABELS: Final = frozenset(
    {"n/a", "na", "none", "unknown", "-", "null", "ipc", "ipcam", "ipcamera", "ip camera",
     "camera", "network camera", "nvr", "dvr", "onvif", "manufacturer", "default", "vendor",
     "wsdd"}
)  # fmt: skip
"""Labels that name no one: never a maker or a brand ("wsdd": the WS-Discovery daemon
of Linux hosts and NAS writes its own name as the DPWS Manufacturer)."""
_UNKNOWN_MAKER: Final = 0.5  # a label the vendor table does not know names the maker weakly
_FLAG_SUPPORT: Final = 0.5
"""Combined maker support below which a device of a flagged maker is only ``possible``."""
_DERIVED: Final = 0.9  # a model fingerprint matched on a model another fingerprint extracted
_DERIVED_VIA: Final = " +model:"  # how such a claim's rule ends: " +model:<the model>"
#: a discovery protocol that only one maker speaks names that maker
_PROTOCOL_MAKERS: Final = {"sadp.": "Hikvision", "dhip.": "Dahua", "netip.": "Xiongmai"}
_PROTOCOL_WEIGHT: Final = 0.9
_ISAPI_DEVICE_INFO: Final = frozenset(
    {"isapi.model", "isapi.serial", "isapi.firmware", "isapi.device_name", "isapi.mac",
     "isapi.system_contact", "isapi.oem_code"}
)  # fmt: skip
"""Fields only a DeviceInfo document of Hikvision's ISAPI gives (not the root element or
namespace alone, which any XML error page at an /ISAPI/ path would give)."""
_ISAPI_WEIGHT: Final = 0.6  # Hikvision's own API, also answered by its OEM builds and clones
_OUI_WEIGHT: Final = 0.5
_OUI_BROAD_WEIGHT: Final = 0.35  # vendors whose MAC blocks also sit in phones and PCs
_BROAD_OUI_VENDORS: Final = frozenset(
    {"Huawei", "ZTE", "TP-Link", "Sony", "Siemens", "Honeywell", "Panasonic", "D-Link", "H3C",
     "Xiaomi", "Lenovo"}
)  # fmt: skip
_PEN_WEIGHT: Final = 0.7
_RAW_WEIGHT: Final = 0.5
_OEM_DOCUMENTED: Final = 0.8  # weight factor of a maker inferred from a documented OEM brand
_OEM_REPORTED: Final = 0.4  # a brand with only a reported OEM keeps itself as maker, weakly
_SELF_MAKER: Final = 0.8  # a label naming a maker-kind vendor also claims it as maker
_OTHER_KINDS: Final = frozenset({"chip", "module", "software"})


_CLAIM_TEXTS: Final = ("field", "value", "key", "evidence", "source", "rule")


@dataclass(frozen=True, slots=True)
class Claim:
    """One step of the evidence chain: evidence ``key=evidence`` supports ``field=value``."""

    field: str
    value: str
    key: str
    evidence: str
    source: str
    rule: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with stable keys."""
        return {
            "field": self.field,
            "value": self.value,
            "key": self.key,
            "evidence": self.evidence,
            "source": self.source,
            "rule": self.rule,
            "weight": round(self.weight, 3),
        }

    @classmethod
    def from_dict(cls, data: object) -> Claim:
        """The Claim ``to_dict`` wrote; VendorDataError when ``data`` is not one.

        Read for every claim of every device the inventory lists, so it checks types
        directly rather than through the generic helpers below.
        """
        if type(data) is not dict:
            raise VendorDataError("claim: expected an object")
        try:
            texts = [data[name] for name in _CLAIM_TEXTS]
            weight = data["weight"]
        except KeyError as exc:
            raise VendorDataError(f"claim: {exc} is missing") from exc
        if any(type(v) is not str for v in texts) or type(weight) not in (int, float):
            raise VendorDataError("claim: text fields must be text and 'weight' a number")
        field_, value, key, evidence, source, rule = texts
        return cls(field_, value, key, evidence, source, rule, float(weight))


@dataclass(frozen=True, slots=True)
class Identification:
    """What the evidence says a device is, how sure, why, and whether it is flagged;
    its origin facts (``origin``) and vulnerable-firmware answer (``vulnerabilities``)."""

    maker: str | None
    brand: str | None
    model: str | None
    firmware: str | None
    device_type: DeviceType
    confidence: float
    chain: tuple[Claim, ...]
    conflicts: tuple[str, ...]
    flag: FlagDecision = field(default_factory=lambda: FlagDecision(False))
    origin: Origin = field(default_factory=Origin.unknown)
    vulnerabilities: VulnReport = field(default_factory=VulnReport)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with stable keys."""
        return {
            "maker": self.maker,
            "brand": self.brand,
            "model": self.model,
            "firmware": self.firmware,
            "device_type": self.device_type,
            "confidence": round(self.confidence, 3),
            "flag": self.flag.to_dict(),
            "origin": self.origin.to_dict(),
            "vulnerabilities": self.vulnerabilities.to_dict(),
            "conflicts": list(self.conflicts),
            "chain": [c.to_dict() for c in self.chain],
        }

    @classmethod
    def from_dict(cls, data: object) -> Identification:
        """The Identification ``to_dict`` wrote (the inventory stores it so); VendorDataError
        when ``data`` is not one."""
        doc = mapping(data, "identification")
        device_type = doc.get("device_type")
        if device_type not in DEVICE_TYPES:
            raise VendorDataError(f"identification: unknown device_type {device_type!r}")
        chain = doc.get("chain", [])
        if not isinstance(chain, list):
            raise VendorDataError("identification: 'chain' must be a list")
        return cls(
            maker=optional_text(doc, "maker"),
            brand=optional_text(doc, "brand"),
            model=optional_text(doc, "model"),
            firmware=optional_text(doc, "firmware"),
            device_type=device_type,
            confidence=number(doc, "confidence"),
            chain=tuple(Claim.from_dict(c) for c in chain),
            conflicts=tuple(texts(doc, "conflicts")),
            flag=FlagDecision.from_dict(doc.get("flag", {"flagged": False})),
            origin=Origin.from_dict(doc["origin"]) if "origin" in doc else Origin.unknown(),
            vulnerabilities=VulnReport.from_dict(doc.get("vulnerabilities", {})),
        )


def _known(key: str, keys: frozenset[str]) -> bool:
    return key in keys or any(k.endswith("*") and key_matches(k, key) for k in keys)


@dataclass(slots=True)
class _Collector:
    table: VendorTable
    claims: list[Claim] = field(default_factory=list)

    def add(self, fld: str, value: str, ev: Evidence, rule: str, weight: float) -> None:
        self.claims.append(
            Claim(fld, value, ev.key, ev.value[:MAX_VALUE_CHARS], ev.source, rule, weight)
        )

    def vendor(
        self, vendor: Vendor, ev: Evidence, rule: str, weight: float, *, label: bool
    ) -> None:
        """Claims for a vendor named by evidence: as maker (technical) or brand (label)."""
        made_by = vendor.made_by
        if label or vendor.kind == "brand":
            self.add("brand", vendor.name, ev, rule, weight)
        if vendor.kind in _OTHER_KINDS:
            self.add("note", f"{vendor.name} is a {vendor.kind} supplier", ev, rule, 0.0)
            return
        if made_by is None:
            self.add("maker", vendor.name, ev, rule, weight * (_SELF_MAKER if label else 1.0))
        elif made_by.strength == "documented":
            self.add(
                "maker",
                made_by.maker,
                ev,
                f"{rule} + oem:{vendor.name}->{made_by.maker}",
                weight * _OEM_DOCUMENTED,
            )
        else:
            self.add("maker", vendor.name, ev, rule, weight * _OEM_REPORTED)


_API_MARKER_FILE: Final = "http_body_api.toml"


def _maker_behind(name: str, table: VendorTable) -> str:
    vendor = table.get(name)
    if vendor is None:
        return name
    made_by = vendor.made_by
    return (
        made_by.maker if made_by is not None and made_by.strength == "documented" else vendor.name
    )


def _other_api_maker(hit: Match, value: str, table: VendorTable, fps: FingerprintDB) -> bool:
    """Whether ``value`` also holds another maker's API markers (``_API_MARKER_FILE``):
    a device serves its own maker's API, a camera list or a client tool several makers'."""
    maker = hit.fields.get("maker")
    if maker is None:
        return False
    mine = _maker_behind(maker, table)
    for other in fps.for_key(hit.fingerprint.keys[0]):
        theirs = other.set.get("maker")
        if (
            other.file == hit.fingerprint.file
            and theirs is not None
            and _maker_behind(theirs, table) != mine
            and other.pattern.search(value) is not None
        ):
            return True
    return False


def _match_claims(
    ev: Evidence,
    key: str,
    value: str,
    table: VendorTable,
    fps: FingerprintDB,
    out: _Collector,
    *,
    factor: float = 1.0,
    via: str = "",
) -> Match | None:
    """Claims of the first fingerprint for ``key`` that matches ``value``; the match."""
    hit = fps.match(key, value)
    if hit is None:
        return None
    fp = hit.fingerprint
    if fp.file.endswith(_API_MARKER_FILE) and _other_api_maker(hit, value, table, fps):
        return None  # a page citing several makers' APIs (a VMS, a tool) names none
    rule = f"fingerprint:{fp.id}{via}"
    for fld, fvalue in hit.fields.items():
        if fld == "maker":
            vendor = table.get(fvalue)
            if vendor is not None and vendor.kind == "brand":
                out.vendor(vendor, ev, rule, fp.weight * factor, label=False)
                continue
        out.add(fld, fvalue, ev, rule, fp.weight * factor)
    return hit


_PORT_PREFIXED: Final = frozenset({"nmap.product", "nmap.service"})
_PORT_PREFIX: Final = re.compile(r"\d{1,5}/(?:tcp|udp|sctp) ")
_CPE_WEIGHT: Final = 0.55


def _cpe_claims(ev: Evidence, value: str, table: VendorTable, out: _Collector) -> None:
    """nmap's hardware CPE (``cpe:/h:axis:...``): its vendor part, exact in the table.
    An application's or an OS's CPE names the software's author, not the device's maker."""
    parts = value.split(":")
    if len(parts) < 3 or parts[1] != "/h":
        return
    vendor = table.get(parts[2].replace("_", " "))
    if vendor is not None:
        out.vendor(vendor, ev, f"cpe:{ev.key}", _CPE_WEIGHT, label=False)


def _claims_for(
    ev: Evidence, table: VendorTable, fps: FingerprintDB, ouis: OuiTables, out: _Collector
) -> None:
    cap = MAX_BODY_CHARS if ev.key in _LONG_VALUE_KEYS else MAX_VALUE_CHARS
    value = ev.value.strip()[:cap]
    if not value:
        return
    if ev.key in _PORT_PREFIXED:  # nmap's verdicts name their port first: "80/tcp ..."
        value = _PORT_PREFIX.sub("", value, count=1)
    ev = Evidence(ev.key, value, ev.source, ev.address)
    if ev.key == "nmap.cpe":
        _cpe_claims(ev, value, table, out)
        return
    if ev.key in _MAC_KEYS:
        _mac_claims(ev, table, fps, ouis, out)
        return
    if ev.key == "mac_oui":  # a MAC with its low half redacted: an MA-L block only
        if _registered_block(f"{value}:00:00:00", ouis, whole_block=True):
            _mac_claims(
                Evidence(ev.key, f"{value}:00:00:00", ev.source, ev.address), table, fps, ouis, out
            )
        return
    if ev.key == "snmp.sysobjectid":
        _pen_claims(ev, table, out)
    factor = _ECHO_FACTORS.get(ev.key, 1.0)
    hits = [h for h in [_match_claims(ev, ev.key, value, table, fps, out, factor=factor)] if h]
    families = [f for f in FAMILIES if ev.key in family_keys(f)]
    for family in families:
        hit = _match_claims(ev, family, value, table, fps, out)
        if hit is not None:
            hits.append(hit)
    for hit in list(hits):  # a model read out of other evidence is a model like any other
        model = hit.fields.get("model")
        if model and "model" not in hit.fingerprint.keys:
            weight = min(_DERIVED, hit.fingerprint.weight)
            _match_claims(
                ev, "model", model, table, fps, out, factor=weight, via=f"{_DERIVED_VIA}{model}"
            )
    if ev.key in _NAME_KEYS and not hits:
        # a name scope that is only a model number ("MS-C2963-PB") is read as one
        hit = _match_claims(ev, "model", value, table, fps, out, factor=_DERIVED, via=" (name)")
        if hit is not None:
            hits.append(hit)
    if ev.key in _TYPE_MODEL_KEYS and not hits:
        # a type field that firmware fills with the model ("deviceType": "IPC-HDW2431T-AS")
        hit = _match_claims(ev, "model", value, table, fps, out, factor=_DERIVED, via=" (type)")
        if hit is not None:
            hits.append(hit)
    if ev.key in _SCOPE_ITEM_KEYS and not hits:
        hits += _scope_item_claims(ev, value, table, fps, out)
    if ev.key in _REALM_KEYS and not hits:
        hits += _redacted_realm_claims(ev, value, table, fps, out)
    if ev.key in _MODEL_TEXT_KEYS and not any("model" in h.fields for h in hits):
        _model_in_text_claims(ev, value, table, fps, out)
    label_weight = _LABEL_KEYS.get(ev.key)
    if label_weight is not None and not hits:
        _label_claims(ev, value, table, out, label_weight)
    if not hits and ev.key in _PRIVATE_NAME_KEYS:
        _private_name_claims(ev, value, table, out)
    if not hits and ev.key in _TYPE_DOMAIN_KEYS and (owner := _urn_owner(value, table)):
        out.vendor(owner, ev, f"{_URN_RULE}{ev.key}", _TYPE_DOMAIN_KEYS[ev.key], label=False)
    site_weight = _SITE_KEYS.get(ev.key)
    if site_weight is not None and not hits and (site := table.find(value)) is not None:
        out.vendor(site, ev, f"site:{ev.key}", site_weight, label=False)
    if not any("maker" in h.fields for h in hits):
        # one value names a maker once: by its leading words, else by its notice
        if not _leading_name_claims(ev, value, table, out) and ev.key in _COPYRIGHT_KEYS:
            _copyright_claims(ev, value, table, out)
        if ev.key in _MAC_TEXT_KEYS or "serial" in families:
            # a realm, serial or hardware id that is the unit's MAC (Hikvision and
            # Uniview realms, Axis serials, Pelco hardware ids) names its IEEE block
            bare = _BARE_MAC.fullmatch(value)
            if bare is not None and _registered_block(bare.group(1), ouis):
                mac_ev = Evidence(ev.key, bare.group(1), ev.source, ev.address)
                _mac_claims(mac_ev, table, fps, ouis, out, factor=_MAC_TEXT_FACTOR)
    for family in _RAW_FAMILIES:
        if family in families and not any(family in h.fields for h in hits):
            out.add(family, value, ev, f"raw:{ev.key}", _RAW_WEIGHT)


_SCOPE_ITEM_KEYS: Final = frozenset(
    {"wsd.scope.other", "onvif.scope.other", "wsd.scope.extension", "onvif.scope.extension",
     "wsd.scope.name", "onvif.scope.name"}
)  # fmt: skip
"""Scopes whose last path segment may be the unit's serial or model: a private kind
(``onvif://www.onvif.org/serial/<sn>``, ``.../SerialNumber/<sn>``, ``http://.../model/<m>``),
a firmware's extension, or a name that is only a serial."""
_SCOPE_ITEM_FACTOR: Final = 0.6
"""A serial or model scheme matched on a scope item counts less than on a serial or
model field: the item's kind is the firmware's own word."""
_SCOPE_ITEM: Final = re.compile(r"[0-9A-Za-z][0-9A-Za-z/()._+-]{3,63}")


def _scope_item_claims(
    ev: Evidence, value: str, table: VendorTable, fps: FingerprintDB, out: _Collector
) -> list[Match]:
    """The serial and model schemes (the [serial] and [model] family rules) matched on
    a scope's item: its last path segment, or what follows ``=`` in it (ONVIF Core sec.
    7.3.2.2 lets a device add scopes of its own; firmware puts its serial or model in
    them), at a low weight; the name scopes already go to the model rules."""
    item = value.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if ev.key not in _NAME_KEYS:
        item = item.rpartition("/")[2].rpartition("=")[2]
    if not _SCOPE_ITEM.fullmatch(item) or not any(c.isdigit() for c in item):
        return []
    families = ("serial",) if ev.key in _NAME_KEYS else ("serial", "model")
    hits: list[Match] = []
    for family in families:
        hit = _match_claims(
            ev,
            family,
            item,
            table,
            fps,
            out,
            factor=_SCOPE_ITEM_FACTOR,
            via=f" (scope item {item})",
        )
        if hit is not None:
            hits.append(hit)
            break
    return hits


_REALM_KEYS: Final = frozenset({"http.realm", "rtsp.realm"})
_REDACTED: Final = re.compile(r"(?<![A-Za-z])[Xx]{2,}|[Xx]{4,}|\*+")
"""Digits a publisher hid: a run of X or x, or of asterisks ("Login to XXXXXXXXXXXXXXX",
"IP Camera(XXXXX)"); a run of two or three after a letter is a word's own ("Exxon",
"Foxxconn"), not a redaction."""
_PLACEHOLDER: Final = re.compile(
    r"<[A-Za-z][A-Za-z _-]{0,15}>|\[(?i:redacted|serial|removed)\]|\b(?i:redacted|serial)\b"
)
"""A word a publisher put where the digits were ("Login to REDACTED", "Login to <serial>",
"[serial]"): how many digits it hides is unknown, so ``_PLACEHOLDER_DIGITS`` are tried."""
_PLACEHOLDER_DIGITS: Final = range(1, 33)
_KEPT_MIN: Final = 4
"""Characters of a redacted realm that must survive outside the redaction for a rule to
still say something (a realm redacted whole matches any digits-only shape)."""
_REDACTED_FACTOR: Final = 0.8
_REDACTED_FIELDS: Final = frozenset({"maker", "brand", "device_type"})
"""What a rule matched on a redacted realm may claim: not a model, serial or firmware
that the redaction's stand-in digits would make up."""


def _redacted_realm_claims(
    ev: Evidence, value: str, table: VendorTable, fps: FingerprintDB, out: _Collector
) -> list[Match]:
    """A realm whose digits the publisher replaced with X, x or * (or a placeholder
    word, ``_PLACEHOLDER``, as any number of digits) read by the realm rules as if they
    were digits ("Login to XXXXXXXXXXXXXXX" as a serial realm), a little weaker, maker,
    brand and type only, when at least a few of its letters survive: the rule must still
    match the realm's own words, not only the stand-ins."""
    if _REDACTED.search(value) is None and _PLACEHOLDER.search(value) is None:
        return []
    kept = _PLACEHOLDER.sub("", _REDACTED.sub("", value))
    if sum(c.isalnum() for c in kept) < _KEPT_MIN:
        return []
    filled = _REDACTED.sub(lambda m: "0" * len(m.group(0)), value)
    hit = None
    for count in _PLACEHOLDER_DIGITS if _PLACEHOLDER.search(filled) else (0,):
        candidate = _PLACEHOLDER.sub("0" * count, filled)  # a word stands for any digits
        if (hit := fps.match(ev.key, candidate)) is not None:
            filled = candidate
            break
    if hit is None or fps.match(ev.key, re.sub(r"[0-9A-Za-z]", "0", filled)) is not None:
        return []  # a rule any digits of that length match says nothing of the realm's words
    rule = f"fingerprint:{hit.fingerprint.id} (redacted digits)"
    for fld, fvalue in hit.fields.items():
        if fld not in _REDACTED_FIELDS:
            continue
        vendor = table.get(fvalue) if fld == "maker" else None
        weight = hit.fingerprint.weight * _REDACTED_FACTOR
        if vendor is not None and vendor.kind == "brand":
            out.vendor(vendor, ev, rule, weight, label=False)
        else:
            out.add(fld, fvalue, ev, rule, weight)
    return [hit]


_PRIVATE_NAME_KEYS: Final = {
    "wsd.namespace_prefixes": 0.3,
    "onvif.namespace_prefixes": 0.3,
    "http.header_names": 0.3,
    "rtsp.header_names": 0.3,
}
"""Names a firmware gives its own protocol extensions: the prefix of a private XML
namespace (``xmlns:sony="..."``) and the name of a private extension header
(``X-Acme-Session``).  One equal to a vendor-table name names that vendor, weakly (alone,
a maker of concern is only "possible"); a private namespace's URI is read as a label
(``_label_claims``: its domain, or a vendor's name as a word of it)."""
_EXTENSION_HEADER: Final = re.compile(r"(?:^|,\s*)X-([A-Za-z][A-Za-z0-9]{2,30})[-_]", re.IGNORECASE)


_TYPE_DOMAIN_KEYS: Final = {"upnp.type_domain": 0.45}
"""A UPnP device or service type a vendor defined under its own domain
(``urn:axis-com:service:BasicService:1``) names that vendor, weakly: firmware built on
another's SDK keeps the SDK owner's types, and a phone's companion types are served by
third-party receivers, so a maker of concern is only "possible" on such types alone,
however many (``_URN_RULE`` claims count as one, the strongest)."""
_SHARED_TYPE_DOMAINS: Final = frozenset(
    {"microsoft", "dlna", "wifialliance", "dial-multiscreen", "dslforum", "upnp", "ses",
     "intel", "tencent", "wiimu", "linkplay", "digion", "cipa", "frontier-silicon"}
)  # fmt: skip
"""Owners of types many makers implement, which name no maker: Windows Media Connect's
X_MS_ services (NAS, routers), DLNA, Wi-Fi Protected Setup, DIAL, TR-064, SAT>IP, Intel's
UPnP SDK power management, Tencent's QPlay (in Xiaomi speakers and PC renderers),
LinkPlay/WiiMu audio modules sold under many brands, DiXiM's DLNA stack, CIPA's DPS
printing and Frontier Silicon radio modules."""
_URN_RULE: Final = "urn-domain:"
_URN_DOMAIN: Final = re.compile(
    r"(?:schemas-|www-)?(?P<name>[a-z0-9][a-z0-9-]{0,60}?)"
    r"-(?:(?:com?|org|net|ne|or|ac)(?:-[a-z]{2})?|[a-z]{2})"
)
"""A URN's domain with its periods written as hyphens (UDA 2.0 sec. 1.1.4):
``schemas-sony-com`` -> ``sony``, ``tp-link-com`` -> ``tp-link``, ``sony-co-jp`` ->
``sony``: the whole name between an optional ``schemas-``/``www-`` host and the top-level
domain, so a name with a hyphen of its own stays one name."""


def _urn_owner(domain: str, table: VendorTable) -> Vendor | None:
    """The vendor a URN's domain (``schemas-sony-com``, or dotted: ``samsung.com``) is
    registered to, exact in the table; None for the shared owners above and for names
    that are also ordinary words (``_NOT_A_LEADING_NAME``)."""
    domain = domain.casefold()
    if "." in domain:
        owner = registered_name(domain)
    else:
        matched = _URN_DOMAIN.fullmatch(domain)
        owner = matched["name"] if matched else None
    if owner is None or owner in _SHARED_TYPE_DOMAINS:
        return None
    vendor = table.get(owner)
    if vendor is None or {normalise_name(owner), normalise_name(vendor.name)} & _NOT_A_LEADING_NAME:
        return None
    return vendor


def _private_name_claims(ev: Evidence, value: str, table: VendorTable, out: _Collector) -> None:
    """A vendor named by a private extension's own name (``_PRIVATE_NAME_KEYS``): the
    one vendor its words name exactly, none when two do."""
    if ev.key.endswith("namespace_prefixes"):
        words = [w.strip() for w in value.split(",")][:16]
    else:
        words = [m.group(1) for m in _EXTENSION_HEADER.finditer(value)][:16]
    named = {
        vendor.name: vendor
        for word in words
        if len(word) >= 3
        and (vendor := table.get(word)) is not None
        and normalise_name(word) not in _NOT_A_LEADING_NAME
        and normalise_name(word) not in _LIBRARY_PRODUCTS
    }
    if len(named) == 1:
        (vendor,) = named.values()
        out.vendor(vendor, ev, f"private:{ev.key}", _PRIVATE_NAME_KEYS[ev.key], label=False)


def _model_tokens(value: str) -> list[str]:
    """Words of a free-text value that could be model numbers: letters and digits
    together, 4-40 characters, split at blanks and list punctuation, with sentence
    punctuation and unbalanced brackets trimmed ("(DS-2CD2143G2-I)," -> "DS-2CD2143G2-I");
    each after the word before it when that word is a name ("AXIS P3245-V", "Tapo C200"),
    as the schemes that start with a maker's or a product line's name read them."""
    tokens: list[str] = []
    previous = ""
    for raw in _TOKEN_SPLIT.split(value[:MAX_VALUE_CHARS]):
        token = raw.strip(".!?*")
        if token.startswith("("):
            token = token[1:]
        if token.endswith(")") and token.count(")") > token.count("("):
            token = token[:-1]
        if (
            4 <= len(token) <= 40
            and any(c.isdigit() for c in token)
            and any(c.isalpha() for c in token)
        ):
            if len(previous) >= 3 and previous.replace("-", "").isalpha():
                tokens.append(f"{previous} {token}")
            tokens.append(token)
        previous = raw
    return list(dict.fromkeys(tokens))[:_MAX_MODEL_TOKENS]


def _model_in_text_claims(
    ev: Evidence, value: str, table: VendorTable, fps: FingerprintDB, out: _Collector
) -> None:
    """A model number written inside a longer free-text value ("Welcome to DCS-6620G FTP
    Server", "HIKVISION DS-2CD2012-I", a realm or title naming the model) is read with
    the model schemes, one word at a time; only schemes strong enough to name their
    maker alone count (the short, shared shapes stay for model keys), and the claims
    are weaker than on a model key.  Claims only: a label or leading name still speaks.
    A word right after another maker's name is that maker's model, whatever scheme its
    shape fits ("Arista Networks DCS-7050S-52" is no D-Link DCS camera)."""
    for token in _model_tokens(value):
        hit = fps.match("model", token)
        if hit is None or hit.fingerprint.weight < _TEXT_MODEL_MIN:
            continue
        model = hit.fields.get("model", "\0")
        if not token.endswith(model):
            continue  # the scheme must take the whole word (a maker prefix aside)
        if _other_maker_before(value, model, hit.fields.get("maker"), table):
            continue
        factor = _TEXT_MODEL_FACTORS.get(ev.key, _TEXT_MODEL)
        _match_claims(
            ev, "model", token, table, fps, out, factor=factor, via=f" (in text: {token})"
        )
        return


def _other_maker_before(value: str, model: str, maker: str | None, table: VendorTable) -> bool:
    """Whether the one to three words just before ``model`` in ``value`` spell a vendor
    other than ``maker`` and other than a brand ``maker`` makes."""
    at = value.find(model)
    words = normalise_name(value[:at]).split()[-3:] if at > 0 and maker else []
    for start in range(len(words)):
        for name, vendor in _names_at(words, start, table):
            if start + len(name.split()) != len(words) or name in _NOT_A_LEADING_NAME:
                continue
            made_by = vendor.made_by.maker if vendor.made_by is not None else None
            return normalise_name(maker or "") not in (
                normalise_name(vendor.name),
                normalise_name(made_by or ""),
            )
    return False


def _label_claims(
    ev: Evidence, value: str, table: VendorTable, out: _Collector, weight: float
) -> None:
    codes = ev.key in ("dhip.vendor", "sadp.oem_info")
    if ev.key in _NAME_KEYS and _DEFAULT_NAME.fullmatch(value.strip()[:80]) is None:
        weight = min(weight, _USER_NAME_WEIGHT)
    vendor = table.find(value, allow_codes=codes)
    if vendor is not None:
        out.vendor(vendor, ev, f"alias:{ev.key}", weight, label=True)
        return
    glued = _GLUED_NAME.match(value) if ev.key in _SCOPE_LABEL_KEYS else None
    vendor = table.get(glued.group(1)) if glued is not None else None
    if vendor is not None and normalise_name(vendor.name) not in _NOT_A_LEADING_NAME:
        out.vendor(vendor, ev, f"alias:{ev.key} (joined)", weight, label=True)
        return
    if ev.key in _VENDOR_ONLY_LABELS:
        # a URI's owner, by the name its host registers (www.hp.com -> HP), exact in the
        # table: short names such as HP are not matched as words of free text
        uri = ev.key in _URI_LABEL_KEYS and "://" in value
        owner = registered_name(value) if uri else None
        vendor = table.get(owner) if owner is not None else None
        if vendor is not None and not (
            {normalise_name(owner or ""), normalise_name(vendor.name)} & _NOT_A_LEADING_NAME
        ):
            out.vendor(vendor, ev, f"domain:{ev.key}", weight, label=True)
        elif (
            ev.key in _URI_LABEL_KEYS
            and value[:4].casefold() == "urn:"
            and (vendor := _urn_owner(value[4:].partition(":")[0], table)) is not None
        ):  # a URN's domain, periods as hyphens (urn:schemas-pelco-com:onvif:device:1)
            out.vendor(vendor, ev, f"{_URN_RULE}{ev.key}", weight, label=True)
        return
    if ev.key in _NAME_KEYS and value.casefold() not in _GENERIC_LABELS:
        # a name scope is "<maker> <model>" on many devices, or only a model: a maker is
        # read from it only when a word comes before the rest, and weakly
        first, _, rest = value.partition(" ")
        if not rest.strip() or not first.isalpha() or len(first) < 3:
            return
        value = first
    if value.casefold() not in _GENERIC_LABELS and any(c.isalpha() for c in value):
        # a maker the vendor table does not know is still named, weakly: its origin is
        # unknown, so it is never flagged for it
        out.add("brand", value, ev, f"label:{ev.key}", weight * 0.8)
        out.add(
            "maker", value, ev, f"label:{ev.key} (not in the vendor table)", weight * _UNKNOWN_MAKER
        )


def _leading_name_claims(ev: Evidence, value: str, table: VendorTable, out: _Collector) -> bool:
    """A maker named by the first one to three words of a free-text value, or by the
    organisation (O=) of a certificate subject, exactly as the vendor table spells it;
    whether one was."""
    if ev.key in ("tls.subject", "tls.issuer"):
        org = _SUBJECT_ORG.search(value)
        name = org.group(1).replace("\\", "") if org else ""
        vendor = table.get(name) if name else None
        if vendor is None and name and ev.key == "tls.subject":
            # "Zhejiang Uniview Technologies Co.", "Shenzhen Reolink Technology Co., Ltd."
            # (not an issuer's: a public CA's name would name the CA's owner)
            vendor = _named_within(name, table)
        if vendor is not None and normalise_name(vendor.name) not in _NOT_A_LEADING_NAME:
            out.vendor(vendor, ev, f"named:{ev.key} O=", 0.6, label=False)
            return True
        return False
    weight = _NAMED_FIRST.get(ev.key)
    if weight is None:
        return False
    # a page title names its product after a separator too ("Login - Cisco DNA Center")
    parts = _TITLE_PARTS.split(value[:160]) if ev.key == "http.title" else [value]
    if ev.key in _GREETING_KEYS:
        parts = [_GREETING.sub("", value, count=1)]
    for part in parts[:4]:
        words = normalise_name(part[:80]).split()
        if any(words[: len(other)] == list(other) for other in _ANOTHERS_PRODUCT):
            continue
        for name, vendor in _names_at(words, 0, table):
            if name not in _NOT_A_LEADING_NAME:
                out.vendor(vendor, ev, f"named:{ev.key}", weight, label=False)
                return True
    if ev.key in _PRODUCT_KEYS and (vendor := _product_token_vendor(value, table)) is not None:
        out.vendor(vendor, ev, f"product:{ev.key}", weight * _PRODUCT_FACTOR, label=False)
        return True
    return False


_PRODUCT_KEYS: Final = frozenset({"http.server", "ssdp.server", "rtsp.server"})
"""Server-like values: RFC 9110 sec. 10.2.4 ``Server = product *( RWS ( product /
comment ) )``, ``product = token [ "/" product-version ]`` (SSDP's SERVER, UPnP Device
Architecture 2.0 sec. 1.1.2, is "OS/version UPnP/2.0 product/version")."""
_PRODUCT_FACTOR: Final = 0.8
"""A maker named by a later product token counts a little less than one leading the value
(alone, a maker of concern is only "possible")."""
_PRODUCT_TOKEN: Final = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]{2,40})(/[!-~]{1,40})?")
_COMMENT: Final = re.compile(r"\([^()]{0,200}\)")
_MAX_PRODUCTS: Final = 8
_GENERIC_PRODUCTS: Final = frozenset(
    {"linux", "upnp", "dlnadoc", "dlna", "http", "rtsp", "windows", "microsoft", "win32",
     "windowsnt", "lwip", "darwin", "android", "ios", "freebsd", "netbsd", "openbsd",
     "unix", "posix", "vxworks", "ecos", "uclinux", "ucos", "rtos", "freertos", "threadx",
     "ubuntu", "debian", "centos", "redhat", "fedora", "openwrt", "buildroot", "embedded",
     "os", "sdk", "kernel", "arm", "mips", "mac", "macos", "ssdp", "onvif", "soap"}
)  # fmt: skip
"""Operating systems and protocols that lead a Server value (their first word decides:
"Microsoft-Windows/10.0", "Linux-2.6/1.0"): they name no device maker."""
_LIBRARY_PRODUCTS: Final = frozenset(
    {"webs", "goahead", "goahead webs", "boa", "mini_httpd", "micro_httpd", "uc httpd",
     "thttpd", "lighttpd", "httpd", "nginx", "openresty", "tengine", "apache", "jetty",
     "rompager", "allegro software rompager", "hydra", "gsoap", "mongoose", "civetweb",
     "live555", "gstreamer", "platinum", "miniupnpd", "miniupnpc", "libupnp", "cherokee",
     "appweb", "embedthis appweb", "caddy", "node", "express", "python", "werkzeug",
     "tornado", "twisted", "cpython", "go", "java", "kestrel", "mediamtx", "rtsp server",
     "srs", "zlmediakit", "wowza", "intel", "portable", "devices", "server", "web server",
     "ipcam", "ipcamera", "camera", "nvr", "dvr", "dvrdvs", "webserver", "embedded web server"}
)  # fmt: skip
"""Web, streaming and UPnP servers and libraries (GoAhead "Webs", Boa, mini_httpd,
Xiongmai's "uc-httpd", thttpd, libupnp's "Portable SDK for UPnP devices", Platinum,
miniupnpd ...) and generic product words: many makers' firmware ship them, so as a
product token they name no maker."""


def _product_token_vendor(value: str, table: VendorTable) -> Vendor | None:
    """The one vendor-table maker the product tokens of a Server-like value name: a
    ``name/version`` token by its leading name (``Linux/3.10 UPnP/1.0 Hikvision/1.0``),
    a bare token (a product without a version) only right after an operating system's
    or a protocol's and only as a whole name (``Linux/3.x UPnP/1.0 Hikvision``);
    comments, operating systems, protocols and libraries left out; None when no token
    or two different vendors' tokens name one."""
    named: dict[str, Vendor] = {}
    text = _COMMENT.sub(" ", value[:MAX_VALUE_CHARS]).replace(",", " ")
    after_generic = False
    raws = text.split()[: _MAX_PRODUCTS + _MAX_COMPANY_WORDS]
    for index, raw in enumerate(raws[:_MAX_PRODUCTS]):
        token = _PRODUCT_TOKEN.fullmatch(raw)
        words = normalise_name(token.group(1)).split() if token is not None else []
        generic = bool(words) and words[0] in _GENERIC_PRODUCTS
        if token is not None and words and not generic:
            if " ".join(words) in _LIBRARY_PRODUCTS:
                pass
            elif token.group(2) is not None:
                for name, vendor in _names_at(words, 0, table):
                    if name not in _NOT_A_LEADING_NAME and name not in _LIBRARY_PRODUCTS:
                        named.setdefault(vendor.name, vendor)
                    break
            elif (
                after_generic
                and (bare := table.get(token.group(1))) is not None
                and normalise_name(token.group(1)) not in _NOT_A_LEADING_NAME
            ):
                named.setdefault(bare.name, bare)
            elif after_generic and (company := _company_vendor(raws[index:], table)) is not None:
                named.setdefault(company.name, company)
        after_generic = generic
    return next(iter(named.values())) if len(named) == 1 else None


_MAX_COMPANY_WORDS: Final = 8
_COMPANY_WORD: Final = re.compile(
    r"\b(?:co|ltd|inc|corp|corporation|company|limited|gmbh|technology|technologies)\b\.?",
    re.IGNORECASE,
)


def _company_vendor(raws: list[str], table: VendorTable) -> Vendor | None:
    """The vendor a company name written as bare words names ("Zhejiang Dahua Technology
    Co. Ltd" after "Linux/3.10 UPnP/1.0"), as ``_named_within`` reads a certificate's
    organisation: only a phrase with a company word, up to the next versioned token."""
    words: list[str] = []
    for raw in raws[:_MAX_COMPANY_WORDS]:
        if "/" in raw:
            break
        words.append(raw)
    phrase = " ".join(words)
    if _COMPANY_WORD.search(phrase) is None:
        return None
    vendor = _named_within(phrase, table)
    if vendor is None or normalise_name(vendor.name) in _NOT_A_LEADING_NAME:
        return None
    return None if normalise_name(vendor.name) in _LIBRARY_PRODUCTS else vendor


_COPYRIGHT_KEYS: Final = frozenset(
    {"http.body", "telnet.banner", "ftp.banner", "snmp.sysdescr", "rtsp.sdp.info",
     "upnp.model_description"}
)  # fmt: skip
"""Free-text keys in which firmware prints its copyright notice (web page footers, login
banners, sysDescr)."""
_COPYRIGHT: Final = re.compile(
    r"(?:\bcopyright\b|\(c\)|\u00a9|&copy;|&#169;|(?<![\w.@])@(?=\s?(?:19|20)\d\d\b))"
    r"(?:\s*(?:\bcopyright\b|\(c\)|\u00a9|&copy;|&#169;))?(?:\s*@(?=\s*(?:19|20)\d\d))?"
    r"\s*(?:(?:19|20)\d\d(?:\s*[-\u2013~,]\s*(?:19|20)\d\d)?\s*,?\s*)?(?:by\s+)?"
    r"([A-Za-z][^<>\r\n;:|()\u00a9]{1,80})",
    re.IGNORECASE,
)
"""A copyright notice and its holder: "Copyright (C) 2000-2011 Brother Industries, Ltd.",
"&copy; Copyright 1988-2015 AVTECH Software Inc.", "(c) 1996-2018 Juniper Networks", and
with an "@" before the year for the sign ("Copyright@2003-2012 ACTi Corporation", "@2021
Grandstream Networks, Inc.", as those makers' web UIs write it)."""
_HOLDER_END: Final = re.compile(
    r"\ball rights\b|\bcopyright\b|\s{2,}|\.\s+(?=[A-Z])", re.IGNORECASE
)
_LEGAL_FORM: Final = re.compile(
    r"\b(?:Inc|Ltd|LLC|Corp|Corporation|Co|GmbH|AG|AB|SA|S\.A|B\.V|N\.V|Limited|Oy|AS)\b\.?$",
    re.IGNORECASE,
)
"""A company's legal form at the end of a holder: what an "@"-marked notice must name."""
_NOTICE_MARK: Final = re.compile(r"\(c\)|\u00a9|&copy;|&#169;|\d", re.IGNORECASE)
"""What makes a notice formal: a (c) sign or a year ("logo copyright Hikvision" in prose
is no notice of the page's own)."""
_CJK_HOLDER: Final = r"([\u4e00-\u9fff]{2,24}?(?:股份有限公司|有限责任公司|有限公司))"
_CJK_NOTICE: Final = re.compile(
    r"(?:版权所有|版权声明|\bcopyright\b|\(c\)|\u00a9|&copy;|&#169;)[\s:：,，]*"
    r"(?:(?:19|20)\d\d(?:\s*[-\u2013~]\s*(?:19|20)\d\d)?[\s,，]*)?"
    + _CJK_HOLDER
    + r"|"
    + _CJK_HOLDER
    + r"[\s,，(（)）\d]{0,12}版权所有",
    re.IGNORECASE,
)
"""A notice in Chinese, its holder the company's registered name ("版权所有：浙江大华技术
股份有限公司", "浙江宇视科技有限公司(2013)，版权所有", "© 2019 杭州海康威视数字技术股份有限公司"):
版权所有 ("all rights reserved") is itself the formal mark; the name is looked up whole,
as the vendor table spells it."""
_MAX_NOTICES: Final = 4
_COPYRIGHT_WEIGHT: Final = 0.45
"""A copyright notice names the firmware's owner as the device prints it (a white
label's notice names the label, whose documented maker follows); below what a
fingerprint claims, so any fingerprint naming another maker outweighs it, and below the
flag threshold: a notice alone makes a maker of concern ``possible`` (a partner's or an
installer's page prints the maker's notice too), with other evidence it flags."""


def _copyright_claims(ev: Evidence, value: str, table: VendorTable, out: _Collector) -> None:
    """The maker the vendor table knows as the holder of the formal copyright notices of
    a text (a sign or a year; the holder's first words, "Zhejiang Dahua Technology"),
    when they name one maker only: a VMS or installer page cites other makers' notices
    beside its own, and then no notice names the device's maker."""
    named: dict[str, Vendor] = {}
    for notice in itertools.islice(_COPYRIGHT.finditer(value), _MAX_NOTICES):
        if _NOTICE_MARK.search(value, notice.start(), notice.start(1)) is None:
            continue
        holder = _HOLDER_END.split(notice.group(1), maxsplit=1)[0].strip(" ,.")
        if "@" in value[notice.start() : notice.start(1)] and not _LEGAL_FORM.search(holder):
            continue  # "@2019 Acme meetup" is a mention; "@2019 Acme Networks, Inc." a notice
        vendor = table.get(holder) or _named_within(holder, table)
        if vendor is not None and normalise_name(vendor.name) not in _NOT_A_LEADING_NAME:
            named[vendor.name] = vendor
    for notice in itertools.islice(_CJK_NOTICE.finditer(value), _MAX_NOTICES):
        if (vendor := table.get(notice.group(1) or notice.group(2))) is not None:
            named[vendor.name] = vendor
    if len(named) == 1:
        (vendor,) = named.values()
        out.vendor(vendor, ev, f"copyright:{ev.key}", _COPYRIGHT_WEIGHT, label=False)


def _named_within(text: str, table: VendorTable) -> Vendor | None:
    """A vendor-table name as one to three words of ``text`` from one of its first four
    words ("New H3C Technologies": "H3C"), as the table spells it."""
    words = normalise_name(text).split()
    for start in range(min(len(words), 4)):
        for _name, vendor in _names_at(words, start, table):
            return vendor
    return None


def _names_at(words: list[str], start: int, table: VendorTable) -> Iterator[tuple[str, Vendor]]:
    """The vendor-table names spelled by three, two or one words from ``words[start]``
    (longest first), with their vendors."""
    for count in (3, 2, 1):
        if len(words) - start >= count:
            name = " ".join(words[start : start + count])
            if (vendor := table.get(name)) is not None:
                yield name, vendor


def _pen_claims(ev: Evidence, table: VendorTable, out: _Collector) -> None:
    parts = ev.value.lstrip(".").split(".")
    if parts[:6] == ["1", "3", "6", "1", "4", "1"] and len(parts) > 6 and parts[6].isdigit():
        vendor = table.by_pen(int(parts[6]))
        if vendor is not None:
            out.vendor(vendor, ev, f"pen:{parts[6]}", _PEN_WEIGHT, label=False)


def _registered_block(text: str, ouis: OuiTables, *, whole_block: bool = False) -> bool:
    """Whether a 12-hex-digit value lies in an IEEE-registered block (so it reads as a
    MAC, and a number or hash that only looks like one stays silent); ``whole_block``:
    a 24-bit (MA-L) one, as the first half of a MAC alone can only name."""
    try:
        info = lookup_mac(text, ouis)
    except VendorDataError:
        return False
    if whole_block and info.prefix_bits != 24:
        return False
    return not info.randomised and info.organisation is not None


def _mac_claims(
    ev: Evidence,
    table: VendorTable,
    fps: FingerprintDB,
    ouis: OuiTables,
    out: _Collector,
    *,
    factor: float = 1.0,
) -> None:
    factor *= _MAC_FACTORS.get(ev.key, 1.0)
    try:
        info = lookup_mac(ev.value, ouis)
    except VendorDataError:
        out.add("note", "not a MAC address", ev, "mac:invalid", 0.0)
        return
    if info.randomised:
        out.add("note", "randomised MAC (locally administered): no maker", ev, "mac:local", 0.0)
        return
    if info.organisation is None:
        out.add("note", "MAC block not in the IEEE data", ev, "mac:unknown", 0.0)
        return
    rule = f"oui:{info.prefix} ({info.source})"
    vendor = table.by_oui_org(info.organisation)
    if vendor is not None:
        weight = _OUI_BROAD_WEIGHT if vendor.name in _BROAD_OUI_VENDORS else _OUI_WEIGHT
        out.vendor(vendor, ev, rule, weight * factor, label=False)
        return
    out.add("note", f"MAC organisation {info.organisation}", ev, rule, 0.0)
    org_ev = Evidence("mac.org", info.organisation, ev.source, ev.address)
    hit = fps.match("mac.org", info.organisation)
    if hit is not None:
        for fld, fvalue in hit.fields.items():
            weight = hit.fingerprint.weight * factor
            out.add(fld, fvalue, org_ev, f"fingerprint:{hit.fingerprint.id}", weight)


def _noisy_or(weights: Iterable[float]) -> float:
    rest = 1.0
    for w in weights:
        rest *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - rest


_NESTED_PREFIX: Final = "http.field.nested."
_NESTED_CAP: Final = 0.45
"""What all claims read off nested JSON fields (bodyfields' nested tier, ``http.field.
nested.*``) add up to for one value, at most: under ``_FLAG_SUPPORT``, so nested fields
alone (one record's manufacturer and model together, as a VMS's or an integration's page
listing one camera holds them) name a maker of concern only as "possible"; beside other
evidence they still add."""


def _support(claims: list[Claim]) -> float:
    """Combined weight of one value's claims (noisy-or), the nested tier's capped; a
    model read out of the body text (``_DERIVED_VIA`` on ``http.body``: the same JSON the
    nested fields come from) and the nested tier count as one, the stronger; the claims
    of URN domains (``_URN_RULE``: one owner's types and namespaces) count as one, the
    strongest."""
    urns = [c.weight for c in claims if c.rule.startswith(_URN_RULE)]
    if urns:
        rest = [c for c in claims if not c.rule.startswith(_URN_RULE)]
        return _noisy_or([_support(rest) if rest else 0.0, max(urns)])
    nested = [c.weight for c in claims if c.key.startswith(_NESTED_PREFIX)]
    if not nested:
        return _noisy_or(c.weight for c in claims)
    body = [c.weight for c in claims if c.key == "http.body" and _DERIVED_VIA in c.rule]
    weights = [
        c.weight
        for c in claims
        if not c.key.startswith(_NESTED_PREFIX)
        and not (c.key == "http.body" and _DERIVED_VIA in c.rule)
    ]
    weights.append(max([min(_noisy_or(nested), _NESTED_CAP), *body]))
    return _noisy_or(weights)


def _rank(claims: list[Claim], fld: str) -> list[tuple[str, float, list[Claim]]]:
    groups: dict[str, list[Claim]] = {}
    display: dict[str, str] = {}
    for c in claims:
        if c.field == fld and c.weight > 0:
            norm = c.value.casefold()
            groups.setdefault(norm, []).append(c)
            display.setdefault(norm, c.value)
    ranked = [(display[k], _support(cs), cs) for k, cs in groups.items()]
    ranked.sort(key=lambda r: (-r[1], -max(c.weight for c in r[2])))
    return ranked


def _describe(claims: list[Claim]) -> str:
    return ", ".join(f"{c.key}={c.evidence!r}" for c in claims[:3])


def _explain(
    table: VendorTable,
    maker: str | None,
    makers: list[tuple[str, float, list[Claim]]],
    brand: str | None,
    brands: list[tuple[str, float, list[Claim]]],
) -> list[str]:
    notes: list[str] = []
    for value, _score, cs in makers[1:]:
        notes.append(
            f"maker evidence disagrees: {value} ({_describe(cs)}) vs chosen {maker}"
            f" ({_describe(makers[0][2])})"
        )
    for value, _score, cs in brands[1:]:
        notes.append(f"brand evidence disagrees: {value} ({_describe(cs)}) vs chosen {brand}")
    if brand and maker and brand.casefold() != maker.casefold():
        bvendor = table.get(brand)
        proof = [c for c in makers[0][2] if "oem:" not in c.rule]
        proof_text = f"; made by {maker} per {_describe(proof)}" if proof else ""
        if bvendor is not None and bvendor.made_by and bvendor.made_by.maker == maker:
            mb = bvendor.made_by
            notes.append(
                f"OEM: brand {brand} is made by {maker} ({mb.strength}: {mb.evidence})" + proof_text
            )
        else:
            notes.append(f"white-label: brand {brand} on a {maker}-made device{proof_text}")
    return notes


def identify(
    evidence: Iterable[Evidence],
    policy: Policy | None = None,
    *,
    vendors: VendorTable | None = None,
    fingerprints: FingerprintDB | None = None,
    oui_tables: OuiTables | None = None,
    cve_pack: CvePack | None = None,
) -> Identification:
    """Identify one device from all of its evidence; VendorDataError on an unknown key."""
    table = vendors or load_vendors()
    pack = cve_pack or default_cve_pack()
    fps = fingerprints or load_fingerprints()
    ouis = oui_tables or default_oui_tables()
    pol = policy or Policy.default()
    keys = known_keys()
    out = _Collector(table)
    protocols: dict[str, Evidence] = {}
    seen: set[tuple[str, str]] = set()
    for n, ev in enumerate(evidence):
        if n >= MAX_EVIDENCE:
            break
        if not _known(ev.key, keys):
            raise VendorDataError(
                f"unknown evidence key {ev.key!r} (see camcensus/base/fields.txt)"
            )
        if (ev.key, ev.value) in seen:
            continue
        seen.add((ev.key, ev.value))
        for prefix in _PROTOCOL_MAKERS:
            if ev.key.startswith(prefix) and ev.value.strip():
                protocols.setdefault(prefix, ev)
        if ev.key in _ISAPI_DEVICE_INFO and ev.value.strip():
            protocols.setdefault("isapi.", ev)
        _claims_for(ev, table, fps, ouis, out)
    for prefix, ev in protocols.items():
        if prefix == "isapi.":
            out.add("maker", "Hikvision", ev, "protocol:isapi deviceInfo", _ISAPI_WEIGHT)
            continue
        out.add("maker", _PROTOCOL_MAKERS[prefix], ev, f"protocol:{prefix[:-1]}", _PROTOCOL_WEIGHT)
    return _resolve(out.claims, table, pol, pack)


def _fold_owners(claims: list[Claim], table: VendorTable) -> list[Claim]:
    """Maker claims for a vendor's owner (``owned_by``: a Pelco camera's MAC, in a block
    the IEEE lists under Motorola Solutions) read as claims for the one vendor it owns
    that other evidence names; with none or two such vendors named, left as they are."""
    named = {c.value: table.get(c.value) for c in claims if c.field == "maker"}
    owned: dict[str, list[str]] = {}
    for vendor in named.values():
        if vendor is not None and vendor.owned_by is not None:
            owned.setdefault(vendor.owned_by, []).append(vendor.name)
    if not owned:
        return claims
    folded: list[Claim] = []
    for c in claims:
        owner = named.get(c.value) if c.field == "maker" else None
        subsidiaries = owned.get(owner.name, []) if owner is not None else []
        if len(set(subsidiaries)) == 1:
            c = replace(c, value=subsidiaries[0], rule=f"{c.rule} (owner of {subsidiaries[0]})")
        folded.append(c)
    return folded


def _resolve(
    claims: list[Claim], table: VendorTable, policy: Policy, pack: CvePack
) -> Identification:
    claims = _fold_owners(claims, table)
    makers = _rank(claims, "maker")
    brands = _rank(claims, "brand")
    maker = makers[0][0] if makers else None
    brand = brands[0][0] if brands else None
    if maker is not None and (mv := table.get(maker)) is not None:
        maker = mv.name
    if brand is not None and (bv := table.get(brand)) is not None:
        brand = bv.name
    models = _rank(claims, "model")
    firmwares = _rank(claims, "firmware")
    types = _rank(claims, "device_type")
    device_type: DeviceType = "unknown"
    if types:
        top = types[0][0]
        device_type = _AS_TYPE.get(top, "unknown")
        if device_type == "other" and maker is not None and (mv := table.get(maker)) is not None:
            # a camera maker's evidence outweighs weak "other" hints (nginx, Intel NIC)
            camera_like = [t for t in types if t[0] in ("camera", "nvr")]
            if camera_like and camera_like[0][1] >= types[0][1] * 0.5:
                device_type = _AS_TYPE.get(camera_like[0][0], "unknown")
    if makers:
        support = makers[0][1]
        total = sum(m[1] for m in makers)
        confidence = support * (support / total)
    elif device_type != "unknown":
        confidence = types[0][1] * 0.5
    else:
        confidence = 0.0
    conflicts = _explain(table, maker, makers, brand, brands)
    if maker is not None and table.get(maker) is None:
        conflicts.append(
            f"origin unknown: {maker} is not in the vendor table (named by the device itself)"
        )
    caveats: list[str] = []
    weak: str | None = None
    if makers:
        chosen, support = makers[0][2], makers[0][1]
        if all(c.rule.startswith("oui:") for c in chosen):
            if all(c.key in _MAC_FACTORS for c in chosen):
                weak = (
                    f"only a MAC read out of a UUID names {maker} (a firmware SDK may reuse "
                    "one UUID node on every device)"
                )
            elif maker in _BROAD_OUI_VENDORS:
                weak = (
                    f"the MAC block alone names {maker}, whose MAC blocks are also in "
                    "phones, laptops and other non-camera products"
                )
            else:
                caveats.append(
                    f"maker from the MAC block only (no banner or protocol evidence for {maker})"
                )
        elif all(c.key == "tcp.ports" for c in chosen):
            weak = f"only an open port points to {maker} ({_describe(chosen)})"
        elif support < _FLAG_SUPPORT:
            weak = f"one weak hint names {maker} ({_describe(chosen)})"
    elif brands and brands[0][1] < _FLAG_SUPPORT:  # a brand named, no maker: as weak
        weak = f"one weak hint names {brand} ({_describe(brands[0][2])})"
    origin = origin_of(claims, maker, brand, table)
    flag = policy.decide(
        table,
        table.get(maker) if maker else None,
        table.get(brand) if brand else None,
        caveats=caveats,
        weak=weak,
        firmware_developer=origin.firmware_vendor,
        firmware_from_sdk=origin.firmware_from_sdk,
    )
    model = models[0][0] if models else None
    firmware = firmwares[0][0] if firmwares else None
    source = firmware_source(firmwares[0][2][0].key) if firmwares else ""
    return Identification(
        maker=maker,
        brand=brand,
        model=model,
        firmware=firmware,
        device_type=device_type,
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        chain=tuple(claims),
        conflicts=tuple(conflicts),
        flag=flag,
        origin=origin.origin,
        vulnerabilities=match_device(pack, maker, model, firmware, source),
    )


def evidence_from_mapping(data: Mapping[str, object], source: str = "json") -> list[Evidence]:
    """``{"key": "value" | ["v1", "v2"]}`` -> Evidence list; VendorDataError on bad shapes."""
    out: list[Evidence] = []
    for key, raw in data.items():
        if key.startswith("_"):
            continue
        values = raw if isinstance(raw, list) else [raw]
        for v in values:
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise VendorDataError(
                    f"evidence {key!r}: values must be strings (or lists of them)"
                )
            out.append(Evidence(key, str(v), source))
    return out
