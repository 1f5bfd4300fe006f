"""The detail pane's text: identity, flag, sources, review and the evidence chain.

Pure: one ``DeviceRecord`` in (from ``Inventory.device``, with evidence), one Rich
``Text`` out.  Every device-supplied string goes through ``safe_text`` and is parsed as
one markup piece on its own, so nothing a device says can style the pane or reach the
terminal as a control sequence.  The ``identity`` mapping is read defensively: a field
of the wrong type is skipped, not trusted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, cast

from rich.text import Text

from camcensus.scanner.model import DeviceRecord
from camcensus.tui.rows import REVIEW_LABELS
from camcensus.tui.text import to_text

__all__ = ["detail_text"]

_HEADING: Final = "bold underline"
_LABEL: Final = "bold"


class _Builder:
    def __init__(self) -> None:
        self.text = Text(end="")

    def plain(self, value: str, style: str = "") -> None:
        self.text.append(value, style=style)

    def device(self, value: object, *, keep_newlines: bool = False) -> None:
        self.text.append_text(to_text(value, keep_newlines=keep_newlines))

    def field(self, label: str, value: object) -> None:
        self.plain(f"{label}: ", _LABEL)
        self.device("-" if value is None or value == "" else value)

    def fields(self, *pairs: tuple[str, object], end: str = "\n") -> None:
        """Several ``label: value`` fields on one line, three spaces apart."""
        for n, (label, value) in enumerate(pairs):
            if n:
                self.plain("   ")
            self.field(label, value)
        self.plain(end)

    def heading(self, title: str) -> None:
        if not self.text.plain.endswith("\n"):
            self.plain("\n")
        self.plain("\n")
        self.plain(title, _HEADING)
        self.plain("\n")

    def bullets(self, values: Sequence[object], empty: str = "(none)") -> None:
        if not values:
            self.plain(f"  {empty}\n")
        for value in values:
            self.plain("  - ")
            self.device(value)
            self.plain("\n")


def _as_mapping(value: object) -> Mapping[str, object]:
    return cast("Mapping[str, object]", value) if isinstance(value, Mapping) else {}


def _as_list(value: object) -> list[object]:
    return list(cast("list[object]", value)) if isinstance(value, list | tuple) else []


def _claims(builder: _Builder, chain: list[object]) -> None:
    if not chain:
        builder.plain("  (no claims recorded)\n")
    for item in chain:
        claim = _as_mapping(item)
        builder.plain("  ")
        builder.device(claim.get("field", "?"))
        builder.plain(" = ")
        builder.device(claim.get("value", ""))
        builder.plain("  <- ")
        builder.device(claim.get("key", "?"))
        builder.plain(" ")
        builder.device(repr(str(claim.get("evidence", ""))))
        weight = claim.get("weight")
        weight_text = f"{weight:.2f}" if isinstance(weight, int | float) else "?"
        builder.plain("\n     rule ")
        builder.device(claim.get("rule", "?"))
        builder.plain(f", weight {weight_text}, source ")
        builder.device(claim.get("source", "") or "-")
        builder.plain("\n")


def detail_text(record: DeviceRecord) -> Text:
    """The detail pane for one device (see the module docstring)."""
    b = _Builder()
    identity = _as_mapping(record.identity)
    flag = _as_mapping(identity.get("flag"))
    b.plain("Device ", _HEADING)
    b.device(record.device_key)
    b.plain(f"  ({record.presence})\n", _HEADING)
    b.fields(("IP", record.ip), ("MAC", record.mac), ("Site", record.site))
    b.fields(("Maker", record.maker), ("Brand", record.brand), ("Model", record.model))
    b.fields(("Firmware", record.firmware), ("Type", record.device_type), end="")
    b.plain(f"   Confidence: {record.confidence:.2f}\n", _LABEL)
    b.fields(("First seen", record.first_seen), ("Last seen", record.last_seen), end="")

    b.heading("Flag")
    b.plain("Flag: ", _LABEL)
    b.plain("FLAG (vendor of concern)" if record.flagged else "- (not flagged)", _LABEL)
    b.plain("   ")
    b.field("List status", record.list_status)
    b.plain("\nReasons:\n", _LABEL)
    b.bullets(list(record.flag_reasons))
    b.plain("Sources:\n", _LABEL)
    b.bullets(list(record.sources) or _as_list(flag.get("sources")))
    unverified = _as_list(flag.get("unverified"))
    if unverified:
        b.plain("Unverified:\n", _LABEL)
        b.bullets(unverified)

    b.heading("Review")
    b.plain("Status: ", _LABEL)
    b.plain(REVIEW_LABELS.get(record.review_status, record.review_status))
    b.plain("   ")
    b.field("Updated", record.review_updated_at)
    b.plain("\nNote: ", _LABEL)
    b.device(record.note or "-", keep_newlines=True)

    b.heading("Evidence chain")
    _claims(b, _as_list(identity.get("chain")))
    conflicts = _as_list(identity.get("conflicts"))
    if conflicts:
        b.plain("Conflicts:\n", _LABEL)
        b.bullets(conflicts)

    b.heading("Evidence (latest scan)")
    if not record.evidence:
        b.plain("  (none stored)\n")
    for ev in record.evidence:
        b.plain("  ")
        b.device(ev.key)
        b.plain(" = ")
        b.device(repr(ev.value))
        b.plain("  (")
        b.device(ev.source or "-")
        b.plain(" @ ")
        b.device(ev.address or "-")
        b.plain(")\n")
    return b.text
