"""``DeviceTable``: a virtual table that renders only the rows on screen.

Textual's ``DataTable`` measures every cell of every row after a rebuild, which takes
seconds at 10,000 devices; filtering rebuilds the table on each keystroke.  This widget
keeps the (filtered, sorted) ``DeviceRow`` list and draws the visible lines from it, so a
rebuild costs only the filter itself.  Cells are ``safe_text`` markup; each is parsed on
its own and cut to its column width.

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

__all__ = ["DeviceTable"]

_PAD = 1  # blank cells either side of each column
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
        self._rows: list[DeviceRow] = []
        self._width = sum(c.width + 2 * _PAD for c in self.columns)
        self.virtual_size = Size(self._width, 1)

    # -- data -------------------------------------------------------------------------

    @property
    def rows(self) -> list[DeviceRow]:
        """The rows shown, in order."""
        return self._rows

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self._rows)

    def set_rows(self, rows: list[DeviceRow], *, cursor_key: str | None = None) -> None:
        """Show ``rows``; keep the cursor on ``cursor_key`` when it is still there."""
        self._rows = rows
        self.virtual_size = Size(self._width, len(rows) + 1)
        index = 0
        if cursor_key is not None:
            for i, row in enumerate(rows):
                if row.device_key == cursor_key:
                    index = i
                    break
        self.cursor_row = index
        self.refresh()

    def set_header_labels(self, labels: Sequence[str]) -> None:
        """Replace the header labels (e.g. to mark the sort column)."""
        self.header_labels = list(labels)
        self.refresh()

    @property
    def cursor_key(self) -> str | None:
        """The device key under the cursor."""
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row].device_key
        return None

    # -- cursor -----------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1))

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
        self.cursor_row = index if index >= 0 else len(self._rows) - 1

    def action_choose(self) -> None:
        """Report the row under the cursor as chosen."""
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowChosen(self, key))

    def _column_at(self, x: int) -> int | None:
        edge = 0
        for index, column in enumerate(self.columns):
            edge += column.width + 2 * _PAD
            if x < edge:
                return index
        return None

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + round(self.scroll_offset.x))
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._rows):
            self.cursor_row = index
            if event.chain >= 2:
                self.action_choose()

    # -- drawing ----------------------------------------------------------------------

    def _line(self, cells: Sequence[str], *, markup: bool) -> Text:
        line = Text(end="", no_wrap=True)
        for column, cell in zip(self.columns, cells, strict=False):
            text = Text.from_markup(cell, end="", emoji=False) if markup else Text(cell, end="")
            text.truncate(column.width, overflow="crop", pad=True)
            line.append(" " * _PAD)
            line.append_text(text)
            line.append(" " * _PAD)
        return line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            line = self._line(self.header_labels, markup=False)
            line.stylize(_HEADER_STYLE)
        else:
            index = scroll_y + y - 1
            if index >= len(self._rows):
                return Strip.blank(width, base)
            line = self._line(self._rows[index].cells, markup=True)
            if index == self.cursor_row:
                line.stylize(_CURSOR_STYLE)
        segments = list(Segment.apply_style(line.render(self.app.console), base))
        strip = Strip(segments, line.cell_len)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, base)
