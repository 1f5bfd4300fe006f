"""``InventoryApp``: the Textual terminal UI over a camcensus inventory.

The app receives its dependencies (an open ``Inventory``, a clock, the database path
for the default export name) and constructs none of them; ``camcensus tui`` does that.
Screens report changes upwards with messages (``ReviewSaved``); the app owns the device
rows and the table.

The table reads the inventory a page at a time (``tui.source``): filter, sort and count
run in SQL over the whole inventory, and only the rows on screen are read and built.

Main screen keys: ``/`` filter, ``f`` flagged only, ``s`` sort by a column (then the
column's letter), ``o`` reverse the order, ``enter`` details, ``b`` review every device
shown at once, ``m`` summary, ``h`` scan history, ``e`` export CSV, ``r`` reload,
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

from camcensus.base.errors import InventoryError
from camcensus.scanner.core.listing import DEFAULT_SORT, ListingQuery
from camcensus.scanner.core.schema import REVIEW_LABELS, ReviewStatus
from camcensus.scanner.export import write_devices_csv, write_model_summary_csv
from camcensus.scanner.store import Inventory
from camcensus.tui.rows import COLUMN_INDEX, COLUMNS, DeviceRow, parse_query
from camcensus.tui.screens import (
    BulkReviewScreen,
    DeviceScreen,
    ExportChoice,
    ExportScreen,
    FilterChosen,
    HistoryScreen,
    ReviewSaved,
    SortScreen,
    SummaryScreen,
)
from camcensus.tui.source import RowSource, make_source
from camcensus.tui.table import DeviceTable

__all__ = ["Clock", "InventoryApp", "set_reviews"]

Clock = Callable[[], datetime]

FILTER_DEBOUNCE_S: Final = 0.06
_FILTER_HINT: Final = "Filter: words, maker:  site:  status:  model:  flag:yes  (/ to type)"


def set_reviews(
    inventory: Inventory, keys: list[str], status: ReviewStatus, note: str | None = None
) -> None:
    """Give every device of ``keys`` the review ``status`` (and ``note``, unless None):
    one transaction, each review in the store's review log with who and when."""
    inventory.set_reviews(keys, status, note)


