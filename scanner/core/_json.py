"""Bounded JSON decoding for device replies (private helper)."""

from __future__ import annotations

import json
import json.decoder
import re
from collections.abc import Callable
from typing import Any, Final

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH

__all__ = ["cut_json", "load_json_object", "scalar_text"]

_scanstring: Final[Callable[[str, int, bool], tuple[str, int]]] = json.decoder.__dict__[
    "scanstring"
]  # the json module's own string reader (C-accelerated); its stubs leave it out
_MAX_CUT_VALUES: Final = 20000
"""Values, keys and brackets a cut document is read for, at most (a bound on work)."""
_SPACE: Final = re.compile(r"[ \t\r\n]*")
_NUMBER: Final = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_TAIL: Final = re.compile(r"[0-9.eE+-]*")
"""What may follow a number cut at the end of the text (``1e`` of ``1e5``)."""
_LITERALS: Final = {"true": True, "false": False, "null": None}
_CUT_MARKS: Final = ("...", "\u2026", "[...]", "(...)")
"""What a publisher writes where it cut a document short."""


def _check_depth(text: str, max_depth: int, what: str) -> None:
    """Refuse nesting deeper than max_depth before json recurses into it (linear scan)."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise MalformedReplyError(f"{what}: JSON nested deeper than {max_depth}")
        elif char in "]}":
            depth -= 1


def load_json_object(
    raw: bytes, what: str, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> dict[str, Any]:
    """Decode one JSON object from the start of ``raw``; trailing NULs/bytes are ignored.

    Invalid UTF-8 becomes U+FFFD; control characters inside strings are kept. A document
    cut short (the text ends, or a cut mark such as "..." follows, mid-document) gives
    the members complete before the cut (``cut_json``). Raises
    ReplyTooLargeError over ``max_bytes`` and MalformedReplyError when the text is not a
    JSON object, nests too deep or holds a number Python refuses to convert (over 4300 digits).
    """
    if len(raw) > max_bytes:
        raise ReplyTooLargeError(f"{what}: {len(raw)} bytes of JSON, cap is {max_bytes}")
    text = raw.decode("utf-8", errors="replace")
    _check_depth(text, max_depth, what)
    try:
        # strict=False: firmware puts raw tabs and newlines inside strings
        value, _end = json.JSONDecoder(strict=False).raw_decode(text)
    except json.JSONDecodeError as exc:
        value = cut_json(text.rstrip("\x00"))  # cut short: the fields before the cut
        if value is None:
            raise MalformedReplyError(f"{what}: not valid JSON ({exc})") from exc
    except ValueError as exc:  # e.g. an integer over sys.get_int_max_str_digits() digits
        raise MalformedReplyError(f"{what}: unusable JSON value ({str(exc)[:80]})") from exc
    if not isinstance(value, dict):
        raise MalformedReplyError(f"{what}: JSON is a {type(value).__name__}, not an object")
    return value


def scalar_text(value: object) -> str | None:
    """A JSON string or number as text; None for null, booleans, arrays and objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _cut_here(text: str, pos: int) -> bool:
    """Whether the document ends at ``pos``: nothing but blanks, or a cut mark, follows."""
    rest = text[pos:].strip(" \t\r\n\x00")
    return not rest or rest.startswith(_CUT_MARKS) or "truncated" in rest[:40].casefold()


def cut_json(text: str, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any] | list[Any] | None:
    """The object or array a JSON text CUT SHORT holds before the cut (a reply published
    only in part, or a capture that ends mid-document): every member whose value is
    complete, in the containers open at the cut (a member cut inside its value, a number
    that may have lost digits, a key without its value are left out).

    None when the text does not start with ``{`` or ``[``, when it is malformed BEFORE its
    end (an error is not a cut unless only blanks or a cut mark such as "..." follow it),
    when it nests deeper than ``max_depth``, when nothing complete came before the cut,
    or past ``_MAX_CUT_VALUES`` tokens. One linear pass; never raises.
    """
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]  # [ \t\r\n]* always matches
    if text[pos : pos + 1] not in ("{", "["):
        return None
    root: dict[str, Any] | list[Any] = {} if text[pos] == "{" else []
    stack: list[dict[str, Any] | list[Any]] = [root]
    key: str | None = None  # the key whose value comes next, in the innermost object
    expect = "key" if isinstance(root, dict) else "value"  # or "colon", "comma"
    pos += 1
    found = False
    end = len(text.rstrip(" \t\r\n\x00"))  # where the text's last token ends
    for _ in range(_MAX_CUT_VALUES):
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            break
        char = text[pos]
        top = stack[-1]
        if char in "}]" and expect in ("comma", "key", "value"):
            closes = (char == "}") == isinstance(top, dict)
            if not closes or (expect == "value" and isinstance(top, dict)):
                return root if found and _cut_here(text, pos) else None
            stack.pop()
            pos += 1
            if not stack:
                return root if found else None  # complete after all
            expect = "comma"
            continue
        if expect == "comma":
            if char != ",":
                return root if found and _cut_here(text, pos) else None
            expect = "key" if isinstance(top, dict) else "value"
            pos += 1
            continue
        if expect == "key":
            if char != '"':
                return root if found and _cut_here(text, pos) else None
            try:
                key, pos = _scanstring(text, pos + 1, False)
            except json.JSONDecodeError as exc:
                return root if found and exc.msg.startswith("Unterminated") else None
            expect = "colon"
            continue
        if expect == "colon":
            if char != ":":
                return root if found and _cut_here(text, pos) else None
            expect = "value"
            pos += 1
            continue
        # a value
        value: Any
        if char in "{[":
            if len(stack) >= max_depth:
                return None
            value = {} if char == "{" else []
            pos += 1
        elif char == '"':
            try:
                value, pos = _scanstring(text, pos + 1, False)
            except json.JSONDecodeError as exc:
                return root if found and exc.msg.startswith("Unterminated") else None
        else:
            number = _NUMBER.match(text, pos)
            word = next((w for w in _LITERALS if text.startswith(w, pos)), None)
            if word is not None:
                value, pos = _LITERALS[word], pos + len(word)
            elif number is not None and not _NUMBER_TAIL.fullmatch(text, number.end(), end):
                digits = number.group(0)
                try:
                    value = float(digits) if any(c in digits for c in ".eE") else int(digits)
                except ValueError:  # over sys.get_int_max_str_digits() digits
                    return None
                pos = number.end()
            else:  # a number or word at the very end may be cut; anything else is no JSON
                rest = text[pos:].rstrip(" \t\r\n\x00")
                cut = bool(_NUMBER_TAIL.fullmatch(rest)) or any(
                    w.startswith(rest) for w in _LITERALS
                )
                return root if found and (cut or _cut_here(text, pos)) else None
        if isinstance(top, dict):
            top[key or ""] = value
        else:
            top.append(value)
        found = True
        if isinstance(value, dict | list):
            stack.append(value)
            expect = "key" if isinstance(value, dict) else "value"
        else:
            expect = "comma"
    return root if found else None
