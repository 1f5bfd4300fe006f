"""The TUI's secondary screens: device detail and review, summary, scan history, export,
the sort column and the bulk review of a filtered set.

Each screen gets what it shows from its constructor (the inventory, a device key) and
reports a change upwards with a message, so the app redraws its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Final

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from camcensus.base.errors import InventoryError
from camcensus.scanner.core.schema import (
    REVIEW_LABELS,
    Coverage,
    DeviceSnapshot,
    ReviewStatus,
    ScanComparison,
    SnmpCoverage,
)
from camcensus.scanner.export import check_delimiter
from camcensus.scanner.store import Inventory, SummaryField
from camcensus.tui.detail import detail_text
from camcensus.tui.rows import COLUMNS
from camcensus.tui.text import to_text

__all__ = [
    "BulkReviewScreen",
    "DeviceScreen",
    "ExportChoice",
    "ExportScreen",
    "FilterChosen",
    "HistoryScreen",
    "ReviewSaved",
    "SortScreen",
    "SummaryScreen",
    "comparison_rows",
    "coverage_lines",
    "summary_filter",
]

UNKNOWN_MAKER: Final = "(unknown maker)"
NO_SITE_LABEL: Final = "(no site)"

_REVIEW_KEYS: Final[tuple[tuple[str, ReviewStatus, str], ...]] = (
    ("t", "to_replace", "To replace"),
    ("a", "accepted_risk", "Accepted"),
    ("p", "replaced", "Replaced"),
    ("x", "false_positive", "False pos"),
    ("u", "unreviewed", "Unreviewed"),
)
"""The review keys, the same in the device view and the bulk review."""


class ReviewSaved(Message):
    """A device's review status or note was written to the inventory."""

    def __init__(self, device_key: str) -> None:
        super().__init__()
        self.device_key = device_key


class DeviceScreen(Screen[None]):
    """One device: identity, flag with its sources, evidence chain, and its review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        *(Binding(key, f"review('{status}')", label) for key, status, label in _REVIEW_KEYS),
        Binding("n", "edit_note", "Note"),
    ]

    def __init__(self, inventory: Inventory, device_key: str) -> None:
        super().__init__()
        self.inventory = inventory
        self.device_key = device_key

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static(id="detail")
        yield Input(placeholder="note (n to edit, enter to save, escape to cancel)", id="note")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self._show()
        self.query_one("#detail-scroll").focus()

    def _show(self) -> None:
        record = self.inventory.device(self.device_key)
        children = [  # each with its evidence (its channel): one read a camera
            self.inventory.device(child.device_key)
            for child in self.inventory.devices(parent=self.device_key)
        ]
        conflicts = self.inventory.review_conflicts(self.device_key)
        self.query_one("#detail", Static).update(detail_text(record, children, conflicts))
        self.query_one("#note", Input).value = record.note

    def action_review(self, status: ReviewStatus) -> None:
        """Save a review status at once (the note is kept)."""
        if self._write(status, None):
            self._saved(f"review: {REVIEW_LABELS[status]}")

    def _write(self, status: ReviewStatus, note: str | None) -> bool:
        """Store a review; on failure (a read-only or locked inventory) say why instead."""
        try:
            self.inventory.set_review(self.device_key, status, note)
        except InventoryError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return False
        return True

    def action_edit_note(self) -> None:
        """Focus the note box."""
        self.query_one("#note", Input).focus()

    def action_close(self) -> None:
        """Back to the table (escape in the note box cancels the edit first)."""
        note = self.query_one("#note", Input)
        if note.has_focus:
            note.value = self.inventory.device(self.device_key).note
            self.query_one("#detail-scroll").focus()
            return
        self.dismiss()

    @on(Input.Submitted, "#note")
    def _note_submitted(self, event: Input.Submitted) -> None:
        status = self.inventory.device(self.device_key).review_status
        self.query_one("#detail-scroll").focus()
        if self._write(status, event.value):
            self._saved("note saved")

    def _saved(self, what: str) -> None:
        self._show()
        self.post_message(ReviewSaved(self.device_key))
        self.notify(what, timeout=2)


_SUMMARY_FIELDS: Final[tuple[tuple[SummaryField, str], ...]] = (
    ("maker", "maker"),
    ("model", "model"),
    ("site", "site"),
)


class FilterChosen(Message):
    """A summary row asked for its devices: this filter text (and flagged only)."""

    def __init__(self, text: str, *, flagged_only: bool) -> None:
        super().__init__()
        self.text = text
        self.flagged_only = flagged_only


def _quoted(value: str) -> str:
    value = value.lower().replace('"', "")
    return f'"{value}"' if any(c.isspace() for c in value) else value


def summary_filter(field: SummaryField, value: str) -> str | None:
    """The filter text that lists the devices of one summary row (None: no filter can
    say "no maker": ``maker:`` with nothing after it matches every device)."""
    if field == "site":
        return f"site:{_quoted(value)}" if value else "site:-"
    maker, _, model = value.partition(" / ") if field == "model" else (value, "", "")
    if not maker:
        return None
    words = [f"maker:{_quoted(maker)}"]
    if model:
        words.append(f"model:{_quoted(model)}")
    return " ".join(words)


def summary_label(field: SummaryField, value: str) -> str:
    """How a summary row reads: an empty maker is "(unknown maker)", no site "(no site)"."""
    if field == "site":
        return value or NO_SITE_LABEL
    if field == "model":
        maker, _, model = value.partition(" / ")
        return f"{maker or UNKNOWN_MAKER} / {model or '-'}"
    return value or UNKNOWN_MAKER


class SummaryScreen(Screen[None]):
    """Devices and flagged devices counted by maker, by model and by site (with the
    site's location); ``enter`` lists a row's devices, ``f`` its flagged ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,m", "close", "Back"),
        Binding("enter", "show(False)", "Its devices", show=False),
        Binding("f", "show(True)", "Its flagged"),
    ]

    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inventory = inventory
        self.row_filters: list[tuple[SummaryField, str]] = []

    def compose(self) -> ComposeResult:
        yield Label("Flagged devices by maker, model and site", id="summary-title")
        table: DataTable[Text] = DataTable(id="summary", cursor_type="row")
        table.add_column("By", width=5, key="by")
        table.add_column("Value", width=40, key="value")
        table.add_column("Flagged", width=7, key="flagged")
        table.add_column("Devices", width=7, key="devices")
        table.add_column("Location", width=20, key="location")
        yield table
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#summary", DataTable)
        locations = self.inventory.site_locations()
        for field, label in _SUMMARY_FIELDS:
            for count in self.inventory.summary_by(field):
                location = locations.get(count.value, "") if field == "site" else ""
                self.row_filters.append((field, count.value))
                table.add_row(
                    Text(label),
                    to_text(summary_label(field, count.value)),
                    Text(str(count.flagged_count)),
                    Text(str(count.device_count)),
                    to_text(location),
                )
        table.focus()

    @on(DataTable.RowSelected, "#summary")
    def _row_selected(self) -> None:
        self.action_show(False)

    def action_show(self, flagged_only: bool) -> None:
        """List the devices (or the flagged ones) of the row under the cursor."""
        table: DataTable[Text] = self.query_one("#summary", DataTable)
        if not self.row_filters:
            return
        field, value = self.row_filters[min(table.cursor_row, len(self.row_filters) - 1)]
        text = summary_filter(field, value)
        if text is None:
            self.notify("devices without a maker cannot be filtered by maker", timeout=4)
            return
        self.post_message(FilterChosen(text, flagged_only=flagged_only))
        self.dismiss()

    def action_close(self) -> None:
        """Back to the table."""
        self.dismiss()


