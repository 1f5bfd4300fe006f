"""Origin facts of one device: hardware maker, firmware developer, brand and owners.

The Cybercheck's first question per device is who develops or maintains its hardware and
its firmware, and where that supplier comes from.  ``origin_of`` answers it from the
claims ``identify`` made, each fact with the evidence or relation it rests on and the
vendor table's sources; a fact nothing shows is ``None`` (shown as unknown), never a
guess.

* **hardware maker**: the identified maker (the OEM behind a white label);
* **firmware developer**: the vendor that firmware-borne evidence names (a discovery
  protocol only that maker's firmware speaks, a banner or firmware fingerprint), else the
  documented OEM of the brand on the label (an Amcrest runs Dahua firmware), else the
  SoC/SDK vendor a banner of its reference firmware shows (``sdk`` claims: HiSilicon);
  MAC blocks (the NIC's maker) and labels (the brand) do not name it;
* **SoC/SDK vendor**: whose reference firmware a banner or hardware id shows, when one does;
* **brand**: the label the device is sold under;
* **owners**: the parent/control chain, owner country and state ownership of each of
  those vendors, as the vendor table has them.

Pure: the vendor table is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db._doc import boolean, mapping, optional_text, text, texts
from camcensus.vendor_db.vendors import Vendor, VendorTable

__all__ = ["FIRMWARE_RULES", "ControlLink", "Origin", "OriginFact", "OriginResult", "origin_of"]

FIRMWARE_RULES: Final = ("protocol:", "fingerprint:")
"""Claims of these rules come from what the device's software says: they name its
firmware developer (MAC, label, PEN and port claims do not)."""
_NOT_FIRMWARE_KEYS: Final = frozenset(
    {"mac", "mac.org", "sadp.mac", "dhip.mac", "onvif.mac", "netip.mac", "wsd.scope.mac",
     "wsd.endpoint_mac", "tcp.ports"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class OriginFact:
    """One origin fact: who (``name``, None when unknown), from where (``country``, the
    vendor's HQ country, None when the vendor table does not know it), on what ``basis``
    (evidence or relation) and the ``sources`` behind the vendor's facts."""

    role: str
    name: str | None
    country: str | None
    basis: str
    sources: tuple[str, ...] = ()
    verified: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "role": self.role,
            "name": self.name,
            "country": self.country,
            "basis": self.basis,
            "sources": list(self.sources),
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: object) -> OriginFact:
        """The fact ``to_dict`` wrote; VendorDataError otherwise."""
        doc = mapping(data, "origin fact")
        return cls(
            text(doc, "role"),
            optional_text(doc, "name"),
            optional_text(doc, "country"),
            text(doc, "basis"),
            tuple(texts(doc, "sources")),
            boolean(doc, "verified", True),
        )

    @property
    def label(self) -> str:
        """``Dahua (CN)``, ``Foo (country unknown)`` or ``unknown``."""
        if self.name is None:
            return "unknown"
        return f"{self.name} ({self.country or 'country unknown'})"


@dataclass(frozen=True, slots=True)
class ControlLink:
    """Who controls one vendor: its parent chain, the controlling owner's country and
    whether it is state-owned, with the sources (``verified`` false when one of those
    facts is marked unverified in the vendor table)."""

    vendor: str
    parent: str
    owner_country: str
    state_owned: str
    sources: tuple[str, ...] = ()
    verified: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "vendor": self.vendor,
            "parent": self.parent,
            "owner_country": self.owner_country,
            "state_owned": self.state_owned,
            "sources": list(self.sources),
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: object) -> ControlLink:
        """The link ``to_dict`` wrote; VendorDataError otherwise."""
        doc = mapping(data, "control link")
        return cls(
            text(doc, "vendor"),
            text(doc, "parent"),
            text(doc, "owner_country"),
            text(doc, "state_owned"),
            tuple(texts(doc, "sources")),
            boolean(doc, "verified", True),
        )

    @property
    def label(self) -> str:
        """``Amcrest: Amcrest Technologies LLC (private) (US)``, state ownership when known."""
        state = {"yes": ", state-owned", "unknown": ", state ownership unknown"}.get(
            self.state_owned, ""
        )
        mark = " (unverified)" if not self.verified else ""
        return f"{self.vendor}: {self.parent} ({self.owner_country}{state}){mark}"


