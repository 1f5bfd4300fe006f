"""CSV and JSON export of inventory rows: pure functions over ``DeviceRecord`` values.

Every CSV cell is neutralised before it is written, because device-supplied text
(models, firmware strings, banners) is hostile input and the CSV is opened in
spreadsheets and terminals:

* control characters (C0 including ESC/NUL/TAB/CR, DEL, C1), Unicode bidi controls,
  line separators and zero-width characters (U+200B-U+200F, U+2060, U+FEFF) are
  replaced by visible escapes (``"\\x1b"``, ``"\\u202e"``: ``scanner.core.text``, the
  TUI's and the CLI's rule); only the admin-typed ``note``, ``site`` and ``location``
  keep their newlines;
* a cell that starts with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), or with a
  TAB or CR, is prefixed with a single quote ``'`` so spreadsheets show it as text.  The
  check also looks past leading whitespace, because some importers trim it.  Negative
  numbers such as ``-2`` are quoted too; the columns this module writes hold no signed
  numbers of its own.

A literal backslash in device text is written as is, so ``\\x1b`` in a cell may be
either an escaped ESC or the device's own four characters.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Final, TextIO

from camcensus.scanner.core.schema import FIELDS, DeviceRecord, field_text, record_json
from camcensus.scanner.core.text import escape_controls

__all__ = [
    "CSV_FIELDS",
    "DEVICE_CSV_COLUMNS",
    "JSON_FORMAT",
    "SUMMARY_CSV_COLUMNS",
    "check_delimiter",
    "devices_json",
    "neutralise_cell",
    "write_devices_csv",
    "write_model_summary_csv",
]

CSV_FIELDS: Final = tuple(f for f in FIELDS if f.csv)
DEVICE_CSV_COLUMNS: Final = tuple(f.name for f in CSV_FIELDS)
SUMMARY_CSV_COLUMNS: Final = (
    "maker",
    "brand",
    "model",
    "device_type",
    "device_count",
    "flagged_count",
    "possible_count",
    "to_replace_count",
    "sites",
    "locations",
)
JSON_FORMAT: Final = "camcensus.devices/2"

_FORMULA_STARTS: Final = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_UTF8_BOM: Final = "\ufeff"
_DELIMITER_NAMES: Final = {"\\t": "\t", "tab": "\t"}


def neutralise_cell(value: object, *, keep_newlines: bool = False) -> str:
    """Text safe to put in a spreadsheet cell and to print on a terminal.

    >>> neutralise_cell("=1+1")
    "'=1+1"
    >>> neutralise_cell("cam\\x1b[31m\\u200b")
    'cam\\\\x1b[31m\\\\u200b'
    """
    raw = "" if value is None else str(value)
    escaped = escape_controls(raw, keep_newlines=keep_newlines)
    risky = (
        raw[:1] in ("\t", "\r")
        or raw.lstrip()[:1] in _FORMULA_STARTS
        or escaped.lstrip()[:1] in _FORMULA_STARTS
    )
    return "'" + escaped if risky else escaped


def check_delimiter(text: str) -> str:
    """The CSV delimiter ``text`` names (one character; ``tab`` or ``\\t`` for a TAB);
    ValueError for one a CSV cannot use (a quote, a line break, a letter or digit)."""
    value = _DELIMITER_NAMES.get(text, text)
    if len(value) != 1 or value in "\"'\r\n" or value.isalnum():
        raise ValueError(f"unusable CSV delimiter {text!r}")
    return value


def _writer(stream: TextIO, delimiter: str, bom: bool) -> Callable[[Iterable[str]], object]:
    check_delimiter(delimiter)
    if bom:
        stream.write(_UTF8_BOM)
    return csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL).writerow


def _device_cells(row: DeviceRecord) -> list[str]:
    return [
        neutralise_cell(field_text(f, f.value(row)), keep_newlines=f.multiline) for f in CSV_FIELDS
    ]


def write_devices_csv(
    rows: Iterable[DeviceRecord], stream: TextIO, *, delimiter: str = ",", bom: bool = False
) -> int:
    """Write a replacement-plan CSV (``DEVICE_CSV_COLUMNS``) and return the rows written.

    ``stream`` should be opened with ``newline=""``.  ``bom`` writes a UTF-8 byte-order
    mark first (Excel needs it to read UTF-8); ``delimiter=";"`` suits locales whose
    decimal separator is a comma.
    """
    writerow = _writer(stream, delimiter, bom)
    writerow(DEVICE_CSV_COLUMNS)
    count = 0
    for row in rows:
        writerow(_device_cells(row))
        count += 1
    return count


_RECORDERS_AND_CAMERAS: Final = frozenset({"camera", "nvr"})


def write_model_summary_csv(
    rows: Iterable[DeviceRecord], stream: TextIO, *, delimiter: str = ",", bom: bool = False
) -> int:
    """Write one line per (maker, brand, model, device type) with device, flagged,
    possibly flagged and ``to_replace`` counts and the sites and locations they are at
    (``"; "``-joined).  Cameras and recorders come first, then every other device
    (printers, laptops, unknown), each part most flagged first; returns the lines written.
    """
    counts: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    sites: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    locations: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        device = row.device
        key = (device.maker, device.brand, device.model, str(device.device_type))
        entry = counts[key]
        entry[0] += 1
        entry[1] += int(device.flagged)
        entry[2] += int(device.flag_level == "possible")
        entry[3] += int(row.review_status == "to_replace")
        if row.site:
            sites[key].add(row.site)
        if row.location:
            locations[key].add(row.location)
    writerow = _writer(stream, delimiter, bom)
    writerow(SUMMARY_CSV_COLUMNS)
    ordered = sorted(
        counts.items(),
        key=lambda item: (
            item[0][3] not in _RECORDERS_AND_CAMERAS,
            -item[1][1],
            -item[1][0],
            item[0],
        ),
    )
    for key, (device_count, flagged_count, possible, to_replace_count) in ordered:
        writerow(
            (
                *(neutralise_cell(value) for value in key),
                str(device_count),
                str(flagged_count),
                str(possible),
                str(to_replace_count),
                neutralise_cell("; ".join(sorted(sites[key]))),
                neutralise_cell("; ".join(sorted(locations[key])), keep_newlines=True),
            )
        )
    return len(ordered)


def devices_json(rows: Iterable[DeviceRecord]) -> str:
    """The devices as a JSON document ``{"format": JSON_FORMAT, "devices": [...]}``.

    Output is ASCII: control and bidi characters from devices appear as ``\\uXXXX``.
    """
    document = {"format": JSON_FORMAT, "devices": [record_json(row) for row in rows]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
