"""The detail pane's text: review and flag first (they fit an 80x24 screen above the
fold), then identity and note, the flag's reasons and sources, the evidence chain, then
the origin facts (hardware maker, firmware developer, brand, owners) and vulnerable
firmware.

Pure: one ``DeviceRecord`` in (from ``Inventory.device``, with evidence), one Rich
``Text`` out.  Every device-supplied string goes through ``safe_text`` and is parsed as
one markup piece on its own, so nothing a device says can style the pane or reach the
terminal as a control sequence.  The identification arrives typed (claims, conflicts,
the flag decision), as the scan made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from rich.text import Text

from camcensus.scanner.core.schema import REVIEW_LABELS, DeviceRecord
from camcensus.tui.text import to_text
from camcensus.vendor_db.identify import Claim

if TYPE_CHECKING:
    from camcensus.scanner.store import ReviewEntry

__all__ = ["detail_text"]

_HEADING: Final = "bold underline"
_LABEL: Final = "bold"
_FLAG_STYLE: Final = {"flagged": "bold red", "possible": "yellow"}


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


def _claims(builder: _Builder, chain: Sequence[Claim]) -> None:
    if not chain:
        builder.plain("  (no claims recorded)\n")
    for claim in chain:
        builder.plain("  ")
        builder.device(claim.field)
        builder.plain(" = ")
        builder.device(claim.value)
        builder.plain("  <- ")
        builder.device(claim.key)
        builder.plain(" ")
        builder.device(repr(claim.evidence))
        builder.plain("\n     rule ")
        builder.device(claim.rule)
        builder.plain(f", weight {claim.weight:.2f}, source ")
        builder.device(claim.source or "-")
        builder.plain("\n")


def _children(b: _Builder, children: Sequence[DeviceRecord]) -> None:
    b.heading(f"Cameras behind this recorder ({len(children)})")
    for child in children:
        device = child.device
        channel = next((e.value for e in device.evidence if e.key == "recorder.channel"), "")
        b.plain("  FLAG " if device.flagged else "  -    ", _LABEL)
        b.device(f"ch {channel or '?'}  {device.ip}  {device.maker or '?'}  {device.model}")
        b.plain("  (")
        b.device(device.device_key)
        b.plain(")\n")


def detail_text(
    record: DeviceRecord,
    children: Sequence[DeviceRecord] = (),
    conflicts: Sequence[ReviewEntry] = (),
) -> Text:
    """The detail pane for one device (see the module docstring); ``children``: the
    cameras behind it when it is a recorder; ``conflicts``: reviews another inventory
    made of it that disagree with this one's (kept by a merge, never applied)."""
    b = _Builder()
    device = record.device
    ident = device.identification
    b.plain("Device ", _HEADING)
    b.device(device.device_key)
    b.plain(f"  ({record.presence})\n", _HEADING)
    b.plain("Review: ", _LABEL)
    b.plain(REVIEW_LABELS.get(record.review_status, record.review_status), _LABEL)
    b.plain("   Flag: ", _LABEL)
    b.plain(
        {"flagged": "FLAG", "possible": "possible"}.get(device.flag_level, "-"),
        _FLAG_STYLE.get(device.flag_level, ""),
    )
    b.plain("   ")
    b.field("Updated", record.review_updated_at)
    b.plain("\n")
    for c in conflicts:
        b.plain("Review conflict: ", _FLAG_STYLE.get("flagged", ""))
        b.device(f"{c.origin} says {REVIEW_LABELS.get(c.status, c.status)}")
        if c.note:
            b.plain(" (")
            b.device(c.note)
            b.plain(")")
        b.plain(", ")
        b.device(f"{c.reviewer or 'someone'}, {c.reviewed_at}")
        b.plain("; this inventory's review is kept\n")
    b.fields(("IP", device.ip), ("MAC", device.mac), ("Site", record.site))
    if record.location:
        b.fields(("Location", record.location))
    if len(device.addresses) > 1:
        b.fields(("Addresses", " ".join(device.addresses)))
    b.fields(("Maker", device.maker), ("Brand", device.brand), ("Model", device.model))
    b.fields(
        ("Firmware", device.firmware),
        ("Serial", device.serial),
        ("Type", device.device_type),
        end="",
    )
    b.plain(f"   Confidence: {device.confidence:.2f}\n", _LABEL)
    b.fields(("First seen", record.first_seen), ("Last seen", record.last_seen))
    if device.parent:
        b.fields(("Behind recorder", device.parent))
    unlisted = [e.value for e in device.evidence if e.key == "recorder.unlisted"]
    if unlisted:
        b.fields(("Recorder", unlisted[0]))
    b.plain("Note: ", _LABEL)
    b.device(record.note or "-", keep_newlines=True)
    if children:
        _children(b, children)

    b.heading("Flag")
    b.plain("Flag: ", _LABEL)
    b.plain(
        "FLAG (vendor of concern)" if device.flagged else "- (not flagged)",
        _FLAG_STYLE.get(device.flag_level, _LABEL),
    )
    b.plain("   ")
    b.field("List status", device.list_status)
    if ident.flag.policy:
        b.plain("   ")
        b.field("Policy", ident.flag.policy)
    b.plain("\nReasons:\n", _LABEL)
    b.bullets(list(device.flag_reasons))
    b.plain("Sources:\n", _LABEL)
    b.bullets(list(device.sources))
    if ident.flag.unverified:
        b.plain("Unverified:\n", _LABEL)
        b.bullets(list(ident.flag.unverified))
    if ident.flag.not_judged:
        b.plain("Not judged:\n", _LABEL)
        b.bullets(list(ident.flag.not_judged))

    b.heading("Evidence chain")
    _claims(b, ident.chain)
    if ident.conflicts:
        b.plain("Conflicts:\n", _LABEL)
        b.bullets(list(ident.conflicts))

    b.heading("Evidence (latest scan)")
    if not device.evidence:
        b.plain("  (none stored)\n")
    for ev in device.evidence:
        b.plain("  ")
        b.device(ev.key)
        b.plain(" = ")
        b.device(repr(ev.value))
        b.plain("  (")
        b.device(ev.source or "-")
        b.plain(" @ ")
        b.device(ev.address or "-")
        b.plain(")\n")

    b.heading("Origin")
    origin = ident.origin
    for fact in origin.facts:
        b.field(fact.role[0].upper() + fact.role[1:], fact.label)
        b.plain("\n  basis: ")
        b.device(fact.basis)
        b.plain("\n")
    b.field("Owner", device.owner or "unknown")
    b.plain("\nOrigin sources:\n", _LABEL)
    b.bullets(list(device.origin_sources))

    b.heading("Vulnerable firmware")
    vulns = ident.vulnerabilities
    b.fields(
        ("Level", vulns.text),
        ("Firmware", vulns.firmware),
        ("From", vulns.firmware_source),
        ("Data pack", vulns.pack_date),
    )
    b.bullets(list(device.cves), empty="(no CVE of the data pack matched)")
    return b.text
