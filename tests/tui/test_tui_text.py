"""safe_text: device text shows literally, with no terminal control and no Rich markup."""

from __future__ import annotations

import pytest
from rich.text import Text

from camcensus.tui.text import escape_controls, safe_text

HOSTILE = [
    "\x1b[2J\x1b]0;pwned\x07",
    "=cmd|' /C calc'!A0",
    "[red]markup[/red]",
    "[@click=app.quit]quit[/]",
    "[bold]x",
    "trailing backslash\\",
    "\\[red]pre-escaped[/red]",
    "a\\\\[b]c",
    "[link=https://example.invalid]x[/link]",
    "\u202eexe.gpj",
    "\x9b31mC1 CSI",
    "nul\x00del\x7f",
    "[Bold] not a tag",
    "[1] numbered",
]


def test_escape_sequences_become_visible_text() -> None:
    assert safe_text("\x1b[2J\x1b]0;pwned\x07") == "\\x1b[2J\\x1b]0;pwned\\x07"


def test_c1_bidi_and_invisible_format_characters_are_escaped() -> None:
    assert escape_controls("a\x9bb\u202ec\u2066d\u200be\ufeff") == (
        "a\\x9bb\\u202ec\\u2066d\\u200be\\ufeff"
    )


def test_rich_markup_is_escaped() -> None:
    assert safe_text("[red]markup[/red]") == "\\[red]markup\\[/red]"


@pytest.mark.parametrize("value", HOSTILE)
def test_rendered_text_equals_the_escaped_input(value: str) -> None:
    rendered = Text.from_markup(safe_text(value))
    assert rendered.plain == escape_controls(value)
    assert not rendered.spans  # no style, link or action came from the device


@pytest.mark.parametrize("value", HOSTILE)
def test_output_has_no_control_characters(value: str) -> None:
    out = safe_text(value)
    assert all(0x20 <= ord(c) < 0x7F or ord(c) > 0x9F for c in out)
    assert "\u202e" not in out


def test_newlines_are_escaped_unless_kept() -> None:
    assert safe_text("line1\nline2") == "line1\\x0aline2"
    assert safe_text("line1\nline2\r", keep_newlines=True) == "line1\nline2\\x0d"


def test_none_and_non_strings() -> None:
    assert safe_text(None) == ""
    assert safe_text(0.5) == "0.5"


def test_plain_text_is_unchanged() -> None:
    value = "Hikvision DS-2CD2043G2-I V5.7.3 (build 200619) [1] ünïcode 海康"
    assert safe_text(value) == value


def test_emoji_codes_in_device_text_stay_literal() -> None:
    # Rich would render ":cd:" as an optical-disc emoji; MAC addresses are full of them.
    from camcensus.tui.text import to_text

    for value in ("9c:8e:cd:00:00:01", "mac:9c:8e:cd:00:00:01", "a:smile:b", "x:+1:y"):
        assert to_text(value).plain == value


def test_zero_width_characters_are_visible_in_the_table_cells() -> None:
    from dataclasses import replace

    from builders import make_record

    from camcensus.tui.rows import COLUMN_INDEX, make_row

    record = make_record(5)
    invisible = "Hik\u200bvi\u200c\u200dsion\u2060\ufeff"
    device = replace(record.device, mac_organisation="")
    row = make_row(replace(record, device=device, note=invisible))
    hostile = make_row(make_record(5, maker=invisible))
    cell = hostile.cells[COLUMN_INDEX["maker"]]
    assert cell == "Hik\\u200bvi\\u200c\\u200dsion\\u2060\\ufeff"
    assert hostile.widths[COLUMN_INDEX["maker"]] == len(cell)  # the width of what shows
    assert "hik\u200bvi" in row.search  # the filter sees the raw text
