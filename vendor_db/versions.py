"""Which data camcensus identified with: short digests of the shipped vendor table and
fingerprints and a description of the OUI layers, so an inventory or bundle can say
what made its verdicts (two machines with the same digests judged alike)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

from camcensus.vendor_db.oui import AIOOUI_VERSION, imported_oui_files

__all__ = ["data_versions"]

_DIGEST_CHARS = 16


def _digest(parts: list[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return "sha256:" + hasher.hexdigest()[:_DIGEST_CHARS]


@cache
def _shipped() -> tuple[str, str]:
    data = files("camcensus.vendor_db").joinpath("data")
    vendors = _digest([data.joinpath("vendors.toml").read_bytes()])
    prints = sorted(
        (e for e in data.joinpath("fingerprints").iterdir() if e.name.endswith(".toml")),
        key=lambda e: e.name,
    )
    fingerprints = _digest([e.name.encode() + b"\0" + e.read_bytes() for e in prints])
    return vendors, fingerprints


def data_versions(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``vendor_table``, ``fingerprints`` (digests of the shipped files) and ``oui``
    (the packaged registry's version and the imported IEEE files, by name)."""
    vendors, fingerprints = _shipped()
    imported = [p.name for p in imported_oui_files(environ)]
    oui = f"aiooui {AIOOUI_VERSION}" + (f" + imported {', '.join(imported)}" if imported else "")
    return {"vendor_table": vendors, "fingerprints": fingerprints, "oui": oui}
