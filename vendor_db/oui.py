"""MAC prefix lookup: longest prefix over IEEE MA-L (/24), MA-M (/28) and MA-S/IAB (/36).

Three layers, checked longest prefix first and, at equal length, in this order:

1. IEEE CSV files an admin imported with ``camcensus oui update --from FILE``, read
   from ``oui_read_dirs()``: ``$CAMCENSUS_DATA_DIR/oui`` alone when that is set, else
   the user's folder (``~/.local/share/camcensus/oui``) and the system-wide
   ``/var/lib/camcensus/oui`` (where ``oui update`` run as root writes), so a scan
   run with ``sudo`` sees what root imported.  A folder that cannot be read (an
   unreadable HOME) is skipped with a warning;
2. ``vendor_db/data/oui_extra.csv``: MA-M / MA-S blocks of vendors in the table;
3. MA-L from the ``aiooui`` package (``aiooui/oui.data``, built from the IEEE's oui.txt).

``lookup_mac(mac, tables)`` is pure.  ``parse_ieee_csv(text)`` is pure.  The loaders
(``load_oui_tables``) only read files.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Final

from camcensus.base.errors import VendorDataError

__all__ = [
    "AIOOUI_VERSION",
    "REGISTRY_BITS",
    "SYSTEM_DATA_DIR",
    "SYSTEM_OUI_DIR",
    "MacInfo",
    "OuiEntry",
    "OuiTables",
    "data_dir",
    "default_oui_tables",
    "format_prefix",
    "imported_oui_files",
    "load_oui_tables",
    "lookup_mac",
    "normalise_mac",
    "oui_data_dir",
    "oui_read_dirs",
    "parse_aiooui_data",
    "parse_ieee_csv",
    "read_dirs",
    "read_ieee_csv_file",
]

_log = logging.getLogger(__name__)

AIOOUI_VERSION: Final = "0.1.11"
SYSTEM_OUI_DIR: Final = Path("/var/lib/camcensus/oui")
"""Where ``oui update`` as root keeps imported IEEE CSVs; every scan reads it."""
#: IEEE registry name -> prefix length in bits
REGISTRY_BITS: Final = {"MA-L": 24, "MA-M": 28, "MA-S": 36, "IAB": 36}
_BITS_ORDER: Final = (36, 28, 24)
_HEX_DIGITS: Final = {24: 6, 28: 7, 36: 9}
_IEEE_HEADER: Final = ("Registry", "Assignment", "Organization Name", "Organization Address")
_MAC_RE: Final = re.compile(r"^[0-9a-f]{12}$")
_PLACEHOLDER_ORGS: Final = frozenset({"ieee registration authority", "private"})
_MAX_CSV_BYTES: Final = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OuiEntry:
    """One IEEE assignment: ``prefix`` is the integer value of its first ``bits`` bits."""

    bits: int
    prefix: int
    organisation: str
    registry: str
    source: str


@dataclass(frozen=True, slots=True)
class OuiTables:
    """Prefix tables in lookup order: ``layers`` is a list of (name, bits -> prefix -> entry)."""

    layers: tuple[tuple[str, Mapping[int, Mapping[int, OuiEntry]]], ...]

    @classmethod
    def build(cls, layers: Iterable[tuple[str, Iterable[OuiEntry]]]) -> OuiTables:
        """Index entries per layer; within a layer a later entry replaces an earlier one."""
        built: list[tuple[str, Mapping[int, Mapping[int, OuiEntry]]]] = []
        for name, entries in layers:
            by_bits: dict[int, dict[int, OuiEntry]] = {24: {}, 28: {}, 36: {}}
            for entry in entries:
                by_bits[entry.bits][entry.prefix] = entry
            built.append((name, by_bits))
        return cls(tuple(built))

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per layer and registry size, for ``oui update`` reports."""
        names = {24: "MA-L", 28: "MA-M", 36: "MA-S"}
        return {n: {names[b]: len(t) for b, t in layer.items()} for n, layer in self.layers}


@dataclass(frozen=True, slots=True)
class MacInfo:
    """What the MAC address itself says."""

    mac: str
    organisation: str | None
    prefix: str | None
    prefix_bits: int
    registry: str | None
    source: str | None
    locally_administered: bool
    multicast: bool

    @property
    def randomised(self) -> bool:
        """Locally administered unicast: randomised or set by software, no maker."""
        return self.locally_administered and not self.multicast