def snapshot_name(snapshot: DeviceSnapshot) -> str:
    """A device as a person names it: maker, model and address (raw text)."""
    maker = snapshot.maker or UNKNOWN_MAKER
    return " ".join(part for part in (maker, snapshot.model, snapshot.ip) if part)


def _snapshot_text(snapshot: DeviceSnapshot) -> str:
    return "FLAG" if snapshot.flagged else "-"


def coverage_lines(targets: Sequence[Coverage], agents: Sequence[SnmpCoverage]) -> list[str]:
    """One line a target (how it was reached, addresses probed, answered, MACs a router
    gave) and one an SNMP agent (its entries, or why it was not read); raw text."""
    if not targets and not agents:
        return ["Coverage: not recorded for this scan."]
    lines = ["Coverage:"]
    for row in targets:
        macs = f", {row.snmp_macs} MACs from a router" if row.snmp_macs else ""
        lines.append(
            f"  {row.target}: {row.reached}, {row.answered} of {row.addresses} addresses "
            f"answered{macs}"
        )
    for agent in agents:
        if agent.error is not None:
            lines.append(f"  SNMP {agent.agent}: not read ({agent.error})")
        else:
            lines.append(
                f"  SNMP {agent.agent} (v{agent.version}): {agent.arp_entries} ARP entries "
                f"({agent.in_targets} in the targets), {agent.fdb_entries} forwarding entries, "
                f"{len(agent.unmapped_macs)} unmapped MACs"
            )
    return lines


