"""The TUI's secondary screens: device detail and review, summary, scan history, export.

Each screen gets what it shows from its constructor (the inventory, a device key) and
reports a change upwards with a message, so the app redraws its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from camcensus.base.errors import InventoryError
from camcensus.scanner.core.schema import (
    REVIEW_LABELS,
    Coverage,
    DeviceSnapshot,
    ReviewStatus,
    ScanComparison,
    SnmpCoverage,
)
from camcensus.scanner.store import Inventory, SummaryField
from camcensus.tui.detail import detail_text
from camcensus.tui.text import to_text

__all__ = [
    "DeviceScreen",
    "ExportScreen",
    "HistoryScreen",
    "ReviewSaved",
    "SummaryScreen",
    "comparison_rows",
    "coverage_lines",
]


class ReviewSaved(Message):
    """A device's review status or note was written to the inventory."""

    def __init__(self, device_key: str) -> None:
        super().__init__()
        self.device_key = device_key


class DeviceScreen(Screen[None]):
    """One device: identity, flag with its sources, evidence chain, and its review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("t", "review('to_replace')", "To replace"),
        Binding("a", "review('accepted_risk')", "Accepted"),
        Binding("p", "review('replaced')", "Replaced"),
        Binding("x", "review('false_positive')", "False pos"),
        Binding("u", "review('unreviewed')", "Unreviewed"),
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
        self.query_one("#detail", Static).update(detail_text(record, children))
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


class SummaryScreen(Screen[None]):
    """Devices and flagged devices counted by maker, by model and by site."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,m", "close", "Back")]

    def __init__(self, inventory: Inventory) -> None:
        super().__init__()
        self.inventory = inventory

    def compose(self) -> ComposeResult:
        yield Label("Flagged devices by maker, model and site", id="summary-title")
        table: DataTable[Text] = DataTable(id="summary", cursor_type="row")
        table.add_column("By", width=5, key="by")
        table.add_column("Value", width=40, key="value")
        table.add_column("Flagged", width=7, key="flagged")
        table.add_column("Devices", width=7, key="devices")
        yield table
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#summary", DataTable)
        for field, label in _SUMMARY_FIELDS:
            for count in self.inventory.summary_by(field):
                value = count.value if count.value else "(no site)"
                table.add_row(
                    Text(label),
                    to_text(value),
                    Text(str(count.flagged_count)),
                    Text(str(count.device_count)),
                )
        table.focus()

    def action_close(self) -> None:
        """Back to the table."""
        self.dismiss()


def _snapshot_text(snapshot: DeviceSnapshot) -> str:
    flag = "FLAG" if snapshot.flagged else "-"
    return f"{flag} {snapshot.ip} {snapshot.maker} {snapshot.model}".strip()


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


def comparison_rows(comparison: ScanComparison) -> list[tuple[str, str, str, str, str]]:
    """(change, device key, field, old, new) lines for a scan comparison (raw text)."""
    rows: list[tuple[str, str, str, str, str]] = []
    rows.extend(("new", s.device_key, "", "", _snapshot_text(s)) for s in comparison.new)
    rows.extend(("missing", s.device_key, "", _snapshot_text(s), "") for s in comparison.missing)
    rows.extend(
        ("changed", c.device_key, c.field, str(c.old), str(c.new)) for c in comparison.changed
    )
    return rows


class HistoryScreen(Screen[None]):
    """The scans, newest first, and what changed between two of them.

    It opens comparing the two newest scans.  ``enter`` compares the scan under the
    cursor with the base scan (``b`` marks the base; by default the scan before it).
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
        self.base_scan_id: int | None = None
        self.comparison: ScanComparison | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            table: DataTable[Text] = DataTable(id="scans", cursor_type="row")
            table.add_column("Scan", width=5, key="id")
            table.add_column("Started", width=16, key="started")
            table.add_column("Status", width=10, key="status")
            table.add_column("Devices", width=7, key="devices")
            table.add_column("Flagged", width=7, key="flagged")
            table.add_column("Targets", width=24, key="targets")
            yield table
            yield Static("", id="coverage")
            yield Label("", id="compare-title")
            diff: DataTable[Text] = DataTable(id="diff", cursor_type="row")
            diff.add_column("Change", width=7, key="change")
            diff.add_column("Device", width=22, key="device")
            diff.add_column("Field", width=8, key="field")
            diff.add_column("Old", width=24, key="old")
            diff.add_column("New", width=24, key="new")
            yield diff
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#scans", DataTable)
        for scan in self.inventory.scans():
            self.scan_ids.append(scan.scan_id)
            table.add_row(
                Text(str(scan.scan_id)),
                to_text(scan.started_at[:16].replace("T", " ")),
                to_text(scan.status),
                Text(str(scan.device_count)),
                Text(str(scan.flagged_count)),
                to_text(scan.targets),
            )
        table.focus()
        self.show_coverage(self.scan_ids[0] if self.scan_ids else None)
        if len(self.scan_ids) >= 2:
            self.compare(self.scan_ids[1], self.scan_ids[0])
        else:
            self.query_one("#compare-title", Label).update("Need two scans to compare.")

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
        diff: DataTable[Text] = self.query_one("#diff", DataTable)
        diff.clear()
        for row in comparison_rows(comparison):
            diff.add_row(*(to_text(cell) for cell in row))
        self.query_one("#compare-title", Label).update(
            f"Scan {old_scan_id} -> {new_scan_id}: {len(comparison.new)} new, "
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
            index = self.scan_ids.index(new)
            if index + 1 >= len(self.scan_ids):
                self.query_one("#compare-title", Label).update(
                    f"Scan {new} is the oldest; mark a base scan with b."
                )
                return
            old = self.scan_ids[index + 1]
        self.compare(old, new)

    def action_close(self) -> None:
        """Back to the table."""
        self.dismiss()


class ExportScreen(ModalScreen[Path | None]):
    """Ask for the CSV file name (prefilled with a default next to the database)."""

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
            yield Label("enter: write   escape: cancel", id="export-help")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
