"""The one builder of test devices: ``Device`` and ``DeviceRecord`` values from the schema.

``make_device(5)`` is a flagged Hikvision camera at 198.18.0.5 with MAC ..:05; keyword
arguments override any field of the schema a test cares about (device fields such as
``ip`` or ``evidence``, identification fields such as ``maker`` or ``flagged``).
``make_record`` adds the inventory's own fields.  Store, export, TUI tests and the TUI
benchmark all build devices here, so a change to the schema changes one file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import Device, DeviceRecord, device_key_for
from camcensus.vendor_db.identify import Claim, Identification
from camcensus.vendor_db.policy import FlagDecision

FCC: Final = "https://www.fcc.gov/supplychain/coveredlist"

_IDENTIFICATION: Final = ("maker", "brand", "model", "firmware", "device_type", "confidence")
_FLAG: Final = ("flagged", "flag_reasons", "list_status", "sources", "unverified", "level")
_DEVICE: Final = (
    "device_key", "ip", "mac", "addresses", "mac_organisation", "evidence", "parent",
)  # fmt: skip


def make_identification(**overrides: Any) -> Identification:
    """A flagged Hikvision camera's identification, one claim from its HTTP Server header."""
    values: dict[str, Any] = {
        "maker": "Hikvision",
        "brand": None,
        "model": "DS-2CD2043G2-I",
        "firmware": "V5.7.3",
        "device_type": "camera",
        "confidence": 0.9,
        "flagged": True,
        "flag_reasons": ("maker Hikvision is on the FCC Covered List",),
        "list_status": "fcc_covered",
        "sources": (FCC,),
        "unverified": (),
        "level": None,
        "chain": None,
        "conflicts": (),
    }
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"not an identification field: {sorted(unknown)}")
    values.update(overrides)
    if values["brand"] is None:
        values["brand"] = values["maker"]
    if not values["flagged"] and "list_status" not in overrides:
        values["flag_reasons"], values["list_status"], values["sources"] = (), "", ()
    chain = values["chain"]
    if chain is None:
        maker, rule = str(values["maker"]), "fingerprint:hikvision-app-webs"
        chain = (Claim("maker", maker, "http.server", "App-webs/", "http", rule, 0.9),)
    return Identification(
        maker=values["maker"],
        brand=values["brand"],
        model=values["model"],
        firmware=values["firmware"],
        device_type=values["device_type"],
        confidence=values["confidence"],
        chain=tuple(chain),
        conflicts=tuple(values["conflicts"]),
        flag=FlagDecision(
            values["flagged"],
            tuple(values["flag_reasons"]),
            values["list_status"],
            tuple(values["sources"]),
            tuple(values["unverified"]),
            values["level"] or ("flagged" if values["flagged"] else "no"),
        ),
    )


def make_device(host: int = 5, **overrides: Any) -> Device:
    """A device at 198.18.0.<host> (see the module docstring); ``site=`` keys it there."""
    site = overrides.pop("site", None)
    ident = {k: overrides.pop(k) for k in list(overrides) if k in _IDENTIFICATION + _FLAG}
    ident.update({k: overrides.pop(k) for k in ("chain", "conflicts") if k in overrides})
    unknown = set(overrides) - set(_DEVICE)
    if unknown:
        raise TypeError(f"not a device field: {sorted(unknown)}")
    ip = overrides.pop("ip", f"198.18.0.{host}")
    mac = overrides.pop("mac", f"aa:bb:cc:00:00:{host:02x}")
    evidence = overrides.pop("evidence", (Evidence("http.server", "App-webs/", "http", ip),))
    return Device(
        device_key=overrides.pop("device_key", device_key_for(mac, ip, site)),
        ip=ip,
        mac=mac,
        identification=make_identification(**ident),
        mac_organisation=overrides.pop("mac_organisation", ""),
        addresses=tuple(overrides.pop("addresses", (ip,))),
        evidence=tuple(evidence),
        parent=overrides.pop("parent", None),
    )


def make_record(host: int = 5, **overrides: Any) -> DeviceRecord:
    """``make_device(host)`` as the inventory holds it after two scans, at site HQ."""
    state: dict[str, Any] = {
        "site": "HQ",
        "first_seen": "2025-03-01T09:00:00+00:00",
        "last_seen": "2025-03-02T09:00:00+00:00",
        "first_scan_id": 1,
        "last_scan_id": 2,
        "presence": "present",
        "review_status": "unreviewed",
        "note": "",
        "review_updated_at": None,
    }
    for name in list(overrides):
        if name in state:
            state[name] = overrides.pop(name)
    return DeviceRecord(device=make_device(host, **overrides), **state)


def self_signed_der(common_name: str, organisation: str | None = None) -> bytes:
    """A self-signed certificate (DER) as cameras present them: CN, optional O and C=CN."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation is not None:
        attributes[:0] = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    name = x509.Name(attributes)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)
