"""``DeviceTable``: a virtual table that reads and renders only the rows on screen.

The table holds a ``RowSource`` (``tui.source``): the count of the listing and a window
of its rows around what is on screen, read again when the view scrolls out of it.  A
100,000-device inventory so costs one ``count(*)`` and one page of 100 rows to
paint (and a filter keeps the cursor's device from that window when it is there).
Textual's ``DataTable`` would measure every cell of every row.

Columns fit the terminal: in priority order (``rows.COLUMNS``) each shown column is as
wide as its widest cell on screen (up to its widest width), and the columns that do
not fit are left out (the detail view shows every field), so a MAC or a maker is not
cut.  Cells are ``safe_text`` markup; each is parsed on its own.

The cursor row is drawn in reverse video (meaning never rides on colour alone).
Messages up: ``RowChosen`` (enter or double click), ``HeaderClicked`` (a column header).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from camcensus.tui.rows import Column, DeviceRow
from camcensus.tui.source import RowSource

__all__ = ["DeviceTable"]

_PAD = 1  # blank cells either side of each column
_WINDOW = 100  # rows read at once (a 60-line terminal's screen and a margin)
_MARGIN = 20  # rows read above the first one needed
_HEADER_STYLE = Style(bold=True, underline=True)
_CURSOR_STYLE = Style(reverse=True)


class DeviceTable(ScrollView, can_focus=True):
    """The device list (see the module docstring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
        Binding("enter", "choose", "Details", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowChosen(Message):
        """The admin chose a row (enter or double click)."""

        def __init__(self, table: DeviceTable, device_key: str) -> None:
            super().__init__()
            self.table = table
            self.device_key = device_key

        @property
        def control(self) -> DeviceTable:
            """The table that sent the message (for ``@on`` selectors)."""
            return self.table

    class HeaderClicked(Message):
        """The admin clicked a column header."""

        def __init__(self, table: DeviceTable, column_index: int) -> None:
            super().__init__()
            self.table = table
            self.column_index = column_index

        @property
        def control(self) -> DeviceTable:
            """The table that sent the message (for ``@on`` selectors)."""
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.header_labels = [c.label for c in self.columns]
        self._source: RowSource | None = None
        self._count = 0
        self._window_start = 0
        self._window: list[DeviceRow] = []
        self._layout_for: tuple[int, int, int] | None = None
        self._layout: list[tuple[int, int]] = []  # (column index, width) shown
        self.virtual_size = Size(1, 1)

    # -- data -------------------------------------------------------------------------

    @property
    def source(self) -> RowSource | None:
        """Where the rows come from."""
        return self._source

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return self._count

    def row_at(self, index: int) -> DeviceRow | None:
        """Row ``index`` of the listing (read with its neighbours when not at hand)."""
        if self._source is None or not 0 <= index < self._count:
            return None
        offset = index - self._window_start
        if not 0 <= offset < len(self._window):
            self._window_start = max(0, index - _MARGIN)
            self._window = self._source.rows(self._window_start, _WINDOW)
            offset = index - self._window_start
            if offset >= len(self._window):  # the inventory changed under us
                return None
        return self._window[offset]

    def set_source(self, source: RowSource, *, cursor_key: str | None = None) -> None:
        """Show ``source``'s rows; keep the cursor on ``cursor_key`` when it is there."""
        self._source = source
        self._count = source.count()
        self._window = []
        self._window_start = 0
        self._layout_for = None
        self.virtual_size = Size(1, self._count + 1)
        index = None
        if cursor_key is not None:  # in the first window (read for the paint anyway)?
            self.row_at(0)
            keys = [row.device_key for row in self._window]
            index = keys.index(cursor_key) if cursor_key in keys else source.position(cursor_key)
        self.cursor_row = index or 0
        self.refresh()

    def set_header_labels(self, labels: Sequence[str]) -> None:
        """Replace the header labels (e.g. to mark the sort column)."""
        self.header_labels = list(labels)
        self._layout_for = None
        self.refresh()

    @property
    def cursor_key(self) -> str | None:
        """The device key under the cursor."""
        row = self.row_at(self.cursor_row)
        return None if row is None else row.device_key

    # -- layout -----------------------------------------------------------------------

    def shown_columns(self) -> list[tuple[int, int]]:
        """(index in ``columns``, width) of each column on screen, left to right."""
        width = self.scrollable_content_region.width
        height = max(0, self.scrollable_content_region.height - 1)
        top = round(self.scroll_offset.y)
        if self._layout_for != (top, width, height):
            self._layout_for = (top, width, height)
            self._layout = self._fit(top, height, width)
        return self._layout

    def _fit(self, top: int, height: int, width: int) -> list[tuple[int, int]]:
        on_screen = [r for i in range(top, top + height) if (r := self.row_at(i)) is not None]
        layout: list[tuple[int, int]] = []
        used = 0
        for index, column in enumerate(self.columns):
            label = len(self.header_labels[index]) if index < len(self.header_labels) else 0
            natural = max([label, *(r.widths[index] for r in on_screen if r.widths)])
            cells = min(column.width, natural)
            if used + cells + 2 * _PAD > width:
                continue  # a narrower column further on may still fit
            layout.append((index, cells))
            used += cells + 2 * _PAD
        return layout

    # -- cursor -----------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self._count - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows."""
        self.cursor_row += delta

    def action_page(self, direction: int) -> None:
        """Move the cursor by one screen."""
        self.cursor_row += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, index: int) -> None:
        """Move the cursor to row ``index`` (-1: the last)."""
        self.cursor_row = index if index >= 0 else self._count - 1

    def action_choose(self) -> None:
        """Report the row under the cursor as chosen."""
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowChosen(self, key))

    def _column_at(self, x: int) -> int | None:
        edge = 0
        for index, width in self.shown_columns():
            edge += width + 2 * _PAD
            if x < edge:
                return index
        return None

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < self._count:
            self.cursor_row = index
            if event.chain >= 2:
                self.action_choose()

    # -- drawing ----------------------------------------------------------------------

    def _line(self, cells: Sequence[str], *, markup: bool) -> Text:
        line = Text(end="", no_wrap=True)
        for index, width in self.shown_columns():
            cell = cells[index] if index < len(cells) else ""
            text = Text.from_markup(cell, end="", emoji=False) if markup else Text(cell, end="")
            text.truncate(width, overflow="crop", pad=True)
            line.append(" " * _PAD)
            line.append_text(text)
            line.append(" " * _PAD)
        return line

    def render_line(self, y: int) -> Strip:
        scroll_y = round(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            line = self._line(self.header_labels, markup=False)
            line.stylize(_HEADER_STYLE)
        else:
            index = scroll_y + y - 1
            row = self.row_at(index)
            if row is None:
                return Strip.blank(width, base)
            line = self._line(row.cells, markup=True)
            if index == self.cursor_row:
                line.stylize(_CURSOR_STYLE)
        segments = list(Segment.apply_style(line.render(self.app.console), base))
        strip = Strip(segments, line.cell_len)
        return strip.crop(0, width).extend_cell_length(width, base)
