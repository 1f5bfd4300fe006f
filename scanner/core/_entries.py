"""The ``[[table]]`` entries of a credentials file (TOML), shared by the SNMP and the
recorder credentials: CredentialsError naming the entry at fault, never quoting a value."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from ipaddress import IPv4Network

from camcensus.base.errors import CredentialsError

__all__ = ["credential_entries", "networks"]


def credential_entries(text: str, table: str, name: str) -> Iterator[tuple[str, dict[str, object]]]:
    """``(where, entry)`` for each ``[[table]]`` entry of ``text``, ``where`` naming it
    for error messages ("<name>, [[table]] entry 2")."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"{name} is not readable TOML") from exc
    raw = doc.get(table)
    if not isinstance(raw, list) or not raw:
        raise CredentialsError(f"{name} needs at least one [[{table}]] entry")
    for number, entry in enumerate(raw, start=1):
        where = f"{name}, [[{table}]] entry {number}"
        if not isinstance(entry, dict):
            raise CredentialsError(f"{where} is not a table")
        yield where, entry


def networks(raw: object, where: str, key: str) -> tuple[IPv4Network, ...]:
    """An entry's list of addresses or CIDRs (``key`` names it in errors)."""
    if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
        raise CredentialsError(f"{where}: '{key}' must be a list of addresses or CIDRs")
    try:
        return tuple(IPv4Network(a, strict=False) for a in raw)
    except ValueError as exc:
        raise CredentialsError(f"{where}: {exc}") from exc