def comparison_rows(
    comparison: ScanComparison, names: dict[str, str] | None = None
) -> list[tuple[str, str, str, str, str]]:
    """(change, device, field, old, new) lines for a scan comparison (raw text); a device
    is named by ``names`` (device key -> name, ``snapshot_name``), else by its snapshot."""
    known = dict(names or {})
    for snapshot in (*comparison.new, *comparison.missing):
        known.setdefault(snapshot.device_key, snapshot_name(snapshot))
    rows: list[tuple[str, str, str, str, str]] = []
    rows.extend(("new", known[s.device_key], "flag", "", _snapshot_text(s)) for s in comparison.new)
    rows.extend(
        ("missing", known[s.device_key], "flag", _snapshot_text(s), "") for s in comparison.missing
    )
    rows.extend(
        (
            "changed",
            known.get(c.device_key, c.device_key),
            c.field,
            "" if c.old is None else str(c.old),
            "" if c.new is None else str(c.new),
        )
        for c in comparison.changed
    )
    return rows


class HistoryScreen(Screen[None]):
    """The scans, newest first, each with its site, and what changed between two.

    A comparison is per site: it opens comparing the newest scan with the scan before
    it of the same site, and ``enter`` compares the scan under the cursor with the base
    scan (``b`` marks the base; by default the scan before it of its site).  Devices are
    named by maker, model and address.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "close", "Back"),
        Binding("b", "mark_base", "Base scan"),
        Binding("enter", "compare", "Compare", show=False),
    ]

    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inventory = inventory
        self.scan_ids: list[int] = []
        self.scan_sites: dict[int, str | None] = {}
        self.base_scan_id: int | None = None
        self.comparison: ScanComparison | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            table: DataTable[Text] = DataTable(id="scans", cursor_type="row")
            table.add_column("Scan", width=5, key="id")
            table.add_column("Started", width=16, key="started")
            table.add_column("Site", width=14, key="site")
            table.add_column("Status", width=10, key="status")
            table.add_column("Devices", width=7, key="devices")
            table.add_column("Flagged", width=7, key="flagged")
            table.add_column("Targets", width=24, key="targets")
            yield table
            yield Static("", id="coverage")
            yield Label("", id="compare-title")
            diff: DataTable[Text] = DataTable(id="diff", cursor_type="row")
            diff.add_column("Change", width=7, key="change")
            diff.add_column("Device", width=34, key="device")
            diff.add_column("Field", width=11, key="field")
            diff.add_column("Old", width=18, key="old")
            diff.add_column("New", width=18, key="new")
            yield diff
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#scans", DataTable)
        for scan in self.inventory.scans():
            self.scan_ids.append(scan.scan_id)
            self.scan_sites[scan.scan_id] = scan.site
            table.add_row(
                Text(str(scan.scan_id)),
                to_text(scan.started_at[:16].replace("T", " ")),
                to_text(scan.site or NO_SITE_LABEL),
                to_text(scan.status),
                Text(str(scan.device_count)),
                Text(str(scan.flagged_count)),
                to_text(scan.targets),
            )
        table.focus()
        self.show_coverage(self.scan_ids[0] if self.scan_ids else None)
        earlier = self.previous_scan(self.scan_ids[0]) if self.scan_ids else None
        if earlier is not None:
            self.compare(earlier, self.scan_ids[0])
        else:
            self.query_one("#compare-title", Label).update("Need two scans of one site to compare.")

    def previous_scan(self, scan_id: int) -> int | None:
        """The scan before ``scan_id`` of the same site (None: it is that site's first)."""
        site = self.scan_sites[scan_id]
        index = self.scan_ids.index(scan_id)
        return next((s for s in self.scan_ids[index + 1 :] if self.scan_sites[s] == site), None)

    def show_coverage(self, scan_id: int | None) -> None:
        """Show how scan ``scan_id`` reached its targets (and its SNMP agents' reads)."""
        lines = (
            ["No scan."] if scan_id is None else coverage_lines(*self.inventory.coverage(scan_id))
        )
        self.query_one("#coverage", Static).update(to_text("\n".join(lines), keep_newlines=True))

    @on(DataTable.RowHighlighted, "#scans")
    def _scan_highlighted(self) -> None:
        self.show_coverage(self._cursor_scan())

    def compare(self, old_scan_id: int, new_scan_id: int) -> None:
        """Show what changed from scan ``old_scan_id`` to scan ``new_scan_id``."""
        comparison = self.inventory.compare_scans(old_scan_id, new_scan_id)
        self.comparison = comparison
        names = {
            s.device_key: snapshot_name(s)
            for scan_id in (old_scan_id, new_scan_id)
            for s in self.inventory.history(scan_id)
        }
        diff: DataTable[Text] = self.query_one("#diff", DataTable)
        diff.clear()
        for row in comparison_rows(comparison, names):
            diff.add_row(*(to_text(cell) for cell in row))
        sites = {self.scan_sites.get(old_scan_id), self.scan_sites.get(new_scan_id)}
        where = f" ({NO_SITE_LABEL if None in sites else ', '.join(map(str, sites))})"
        self.query_one("#compare-title", Label).update(
            f"Scan {old_scan_id} -> {new_scan_id}{where}: {len(comparison.new)} new, "
            f"{len(comparison.missing)} missing, {len(comparison.changed)} changed field(s)"
        )

    def _cursor_scan(self) -> int | None:
        table: DataTable[Text] = self.query_one("#scans", DataTable)
        if not self.scan_ids:
            return None
        return self.scan_ids[min(table.cursor_row, len(self.scan_ids) - 1)]

    def action_mark_base(self) -> None:
        """Use the scan under the cursor as the older side of comparisons."""
        self.base_scan_id = self._cursor_scan()
        self.notify(f"base scan: {self.base_scan_id}", timeout=2)

    @on(DataTable.RowSelected, "#scans")
    def action_compare(self) -> None:
        """Compare the base scan (or the scan before) with the scan under the cursor."""
        new = self._cursor_scan()
        if new is None:
            return
        old = self.base_scan_id
        if old is None or old == new:
            old = self.previous_scan(new)
            if old is None:
                self.query_one("#compare-title", Label).update(
                    f"Scan {new} is the oldest of its site; mark a base scan with b."
                )
                return
        self.compare(old, new)

    def action_close(self) -> None:
        """Back to the table."""
        self.dismiss()


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the export dialog asked for: the CSV (and summary CSV) and its format."""

    path: Path
    delimiter: str = ","
    bom: bool = False
    summary_path: Path | None = None


class ExportScreen(ModalScreen[ExportChoice | None]):
    """Ask for the CSV file name (prefilled next to the database) and the CLI's choices:
    the delimiter (``;`` for comma-decimal locales, ``tab``), a UTF-8 BOM for Excel, and
    a per-model summary CSV beside it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: Path, device_count: int) -> None:
        super().__init__()
        self.default_path = default_path
        self.device_count = device_count

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label(
                f"Export the {self.device_count} device(s) in view as CSV to:",
                markup=False,
            )
            yield Input(value=str(self.default_path), id="export-path")
            yield Label("Delimiter (',', ';' or tab):", markup=False)
            yield Input(value=",", id="export-delimiter", max_length=3)
            yield Checkbox("UTF-8 BOM (Excel)", id="export-bom")
            yield Checkbox("also a per-model summary CSV (-summary.csv)", id="export-summary")
            yield Label("enter: write   tab: next choice   escape: cancel", id="export-help")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.dismiss(None)
            return
        try:
            delimiter = check_delimiter(self.query_one("#export-delimiter", Input).value)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        path = Path(text).expanduser()
        summary = self.query_one("#export-summary", Checkbox).value
        self.dismiss(
            ExportChoice(
                path,
                delimiter,
                self.query_one("#export-bom", Checkbox).value,
                path.with_name(f"{path.stem}-summary{path.suffix}") if summary else None,
            )
        )

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)


