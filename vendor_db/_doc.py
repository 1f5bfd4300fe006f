"""Reading back the JSON documents vendor_db writes (private helper): typed or refused.

Each helper returns the value at ``key`` when it has the type its writer gave it, and
raises VendorDataError otherwise (the inventory turns that into a damaged-row error).
"""

from __future__ import annotations

from typing import cast

from camcensus.base.errors import VendorDataError

__all__ = ["boolean", "mapping", "number", "optional_text", "text", "texts"]


def mapping(data: object, what: str) -> dict[str, object]:
    if not isinstance(data, dict):
        raise VendorDataError(f"{what}: expected an object, got {type(data).__name__}")
    return cast("dict[str, object]", data)


def text(doc: dict[str, object], key: str) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str):
        raise VendorDataError(f"{key!r} must be text")
    return value


def boolean(doc: dict[str, object], key: str, default: bool) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        raise VendorDataError(f"{key!r} must be true or false")
    return value


def number(doc: dict[str, object], key: str) -> float:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VendorDataError(f"{key!r} must be a number")
    return float(value)


def optional_text(doc: dict[str, object], key: str) -> str | None:
    return None if doc.get(key) is None else text(doc, key)


def texts(doc: dict[str, object], key: str) -> list[str]:
    value = doc.get(key, [])
    if type(value) is not list or (value and not all(type(v) is str for v in value)):
        raise VendorDataError(f"{key!r} must be a list of text")
    return cast("list[str]", value)
