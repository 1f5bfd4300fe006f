"""Bounded JSON decoding for device replies (private helper)."""

from __future__ import annotations

import json
from typing import Any

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH

__all__ = ["load_json_object", "scalar_text"]


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

    Invalid UTF-8 becomes U+FFFD; control characters inside strings are kept. Raises
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