class SortScreen(ModalScreen[str | None]):
    """Choose the sort column: its letter, or the list with enter (the current column
    again reverses the order)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current
        self.by_letter = {c.sort_key: c.key for c in COLUMNS}

    def compose(self) -> ComposeResult:
        with Vertical(id="sort-dialog"):
            yield Label("Sort by (press its letter):", markup=False)
            yield OptionList(
                *(
                    Option(
                        f"{c.sort_key}  {c.label}" + ("  (now)" if c.key == self.current else ""),
                        id=c.key,
                    )
                    for c in COLUMNS
                ),
                id="sort-columns",
            )

    def on_mount(self) -> None:
        columns = self.query_one("#sort-columns", OptionList)
        columns.highlighted = [c.key for c in COLUMNS].index(self.current)
        columns.focus()

    def on_key(self, event: events.Key) -> None:
        field = self.by_letter.get(event.character or "")
        if field is not None:
            event.stop()
            self.dismiss(field)

    @on(OptionList.OptionSelected, "#sort-columns")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Keep the sort."""
        self.dismiss(None)


class BulkReviewScreen(ModalScreen[ReviewStatus | None]):
    """Set one review status on every device shown: its key (as in the device view)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        *(Binding(key, f"choose('{status}')", label) for key, status, label in _REVIEW_KEYS),
    ]

    def __init__(self, device_count: int) -> None:
        super().__init__()
        self.device_count = device_count

    def compose(self) -> ComposeResult:
        keys = "   ".join(f"{key}: {REVIEW_LABELS[status]}" for key, status, _ in _REVIEW_KEYS)
        with Vertical(id="bulk-dialog"):
            yield Label(
                f"Set the review of all {self.device_count} device(s) shown to:", markup=False
            )
            yield Label(keys, markup=False)
            yield Label("escape: cancel", id="bulk-help")

    def action_choose(self, status: ReviewStatus) -> None:
        """Review every device shown as ``status``."""
        self.dismiss(status)

    def action_cancel(self) -> None:
        """Change nothing."""
        self.dismiss(None)