_UNKNOWN_ROLES: Final = ("hardware maker", "firmware developer", "brand")


@dataclass(frozen=True, slots=True)
class Origin:
    """The origin facts of one device (see the module docstring)."""

    hardware_maker: OriginFact
    firmware_developer: OriginFact
    brand: OriginFact
    owners: tuple[ControlLink, ...] = ()
    sdk: OriginFact | None = None
    """The SoC/SDK vendor whose reference firmware the evidence shows (HiSilicon), if any."""

    @classmethod
    def unknown(cls) -> Origin:
        """Nothing known (an identification written before origin facts existed)."""
        facts = [OriginFact(role, None, None, "not recorded") for role in _UNKNOWN_ROLES]
        return cls(facts[0], facts[1], facts[2])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "hardware_maker": self.hardware_maker.to_dict(),
            "firmware_developer": self.firmware_developer.to_dict(),
            "brand": self.brand.to_dict(),
            "owners": [o.to_dict() for o in self.owners],
            "sdk": None if self.sdk is None else self.sdk.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Origin:
        """The origin ``to_dict`` wrote; VendorDataError otherwise."""
        doc = mapping(data, "origin")
        owners = doc.get("owners", [])
        if not isinstance(owners, list):
            raise VendorDataError("origin: 'owners' must be a list")
        return cls(
            OriginFact.from_dict(doc.get("hardware_maker")),
            OriginFact.from_dict(doc.get("firmware_developer")),
            OriginFact.from_dict(doc.get("brand")),
            tuple(ControlLink.from_dict(o) for o in owners),
            None if doc.get("sdk") is None else OriginFact.from_dict(doc["sdk"]),
        )

    @property
    def facts(self) -> tuple[OriginFact, ...]:
        """Hardware maker, firmware developer, brand, and the SoC/SDK vendor when known."""
        main = (self.hardware_maker, self.firmware_developer, self.brand)
        return main if self.sdk is None else (*main, self.sdk)

    @property
    def owner_text(self) -> str:
        """Every control link, ``; ``-joined ("" when none is known)."""
        return "; ".join(o.label for o in self.owners)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source behind the origin facts, in order, without duplicates."""
        urls: dict[str, None] = {}
        for fact in self.facts:
            urls.update(dict.fromkeys(fact.sources))
        for link in self.owners:
            urls.update(dict.fromkeys(link.sources))
        return tuple(urls)


def _describe(claims: Sequence[Any]) -> str:
    return ", ".join(f"{c.key}={c.evidence!r} ({c.rule})" for c in claims[:3])


def _country(table: VendorTable, vendor: Vendor) -> tuple[str | None, tuple[str, ...], bool]:
    fact = vendor.fact("hq_country")
    value = None if fact.value in ("", "unknown") else fact.value
    return value, table.source_urls(fact.sources), fact.verified


def _fact(
    table: VendorTable, role: str, name: str | None, basis: str, extra: tuple[str, ...] = ()
) -> tuple[OriginFact, Vendor | None]:
    if name is None:
        return OriginFact(role, None, None, basis), None
    vendor = table.get(name)
    if vendor is None:
        return OriginFact(
            role, name, None, basis + "; not in the vendor table: origin unknown"
        ), None
    country, urls, verified = _country(table, vendor)
    sources = tuple(dict.fromkeys((*urls, *extra)))
    return OriginFact(role, vendor.name, country, basis, sources, verified), vendor


def _noisy_or(weights: Iterable[float]) -> float:
    rest = 1.0
    for w in weights:
        rest *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - rest


def _firmware_claims(claims: Sequence[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for c in claims:
        if (
            c.field == "maker"
            and c.weight > 0
            and c.key not in _NOT_FIRMWARE_KEYS
            and c.rule.startswith(FIRMWARE_RULES)
        ):
            groups.setdefault(c.value, []).append(c)
    return groups


def _firmware_developer(
    table: VendorTable, claims: Sequence[Any], brand: Vendor | None
) -> tuple[OriginFact, Vendor | None, bool]:
    """(fact, vendor, from the SoC SDK only)."""
    role = "firmware developer"
    groups = _firmware_claims(claims)
    if groups:
        name, chosen = max(groups.items(), key=lambda kv: _noisy_or(c.weight for c in kv[1]))
        fact, vendor = _fact(table, role, name, f"firmware says so: {_describe(chosen)}")
        return fact, vendor, False
    if brand is not None and brand.made_by is not None and brand.made_by.strength == "documented":
        mb = brand.made_by
        fact, vendor = _fact(
            table,
            role,
            mb.maker,
            f"documented OEM of brand {brand.name}: {mb.evidence}",
            table.source_urls(mb.sources),
        )
        return fact, vendor, False
    sdk = _sdk(table, claims)
    if sdk is not None:
        fact = replace(sdk[0], role=role)
        return fact, sdk[1], True
    return OriginFact(role, None, None, "no firmware-borne evidence names it"), None, False


def _sdk(table: VendorTable, claims: Sequence[Any]) -> tuple[OriginFact, Vendor | None] | None:
    sdk = [c for c in claims if c.field == "sdk"]
    if not sdk:
        return None
    basis = f"SoC/SDK vendor of the reference firmware: {_describe(sdk)}"
    return _fact(table, "SoC/SDK vendor", sdk[0].value, basis)


def _link(table: VendorTable, vendor: Vendor) -> ControlLink:
    facts = [vendor.fact(n) for n in ("parent", "owner_country", "state_owned")]
    urls: dict[str, None] = {}
    for f in facts:
        urls.update(dict.fromkeys(table.source_urls(f.sources)))
    return ControlLink(
        vendor.name,
        facts[0].value,
        facts[1].value,
        facts[2].value,
        tuple(urls),
        all(f.verified for f in facts),
    )


@dataclass(frozen=True, slots=True)
class OriginResult:
    """``origin_of``'s answer: the facts, and the firmware developer's table row (for the
    policy) with whether it rests on the SoC SDK alone."""

    origin: Origin
    firmware_vendor: Vendor | None
    firmware_from_sdk: bool


def origin_of(
    claims: Sequence[Any], maker: str | None, brand: str | None, table: VendorTable
) -> OriginResult:
    """The origin facts of a device whose claims chose ``maker`` and ``brand``."""
    maker_claims = [c for c in claims if c.field == "maker" and c.value == maker and c.weight > 0]
    hw, maker_vendor = _fact(
        table,
        "hardware maker",
        maker,
        f"identified from {_describe(maker_claims)}" if maker else "no evidence names the maker",
    )
    brand_claims = [c for c in claims if c.field == "brand" and c.value == brand and c.weight > 0]
    label, brand_vendor = _fact(
        table,
        "brand",
        brand,
        f"label read from {_describe(brand_claims)}" if brand else "no label read",
    )
    if brand_vendor is not None and brand_vendor.made_by is not None and maker_vendor is not None:
        mb = brand_vendor.made_by
        if mb.maker == maker_vendor.name:
            hw = OriginFact(
                hw.role,
                hw.name,
                hw.country,
                f"{hw.basis}; OEM of {brand_vendor.name} ({mb.strength}: {mb.evidence})",
                tuple(dict.fromkeys((*hw.sources, *table.source_urls(mb.sources)))),
                hw.verified,
            )
    fw, fw_vendor, from_sdk = _firmware_developer(table, claims, brand_vendor)
    vendors: dict[str, Vendor] = {}
    for v in (maker_vendor, fw_vendor, brand_vendor):
        if v is not None:
            vendors.setdefault(v.name, v)
    owners = tuple(_link(table, v) for v in vendors.values())
    sdk = _sdk(table, claims)
    origin = Origin(hw, fw, label, owners, None if sdk is None else sdk[0])
    return OriginResult(origin, fw_vendor, from_sdk)
