"""The site bundle: an inventory (or part of one) as one self-describing file (pure).

A site reachable only by carrying a laptop there (a train, an OT network) is scanned
into a local inventory; ``camcensus export --bundle FILE`` writes what ``camcensus
merge`` takes in at the centre.  The file is gzip (RFC 1952) holding two parts:

* line 1, the *manifest* (JSON): ``format`` ``camcensus-bundle``, ``format_version``,
  what wrote it (camcensus version, the vendor table, fingerprint and OUI data it
  identified with), when, which sites and scans it holds, and the SHA-256 and length
  of the content;
* the *content* (JSON, after the newline): the inventory's rows, table by table.

``decode_bundle`` checks all of it before anything is read: gzip's own CRC and length
catch a truncated or damaged file, the SHA-256 a content changed since it was written
(by accident; a bundle is not signed: carry it as you would the inventory itself).  A
bundle larger than ``MAX_BUNDLE_BYTES`` unpacked is refused, so a gzip bomb cannot
exhaust memory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Final

from camcensus.base.errors import BundleError, InventoryError
from camcensus.base.version import __version__
from camcensus.vendor_db.versions import data_versions

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_BUNDLE_BYTES",
    "decode_bundle",
    "encode_bundle",
    "manifest_for",
    "raw_table",
    "table_rows",
]

FORMAT: Final = "camcensus-bundle"
FORMAT_VERSION: Final = 1
MAX_BUNDLE_BYTES: Final = 4 * 1024**3
"""Most bytes a bundle may unpack to (a 100,000-device inventory is about 0.5 GiB)."""
_MAX_MANIFEST_BYTES: Final = 1024 * 1024


def manifest_for(
    content: Mapping[str, object], *, what: str, created_at: str, created_by: str, host: str
) -> dict[str, object]:
    """The manifest of a bundle of ``content`` (an ``Inventory.dump``): what it holds
    (``what``: "inventory", "site X", "scan N"), its sites and scans, who wrote it, where
    and when, and with which camcensus and data."""
    scan_rows = table_rows(content, "scans")
    return {
        "what": what,
        "created_at": created_at,
        "created_by": created_by,
        "host": host,
        "camcensus": __version__,
        **data_versions(),
        "sites": sorted({str(r.get("site")) for r in scan_rows if r.get("site") is not None}),
        "scans": [str(r.get("uid")) for r in scan_rows],
        "devices": len(table_rows(content, "devices")),
    }


def raw_table(
    content: Mapping[str, object], name: str, required: Sequence[str] = ()
) -> tuple[list[str], list[list[object]]]:
    """``(columns, rows)`` of table ``name`` of a dump (``Inventory.dump``: a table is
    ``{"columns": [...], "rows": [[...], ...]}``; a missing one has no rows);
    InventoryError when it is not so, or lacks one of the ``required`` columns."""
    table = content.get(name, {"columns": list(required), "rows": []})
    columns = table.get("columns") if isinstance(table, Mapping) else None
    rows = table.get("rows") if isinstance(table, Mapping) else None
    if (
        not isinstance(columns, list)
        or not isinstance(rows, list)
        or not all(isinstance(r, list) and len(r) == len(columns) for r in rows)
        or not set(required) <= set(columns)
    ):
        raise InventoryError(f"merge: table {name!r} is damaged (its rows do not fit its columns)")
    return [str(c) for c in columns], rows


def table_rows(content: Mapping[str, object], name: str) -> list[dict[str, object]]:
    """The rows of table ``name`` of a dump, one dict a row (``raw_table``'s checks)."""
    columns, rows = raw_table(content, name)
    return [dict(zip(columns, r, strict=True)) for r in rows]


def _content_bytes(content: Mapping[str, object]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def encode_bundle(manifest: Mapping[str, object], content: Mapping[str, object]) -> bytes:
    """The bundle file's bytes: ``manifest`` (with the format and the content's digest
    added) and ``content``.  The same inputs give the same bytes."""
    body = _content_bytes(content)
    head = {
        **manifest,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "content_sha256": hashlib.sha256(body).hexdigest(),
        "content_bytes": len(body),
    }
    line = json.dumps(head, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return gzip.compress(line + b"\n" + body, mtime=0)


def _unpack(data: bytes, max_bytes: int) -> bytes:
    out = bytearray()
    rest = data
    while rest:  # gzip allows several members one after another
        unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += unpacker.decompress(rest, max_bytes - len(out) + 1)
        except zlib.error as exc:
            raise BundleError(f"not a camcensus bundle, or a damaged one ({exc})") from exc
        if len(out) > max_bytes:
            raise BundleError(f"bundle unpacks to more than {max_bytes} bytes: refused")
        if not unpacker.eof:
            raise BundleError("bundle is truncated: the file ends before its content does")
        rest = unpacker.unused_data
    return bytes(out)


def decode_bundle(
    data: bytes, *, max_bytes: int = MAX_BUNDLE_BYTES
) -> tuple[dict[str, object], dict[str, object]]:
    """``(manifest, content)`` of a bundle file's bytes; BundleError (saying which) for
    a file that is not a bundle, is truncated or damaged, of a newer format, or whose
    content does not match its digest."""
    raw = _unpack(data, max_bytes)
    head, newline, body = raw.partition(b"\n")
    if not newline or len(head) > _MAX_MANIFEST_BYTES:
        raise BundleError("not a camcensus bundle: no manifest line")
    try:
        manifest = json.loads(head)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(f"not a camcensus bundle: its manifest is not JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError("not a camcensus bundle: its manifest names no camcensus-bundle format")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise BundleError(
            f"bundle format version {version!r}: this camcensus reads version "
            f"{FORMAT_VERSION}; a newer camcensus wrote it"
        )
    if manifest.get("content_bytes") != len(body):
        raise BundleError(
            f"bundle content is {len(body)} bytes, its manifest says "
            f"{manifest.get('content_bytes')!r}: truncated or changed"
        )
    if hashlib.sha256(body).hexdigest() != manifest.get("content_sha256"):
        raise BundleError("bundle content does not match its SHA-256: changed or damaged")
    try:
        content = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(f"bundle content is not JSON ({exc})") from exc
    if not isinstance(content, dict):
        raise BundleError("bundle content is not a table of rows")
    return manifest, content