class InventoryApp(App[None]):
    """Browse, review and export the devices of one inventory."""

    CSS_PATH = "app.tcss"
    TITLE = "camcensus"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("f", "toggle_flagged", "Flagged"),
        Binding("c", "toggle_children", "Children", show=False),
        Binding("s", "choose_sort", "Sort"),
        Binding("o", "sort_reverse", "Order"),
        Binding("enter", "open_detail", "Details", show=False),
        Binding("b", "bulk_review", "Review shown"),
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
        self.sort_field = DEFAULT_SORT
        self.sort_reverse = False
        self._source: RowSource | None = None
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
            "choose_sort",
            "sort_reverse",
            "bulk_review",
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
    def listing_query(self) -> ListingQuery:
        """What the table lists now: the filter box, flagged only, the sort."""
        return ListingQuery(
            parse_query(self._filter_text),
            flagged_only=self.flagged_only,
            sort=self.sort_field,
            reverse=self.sort_reverse,
            hide_children=not self.show_children,
        )

    @property
    def source(self) -> RowSource:
        """Where the table's rows come from."""
        if self._source is None:
            raise RuntimeError("the app has not loaded its rows yet")
        return self._source

    @property
    def visible_rows(self) -> list[DeviceRow]:
        """Every row the table lists now, in table order (reads them all: tests and
        small views; the table itself reads only what is on screen)."""
        return self.source.rows(0, self.source.count())

    def load_rows(self) -> None:
        """(Re)read the inventory and redraw the table."""
        self._source = None
        self.apply_filter()

    def apply_filter(self) -> None:
        """Filter and sort the listing and redraw the table, keeping the cursor's device."""
        table = self._table
        self._source = make_source(self.inventory, self.listing_query, self._source)
        table.set_source(self._source, cursor_key=table.cursor_key)
        arrow = " v" if self.sort_reverse else " ^"
        table.set_header_labels(
            [c.label + (arrow if c.key == self.sort_field else "") for c in COLUMNS]
        )
        self._update_status_line()

    def cursor_device_key(self) -> str | None:
        """The device key of the row under the cursor, if any."""
        return self._table.cursor_key

    def _update_status_line(self) -> None:
        column = COLUMNS[COLUMN_INDEX[self.sort_field]].label
        order = "desc" if self.sort_reverse else "asc"
        flagged = "  [flagged only]" if self.flagged_only else ""
        flagged += "" if self.show_children else "  [no cameras behind recorders]"
        text = (
            f"{self.source.count()} of {self.source.total()} devices{flagged}  "
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

    def sort_by(self, field: str, *, reverse: bool = False) -> None:
        """Sort the table by the column of schema field ``field``."""
        if field not in COLUMN_INDEX:
            raise ValueError(f"no column {field!r}")
        self.sort_field = field
        self.sort_reverse = reverse
        self.apply_filter()

    def action_choose_sort(self) -> None:
        """Ask which column to sort by (its letter, or the list)."""
        self.push_screen(SortScreen(self.sort_field), self._sort_chosen)

    def _sort_chosen(self, field: str | None) -> None:
        if field is not None:
            same = field == self.sort_field
            self.sort_by(field, reverse=same and not self.sort_reverse)

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.sort_by(self.sort_field, reverse=not self.sort_reverse)

    @on(DeviceTable.HeaderClicked, "#devices")
    def _header_clicked(self, event: DeviceTable.HeaderClicked) -> None:
        self._sort_chosen(COLUMNS[event.column_index].key)

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

    @on(FilterChosen)
    def _filter_chosen(self, event: FilterChosen) -> None:
        """A summary row asked for its devices: put its filter in the box."""
        self.flagged_only = event.flagged_only
        self.screen_stack[0].query_one("#filter", Input).value = event.text
        self._filter_text = event.text
        self.apply_filter()

    def action_bulk_review(self) -> None:
        """Set one review status on every device the table shows (after asking)."""
        count = self.source.count()
        if count:
            self.push_screen(BulkReviewScreen(count), self._bulk_review)

    def _bulk_review(self, status: ReviewStatus | None) -> None:
        if status is None:
            return
        keys = self.source.keys()
        try:
            set_reviews(self.inventory, keys, status)
        except InventoryError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
        else:
            self.notify(f"{len(keys)} device(s): {REVIEW_LABELS[status]}", timeout=3)
        self.apply_filter()

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
        """Re-read the listing after a device's review changed and redraw the table."""
        if self.inventory.policy is not None:
            self._source = None  # the in-memory rows hold the old review
        self.apply_filter()

    # -- export -----------------------------------------------------------------------

    def default_export_path(self) -> Path:
        """``<db stem>-export-<UTC time>.csv`` next to the database (or in the cwd)."""
        stamp = self.clock().strftime("%Y%m%d-%H%M%S")
        if self.db_path is None:
            return Path.cwd() / f"camcensus-export-{stamp}.csv"
        return self.db_path.with_name(f"{self.db_path.stem}-export-{stamp}.csv")

    def action_export(self) -> None:
        """Ask for a file name and CSV options and write the devices in view."""
        count = self.source.count()
        self.push_screen(ExportScreen(self.default_export_path(), count), self._export_to)

    def _export_to(self, choice: ExportChoice | None) -> None:
        if choice is None:
            return
        records = self.source.records()  # with evidence: the CSV carries the serial
        written = 0
        for path, writer in (
            (choice.path, write_devices_csv),
            (choice.summary_path, write_model_summary_csv),
        ):
            if path is None:
                continue
            try:
                with path.open("x", encoding="utf-8", newline="") as stream:
                    count = writer(records, stream, delimiter=choice.delimiter, bom=choice.bom)
            except FileExistsError:
                self.notify(f"{path} already exists; choose another name", severity="error")
                return
            except OSError as exc:
                self.notify(f"cannot write {path}: {exc.strerror or exc}", severity="error")
                return
            written = written or count
        self.last_export = choice.path
        self.notify(f"exported {written} device(s) to {choice.path}", markup=False)

    last_export: Path | None = None
