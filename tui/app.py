"""``InventoryApp``: the Textual terminal UI over a camcensus inventory.

The app receives its dependencies (an open ``Inventory``, a clock, the database path
for the default export name) and constructs none of them; ``camcensus tui`` does that.
Screens report changes upwards with messages (``ReviewSaved``); the app owns the device
rows and the table.

Main screen keys: ``/`` filter, ``f`` flagged only, ``s``/``o`` sort column/order,
``enter`` details, ``m`` summary, ``h`` scan history, ``e`` export CSV, ``r`` reload,
``q`` quit.  Every value a device supplied passes through ``tui.text.safe_text``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Final

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from camcensus.scanner.core.schema import DeviceRecord
from camcensus.scanner.export import write_devices_csv
from camcensus.scanner.store import Inventory
from camcensus.tui.rows import COLUMNS, DeviceRow, filter_rows, make_row, parse_query, sort_rows
from camcensus.tui.screens import (
    DeviceScreen,
    ExportScreen,
    HistoryScreen,
    ReviewSaved,
    SummaryScreen,
)
from camcensus.tui.table import DeviceTable

__all__ = ["Clock", "InventoryApp"]

Clock = Callable[[], datetime]

FILTER_DEBOUNCE_S: Final = 0.06
_FILTER_HINT: Final = "Filter: words, maker:  site:  status:  model:  flag:yes  (/ to type)"


class InventoryApp(App[None]):
    """Browse, review and export the devices of one inventory."""

    CSS_PATH = "app.tcss"
    TITLE = "camcensus"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("f", "toggle_flagged", "Flagged"),
        Binding("c", "toggle_children", "Children", show=False),
        Binding("s", "sort_next", "Sort"),
        Binding("o", "sort_reverse", "Order"),
        Binding("enter", "open_detail", "Details", show=False),
        Binding("m", "summary", "Summary"),
        Binding("h", "history", "History"),
        Binding("e", "export", "Export"),
        Binding("r", "reload", "Reload", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        inventory: Inventory,
        *,
        clock: Clock,
        db_path: Path | None = None,
        filter_debounce_s: float = FILTER_DEBOUNCE_S,
    ) -> None:
        super().__init__()
        self.inventory = inventory
        self.clock = clock
        self.db_path = db_path
        self.filter_debounce_s = filter_debounce_s
        self.flagged_only = False
        self.show_children = True
        self.sort_column = 0
        self.sort_reverse = False
        self._rows: list[DeviceRow] = []
        self._visible: list[DeviceRow] = []
        self._filter_text = ""
        self._filter_timer: Timer | None = None

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_FILTER_HINT, id="filter")
        yield DeviceTable(COLUMNS, id="devices")
        yield Static("", id="status-line", markup=False)
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.load_rows()
        self._table.focus()

    _MAIN_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "focus_filter",
            "toggle_flagged",
            "toggle_children",
            "sort_next",
            "sort_reverse",
            "open_detail",
            "summary",
            "history",
            "export",
            "reload",
        }
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The table's actions only while the table's screen is on top (hidden elsewhere)."""
        return not (action in self._MAIN_ACTIONS and len(self.screen_stack) > 1)

    @property
    def _table(self) -> DeviceTable:
        return self.screen_stack[0].query_one("#devices", DeviceTable)

    # -- data -------------------------------------------------------------------------

    @property
    def visible_rows(self) -> list[DeviceRow]:
        """The rows the table shows now, in table order."""
        return list(self._visible)

    def load_rows(self) -> None:
        """(Re)read every device from the inventory and redraw the table."""
        self._rows = [make_row(record) for record in self.inventory.devices()]
        self.apply_filter()

    def apply_filter(self) -> None:
        """Filter and sort the rows and redraw the table, keeping the cursor's device."""
        table = self._table
        rows = filter_rows(
            self._rows, parse_query(self._filter_text), flagged_only=self.flagged_only
        )
        if not self.show_children:  # cameras behind a recorder (the recorder lists them)
            rows = [r for r in rows if not r.fields.get("parent")]
        self._visible = sort_rows(rows, self.sort_column, reverse=self.sort_reverse)
        table.set_rows(self._visible, cursor_key=table.cursor_key)
        arrow = " v" if self.sort_reverse else " ^"
        table.set_header_labels(
            [c.label + (arrow if i == self.sort_column else "") for i, c in enumerate(COLUMNS)]
        )
        self._update_status_line()

    def cursor_device_key(self) -> str | None:
        """The device key of the row under the cursor, if any."""
        return self._table.cursor_key

    def _update_status_line(self) -> None:
        column = COLUMNS[self.sort_column].label
        order = "desc" if self.sort_reverse else "asc"
        flagged = "  [flagged only]" if self.flagged_only else ""
        flagged += "" if self.show_children else "  [no cameras behind recorders]"
        text = (
            f"{len(self._visible)} of {len(self._rows)} devices{flagged}  "
            f"sort: {column} {order}  enter: details"
        )
        self.screen_stack[0].query_one("#status-line", Static).update(text)

    # -- filter -----------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter_text = event.value
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if self.filter_debounce_s <= 0:
            self.apply_filter()
        else:
            self._filter_timer = self.set_timer(self.filter_debounce_s, self._filter_due)

    def _filter_due(self) -> None:
        self._filter_timer = None
        self.apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_due()
        self._table.focus()

    def action_focus_filter(self) -> None:
        """Move the focus to the filter box."""
        self.screen_stack[0].query_one("#filter", Input).focus()

    def action_toggle_children(self) -> None:
        """Hide the cameras behind recorders (their recorder's details list them), or
        show them again."""
        self.show_children = not self.show_children
        self.apply_filter()

    def action_toggle_flagged(self) -> None:
        """Show only flagged devices, or all again."""
        self.flagged_only = not self.flagged_only
        self.apply_filter()

    # -- sort -------------------------------------------------------------------------

    def sort_by(self, column: int, *, reverse: bool = False) -> None:
        """Sort the table by column index ``column``."""
        self.sort_column = column % len(COLUMNS)
        self.sort_reverse = reverse
        self.apply_filter()

    def action_sort_next(self) -> None:
        """Sort by the next column."""
        self.sort_by(self.sort_column + 1)

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    @on(DeviceTable.HeaderClicked, "#devices")
    def _header_clicked(self, event: DeviceTable.HeaderClicked) -> None:
        same = event.column_index == self.sort_column
        self.sort_by(event.column_index, reverse=same and not self.sort_reverse)

    # -- screens ----------------------------------------------------------------------

    @on(DeviceTable.RowChosen, "#devices")
    def _row_chosen(self) -> None:
        self.action_open_detail()

    def action_open_detail(self) -> None:
        """Show the device under the cursor with its evidence and review controls."""
        key = self.cursor_device_key()
        if key is not None:
            self.push_screen(DeviceScreen(self.inventory, key))

    def action_summary(self) -> None:
        """Counts of devices and flagged devices by maker, model and site."""
        self.push_screen(SummaryScreen(self.inventory))

    def action_history(self) -> None:
        """Scan history and the difference between two scans."""
        self.push_screen(HistoryScreen(self.inventory))

    def action_reload(self) -> None:
        """Re-read the inventory (e.g. after a scan wrote to it)."""
        self.load_rows()

    @on(ReviewSaved)
    def _review_saved(self, event: ReviewSaved) -> None:
        self.refresh_device(event.device_key)

    def refresh_device(self, device_key: str) -> None:
        """Re-read one device after its review changed and redraw the table."""
        record = self.inventory.device(device_key)
        self._rows = [
            make_row(record) if row.device_key == device_key else row for row in self._rows
        ]
        self.apply_filter()

    # -- export -----------------------------------------------------------------------

    def default_export_path(self) -> Path:
        """``<db stem>-export-<UTC time>.csv`` next to the database (or in the cwd)."""
        stamp = self.clock().strftime("%Y%m%d-%H%M%S")
        if self.db_path is None:
            return Path.cwd() / f"camcensus-export-{stamp}.csv"
        return self.db_path.with_name(f"{self.db_path.stem}-export-{stamp}.csv")

    def action_export(self) -> None:
        """Ask for a file name and write the devices in view as a CSV."""
        count = len(self._visible)
        self.push_screen(ExportScreen(self.default_export_path(), count), self._export_to)

    def _export_to(self, path: Path | None) -> None:
        if path is None:
            return
        keys = {row.device_key for row in self._visible}
        order = {row.device_key: i for i, row in enumerate(self._visible)}
        records: list[DeviceRecord] = sorted(
            (r for r in self.inventory.devices() if r.device_key in keys),
            key=lambda r: order[r.device_key],
        )
        try:
            with path.open("x", encoding="utf-8", newline="") as stream:
                written = write_devices_csv(records, stream)
        except FileExistsError:
            self.notify(f"{path} already exists; choose another name", severity="error")
            return
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror or exc}", severity="error")
            return
        self.last_export = path
        self.notify(f"exported {written} device(s) to {path}", markup=False)

    last_export: Path | None = None