def normalise_mac(mac: str) -> str:
    """``AA-BB-CC-DD-EE-FF`` / ``aabb.ccdd.eeff`` -> ``aa:bb:cc:dd:ee:ff``; VendorDataError else."""
    digits = re.sub(r"[:\-.\s]", "", mac.strip().lower())
    if not _MAC_RE.match(digits):
        raise VendorDataError(f"not a MAC address: {mac[:40]!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def format_prefix(prefix: int, bits: int) -> str:
    """``(0xB0B3536, 28)`` -> ``B0:B3:53:60/28``; MA-L prints as ``00:BC:99``."""
    value = prefix << (48 - bits)
    octets = value.to_bytes(6, "big")[: (bits + 7) // 8]
    text = ":".join(f"{b:02X}" for b in octets)
    return text if bits == 24 else f"{text}/{bits}"


def lookup_mac(mac: str, tables: OuiTables | None = None) -> MacInfo:
    """Longest-prefix lookup of ``mac``; pure given ``tables`` (default: the shipped tables).

    Placeholder organisations ("IEEE Registration Authority") do not count as a match.
    """
    if tables is None:
        tables = default_oui_tables()
    norm = normalise_mac(mac)
    value = int(norm.replace(":", ""), 16)
    first = value >> 40
    local = bool(first & 0x02)
    multicast = bool(first & 0x01)
    if not local:
        for bits in _BITS_ORDER:
            key = value >> (48 - bits)
            for _name, layer in tables.layers:
                entry = layer.get(bits, {}).get(key)
                if entry is not None and entry.organisation.casefold() not in _PLACEHOLDER_ORGS:
                    return MacInfo(
                        norm,
                        entry.organisation,
                        format_prefix(key, bits),
                        bits,
                        entry.registry,
                        entry.source,
                        local,
                        multicast,
                    )
    return MacInfo(norm, None, None, 0, None, None, local, multicast)


def parse_ieee_csv(text: str, source: str) -> list[OuiEntry]:
    """Parse an IEEE registry CSV (oui.csv, mam.csv, oui36.csv, iab.csv); pure."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header[:4]) != _IEEE_HEADER:
        raise VendorDataError(
            f"{source}: not an IEEE registry CSV (expected header {','.join(_IEEE_HEADER)})"
        )
    entries: list[OuiEntry] = []
    for lineno, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise VendorDataError(f"{source}:{lineno}: expected at least 3 columns")
        registry, assignment, organisation = (c.strip() for c in row[:3])
        bits = REGISTRY_BITS.get(registry)
        if bits is None:
            raise VendorDataError(f"{source}:{lineno}: unknown registry {registry!r}")
        if len(assignment) != _HEX_DIGITS[bits] or not re.fullmatch(r"[0-9A-Fa-f]+", assignment):
            raise VendorDataError(
                f"{source}:{lineno}: {registry} assignment must be {_HEX_DIGITS[bits]} hex digits,"
                f" got {assignment!r}"
            )
        entries.append(OuiEntry(bits, int(assignment, 16), organisation, registry, source))
    return entries


def parse_aiooui_data(data: bytes, source: str) -> list[OuiEntry]:
    """Parse aiooui's ``oui.data`` (documented in its ``__init__``: magic, keys, offsets, names)."""
    try:
        magic, count = struct.unpack_from("<4sI", data)
        keys = struct.unpack_from(f"<{count}I", data, 8)
        offsets = struct.unpack_from(f"<{count}I", data, 8 + 4 * count)
    except struct.error as exc:
        raise VendorDataError(f"{source}: truncated OUI table") from exc
    if magic != b"OUI1":
        raise VendorDataError(f"{source}: not an aiooui OUI1 table")
    blob = data[8 + 8 * count :]
    names: dict[int, str] = {}
    entries: list[OuiEntry] = []
    for key, off in zip(keys, offsets, strict=True):
        name = names.get(off)
        if name is None:
            end = blob.find(b"\n", off)
            if end < 0:
                raise VendorDataError(f"{source}: name at offset {off} is not terminated")
            name = names[off] = blob[off:end].decode("utf-8", errors="replace")
        entries.append(OuiEntry(24, key, name, "MA-L", source))
    return entries


SYSTEM_DATA_DIR: Final = SYSTEM_OUI_DIR.parent
"""Where data imported as root lives (``/var/lib/camcensus/<kind>``); every scan reads it."""


def _user_data_dir(env: Mapping[str, str], kind: str) -> Path | None:
    if xdg := env.get("XDG_DATA_HOME"):
        return Path(xdg) / "camcensus" / kind
    try:
        home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return None
    return home / ".local" / "share" / "camcensus" / kind


def data_dir(kind: str, environ: Mapping[str, str] | None = None, *, system: bool = False) -> Path:
    """Where an import of ``kind`` (``oui``, ``cve``) is stored: ``$CAMCENSUS_DATA_DIR/<kind>``,
    else ``/var/lib/camcensus/<kind>`` with ``system`` (root), else the user's
    ``~/.local/share/camcensus/<kind>``."""
    env = os.environ if environ is None else environ
    if base := env.get("CAMCENSUS_DATA_DIR"):
        return Path(base) / kind
    user = None if system else _user_data_dir(env, kind)
    return SYSTEM_DATA_DIR / kind if user is None else user


def read_dirs(kind: str, environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Where imported data of ``kind`` is read from, first wins: ``$CAMCENSUS_DATA_DIR/<kind>``
    alone when set, else the user's folder, then ``/var/lib/camcensus/<kind>``."""
    env = os.environ if environ is None else environ
    if base := env.get("CAMCENSUS_DATA_DIR"):
        return (Path(base) / kind,)
    user = _user_data_dir(env, kind)
    system = SYSTEM_DATA_DIR / kind
    return (system,) if user is None else (user, system)


def oui_data_dir(environ: Mapping[str, str] | None = None, *, system: bool = False) -> Path:
    """Where ``oui update`` stores imported IEEE CSVs (``data_dir("oui")``)."""
    return data_dir("oui", environ, system=system)


def oui_read_dirs(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Where imported IEEE CSVs are read from (``read_dirs("oui")``)."""
    return read_dirs("oui", environ)


def _imported_files(directory: Path) -> list[Path]:
    """The CSVs of one imported-data folder; none (and a warning) when it is unreadable."""
    try:
        if not directory.is_dir():
            return []
        return sorted(directory.glob("*.csv"))
    except OSError as exc:
        _log.warning("OUI data folder %s skipped: %s", directory, exc.strerror or exc)
        return []


def imported_oui_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The imported IEEE CSVs the tables are read from (``oui_read_dirs``), in order."""
    return [p for d in dict.fromkeys(oui_read_dirs(environ)) for p in _imported_files(d)]


def read_ieee_csv_file(path: Path) -> list[OuiEntry]:
    """Read and parse one IEEE CSV file (size-capped)."""
    try:
        # Read at most one byte over the cap: a FIFO or /dev/zero has no size to stat.
        with path.open("rb") as stream:
            data = stream.read(_MAX_CSV_BYTES + 1)
        if len(data) > _MAX_CSV_BYTES:
            raise VendorDataError(f"{path}: over the {_MAX_CSV_BYTES}-byte cap")
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise VendorDataError(f"{path}: cannot read: {exc}") from exc
    return parse_ieee_csv(text, str(path))


def _aiooui_entries() -> list[OuiEntry]:
    try:
        data = files("aiooui").joinpath("oui.data").read_bytes()
    except (ModuleNotFoundError, OSError) as exc:
        _log.warning("aiooui OUI data unavailable (%s): MA-L lookups use imported data only", exc)
        return []
    return parse_aiooui_data(data, f"aiooui {AIOOUI_VERSION} (IEEE oui.txt)")


def _extra_entries() -> list[OuiEntry]:
    text = (
        files("camcensus.vendor_db").joinpath("data", "oui_extra.csv").read_text(encoding="utf-8")
    )
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return parse_ieee_csv("\n".join(lines), "vendor_db/data/oui_extra.csv")


def load_oui_tables(imported_dir: Path | None = None) -> OuiTables:
    """Read all three layers; the imported one from ``imported_dir``, else from
    ``oui_read_dirs()``."""
    directories = oui_read_dirs() if imported_dir is None else (imported_dir,)
    imported: list[OuiEntry] = []
    for directory in dict.fromkeys(directories):
        for path in _imported_files(directory):
            imported.extend(read_ieee_csv_file(path))
    return OuiTables.build(
        [("imported", imported), ("extra", _extra_entries()), ("aiooui", _aiooui_entries())]
    )


@cache
def default_oui_tables() -> OuiTables:
    """The tables ``identify`` uses, read once per process."""
    return load_oui_tables()
