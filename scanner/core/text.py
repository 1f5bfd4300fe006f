"""Device text made safe to print on a terminal (the CLI's rule; pure).

Device strings (makers, models, error messages quoting a reply) are hostile input. ESC
sequences, BEL, C1 controls (``\\x9b`` is a one-byte CSI) and Unicode bidi overrides or
invisible format characters could move the cursor, retitle the window or reorder what
the operator reads. Each such character becomes a visible escape: ``"\\x1b"`` (four
characters), ``"\\u202e"``. A literal backslash is kept, as in the CSV export.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["escape_controls"]

_INVISIBLE_FORMAT: Final = (
    "\u061c"  # Arabic letter mark
    "\u200b-\u200f"  # zero-width space/non-joiner/joiner, LRM, RLM
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060"  # word joiner
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space / BOM
)
_NEEDS_ESCAPE: Final = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE_FORMAT}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _visible_keep_newline(match: re.Match[str]) -> str:
    return "\n" if match.group() == "\n" else _visible(match)


def escape_controls(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as text with every C0/C1 control, DEL and bidi/invisible-format
    character written as a visible escape (newlines kept when asked: admin notes);
    ``None`` becomes ``""``.

    >>> escape_controls("cam\\x1b[2J\\u202e")
    'cam\\\\x1b[2J\\\\u202e'
    """
    raw = "" if value is None else str(value)
    return _NEEDS_ESCAPE.sub(_visible_keep_newline if keep_newlines else _visible, raw)
