"""Make device-supplied text safe to show in the TUI.

Device text (models, firmware, banners, evidence values) is hostile input.  Two things
could go wrong when it reaches the screen:

* terminal control: ESC sequences, BEL, C1 controls (``\\x9b`` is a one-byte CSI) and
  Unicode bidi overrides could move the cursor, retitle the window or reorder what the
  admin reads.  Each such character becomes visible text: ``"\\x1b"`` (four characters),
  ``"\\u202e"``;
* Rich markup: Textual's ``DataTable`` parses ``str`` cells as Rich markup, so a model
  named ``"[red]x[/red]"`` would be styled, and ``"[@click=app.quit]"`` would become an
  action link.  Tags are escaped so they show literally.

The result of ``safe_text`` is *Rich markup* that renders as the visible text: put it in
``DataTable`` cells or pass it to ``rich.text.Text.from_markup``.  Do not concatenate it
with other markup, and do not hand it to Textual's own ``Content`` markup (a different
dialect).  A literal backslash from the device stays as it is, so ``\\x1b`` on screen may
be an escaped ESC or the device's own four characters (the same rule as the CSV export).
"""

from __future__ import annotations

import re
from typing import Final

from rich.text import Text

from camcensus.scanner.core.text import escape_controls

__all__ = ["escape_controls", "safe_text", "to_text"]

# Rich's markup tag pattern (rich.markup.RE_TAGS): optional backslashes, then a tag that
# starts with a lower-case letter, '#', '/' or '@'.  Only text that matches can be a tag.
_MARKUP_TAG: Final = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _escape_tag(match: re.Match[str]) -> str:
    backslashes, tag = match.groups()
    return f"{backslashes}{backslashes}\\{tag}"


def safe_text(value: object, *, keep_newlines: bool = False) -> str:
    """Rich markup that shows ``value`` literally, with control characters made visible.

    ``keep_newlines`` keeps ``\\n`` (for the admin's own multi-line note); every other
    control character is escaped.

    >>> safe_text("[red]x[/red]\\x1b]0;pwned\\x07")
    '\\\\[red]x\\\\[/red]\\\\x1b]0;pwned\\\\x07'
    """
    text = escape_controls(value, keep_newlines=keep_newlines)
    return _MARKUP_TAG.sub(_escape_tag, text) if "[" in text else text


def to_text(value: object, *, keep_newlines: bool = False) -> Text:
    """A Rich ``Text`` that shows ``value`` literally: no markup, no ``:emoji:`` codes.

    Rich turns ``:cd:`` into an emoji by default, and MAC addresses are full of such
    pairs (``9c:8e:cd:00:00:01``); every device string reaches the screen through here.
    """
    return Text.from_markup(safe_text(value, keep_newlines=keep_newlines), end="", emoji=False)
