"""HTTP and RTSP replies out of the client transcripts people publish them in.

Issue threads and admins' notes seldom hold a bare reply: they hold what a client
printed while it talked to the device, with its own marks on every line.  The forms
read here, each by the marks that client prints:

* ``curl -v``: reply lines after ``< ``, request lines after ``> ``, remarks after
  ``* ``; the body follows unmarked.  ``curl -i`` with ``-L`` or ``--digest``: the
  replies one after the other.
* FFmpeg at ``-loglevel trace`` (also through mpv): each reply line as ``line='...'``
  (character traces ``ret=1 c=52 [R]`` beside them are skipped); at ``verbose`` and
  above, the session description after ``SDP:``.
* Logs that put a prefix before the status line only: a timestamp and direction
  (mediamtx/gortsplib ``[s->c] RTSP/1.0 401 ...``, whose headers follow unmarked), an
  Android logcat tag (continuation lines indented to the same column), or a line of
  its own before it (live555's ``Received a complete DESCRIBE response:``).
* A quoted reply (every line after ``> ``), or a reply indented as a whole
  (``wget -S``, a line-wrapped log).
* HTTP/2 and HTTP/3 status lines (``HTTP/2 200``), spelled ``HTTP/2.0 200`` as the
  HTTP/1 parser reads them.

``replies`` gives the replies in order, each with its head lines ending CRLF, or None
when ``data`` is in none of these forms (a bare reply is parsed as it is).  Pure, and
bounded: at most ``MAX_REPLIES`` replies from at most ``MAX_TRANSCRIPT_BYTES`` in at
most ``MAX_TRANSCRIPT_LINES`` lines.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MAX_REPLIES", "MAX_TRANSCRIPT_BYTES", "MAX_TRANSCRIPT_LINES", "replies"]

MAX_TRANSCRIPT_BYTES: Final = 1024 * 1024
MAX_REPLIES: Final = 16
MAX_TRANSCRIPT_LINES: Final = 50_000
"""More lines than any published transcript holds (1 MB of empty lines took 0.65 s)."""

_STATUS: Final = re.compile(r"(HTTP|RTSP)/(\d)(?:\.(\d))?([ \t]+\d{3}\b.*)")
"""A status line; found at the start of a line or after a client's prefix."""
_STATUS_AT: Final = re.compile(r"(?:HTTP|RTSP)/\d(?:\.\d)?[ \t]+\d{3}(?:[ \t]|$)")
_REQUEST: Final = re.compile(r"[A-Z][A-Z_-]{1,24}[ \t]+\S+[ \t]+(?:HTTP|RTSP)/\d(?:\.\d)?\s*$")
_LOG_ENTRY: Final = re.compile(
    r"(?:\d{2,4}[-/.]\d\d[-/.]\d\d[ T]|(?:\d\d-\d\d )?\d\d:\d\d:\d\d[.,\s]|[VDIWEF]/\w{1,40}[:(]|"
    r"Sending request:|Received \d+ new bytes|Received a complete|Have received )"
)
"""The start of a new log entry (a timestamp, a logcat tag, live555's remarks): a
reply the log carried unmarked ends there."""
_LOG_TAG: Final = re.compile(r"\[[^\]\n]{1,60}\]")
"""A bracketed tag that starts a log line (``[rtsp @ 0x...]``, ``[client:rtsp]``): it
ends a reply only where the reply's own line had a prefix (a body may open with ``[``)."""
_CONTENT_LENGTH: Final = re.compile(r"content-length:[ \t]*(\d{1,9})\s*$", re.IGNORECASE)
_FFMPEG_LINE: Final = re.compile(r"(?:\[[^\]\n]{1,60}\]\s*)+(?:\w+:\s*)?line='(.*)'\s*$")
_FFMPEG_SDP: Final = re.compile(r"(?:\[[^\]\n]{1,60}\]\s*)+(?:\w+:\s*)?SDP:\s*$")
_CURL: Final = re.compile(r"([<>*{}])(?: |$)")
_CURL_CONNECTED: Final = re.compile(r"\*\s+Connected to (\S+)")


def replies(data: bytes) -> list[bytes] | None:
    """The replies a published transcript holds, or None when it is not one."""
    if len(data) > MAX_TRANSCRIPT_BYTES or data.count(b"\n") >= MAX_TRANSCRIPT_LINES:
        return None
    lines = data.decode("utf-8", "surrogateescape").replace("\r\n", "\n").split("\n")
    found: list[list[str]] | None
    if any(_FFMPEG_LINE.match(line) or _FFMPEG_SDP.match(line) for line in lines):
        found = _ffmpeg(lines)
    elif any(line.startswith(("< HTTP/", "< RTSP/")) for line in lines):
        found = _curl(lines)
    else:
        found = _marked(lines)
    if found is None:
        return None
    return [_wire(message) for message in found[:MAX_REPLIES] if any(message)]


def _curl(lines: list[str]) -> list[list[str]]:
    """``< `` lines are the reply; the unmarked lines after its head, its body.  The
    replies of the first host only: ``-L`` may follow a redirect to another device."""
    messages: list[list[str]] = []
    in_body = False
    host: str | None = None
    for line in lines:
        mark = _CURL.match(line)
        connected = _CURL_CONNECTED.match(line)
        if connected:
            if host is not None and connected.group(1).casefold() != host:
                break
            host = connected.group(1).casefold()
        if mark and mark.group(1) == "<":
            text = line[2:]
            if _STATUS_AT.match(text):
                messages.append([])
                in_body = False
            if messages and not in_body:
                messages[-1].append(text)
                in_body = text == ""
        elif mark:
            in_body = False
        elif messages and in_body:
            messages[-1].append(line)
    return messages


def _ffmpeg(lines: list[str]) -> list[list[str]]:
    """FFmpeg's ``line='...'`` reply lines, and its ``SDP:`` as the body of the reply
    that announced one (or of a reply of its own when the log shows no reply lines)."""
    messages: list[list[str]] = []
    sdp: list[str] | None = None
    for line in lines:
        reply_line = _FFMPEG_LINE.match(line)
        if sdp is not None:
            if line.startswith("[") or reply_line or not line.strip():
                _attach_sdp(messages, sdp)
                sdp = None
            else:
                sdp.append(line.strip())
                continue
        if reply_line:
            text = reply_line.group(1)
            if _STATUS_AT.match(text):
                messages.append([])
            if messages:
                messages[-1].append(text)
        elif _FFMPEG_SDP.match(line):
            sdp = []
    if sdp:
        _attach_sdp(messages, sdp)
    return messages


def _attach_sdp(messages: list[list[str]], sdp: list[str]) -> None:
    for message in reversed(messages):
        head = message[: message.index("")] if "" in message else message
        if any(re.match(r"content-type:\s*application/sdp", h, re.IGNORECASE) for h in head):
            if "" not in message:
                message.append("")
            if message[-1] == "":
                message.extend(sdp)
                return
    messages.append(["", *sdp])  # body only: read as a session description


def _marked(lines: list[str]) -> list[list[str]] | None:
    """Replies whose status line has a prefix, or sits among other lines."""
    starts: list[tuple[int, int]] = []
    for n, line in enumerate(lines):
        status = _STATUS.search(line)
        if status and _prefix_ok(line[: status.start()]):
            starts.append((n, status.start()))
    if not starts:
        return None
    first, column = starts[0]
    if lines[first][:column].strip() == ">":
        return _quoted(lines)
    if column == 0 and len(starts) == 1 and not "".join(lines[:first]).strip():
        status = _STATUS.match(lines[first])
        # a bare reply, parsed as it is; an HTTP/2 one spelled as HTTP/1 parses it
        return [lines[first:]] if status and status.group(3) is None else None
    at = {n for n, _column in starts}
    messages: list[list[str]] = []
    for n, column in starts[:MAX_REPLIES]:
        indented = not lines[n][:column].strip()
        message = [lines[n][column:]]
        for number in range(n + 1, len(lines)):
            line = lines[number]
            if number in at or _REQUEST.match(line.strip()):
                break
            if column and line[:column].strip() == "":
                message.append(line[column:])  # indented to the status line's column
            elif (indented and column) or _new_entry(line, column):
                break  # the indented reply ends; a new log entry starts
            else:
                message.append(line.strip() if column else line.rstrip())
        messages.append(_trim(message))
    return messages


def _new_entry(line: str, column: int) -> bool:
    text = line.lstrip()
    return bool(_LOG_ENTRY.match(text) or (column and _LOG_TAG.match(text)))


def _prefix_ok(prefix: str) -> bool:
    """A client's prefix before a status line: a log entry's start, a direction mark,
    a label or indentation; not a sentence or markup that names a status in passing."""
    stripped = prefix.strip()
    return (
        stripped in ("", ">", "<")
        or bool(_LOG_ENTRY.match(stripped) or _LOG_TAG.match(stripped))
        or stripped.endswith(("[s->c]", ":"))
    )


def _quoted(lines: list[str]) -> list[list[str]] | None:
    unquoted = [re.sub(r"^>[ ]?", "", line) for line in lines if line.startswith(">")]
    return _marked(unquoted) or ([unquoted] if unquoted and _STATUS_AT.match(unquoted[0]) else None)


def _trim(message: list[str]) -> list[str]:
    """The reply's lines, trailing blank lines dropped and the body cut at the
    Content-Length the head declares (a log's next remark is not the body)."""
    while message and not message[-1].strip():
        message.pop()
    if "" not in message:
        return message
    split = message.index("")
    head, body = message[:split], message[split + 1 :]
    for line in head:
        declared = _CONTENT_LENGTH.match(line)
        if declared:
            kept: list[str] = []
            size = 0
            length = int(declared.group(1))
            for body_line in body:
                line_bytes = len(body_line.encode("utf-8", "surrogateescape")) + 2
                if size >= length or size + line_bytes > length + 8:
                    break  # the declared body is whole: what follows is the log's
                kept.append(body_line)
                size += line_bytes
            body = kept
    return [*head, "", *body]


def _wire(message: list[str]) -> bytes:
    """Head lines ending CRLF, a blank line, the body lines ending CRLF (an SDP's own
    line end; a web page's line ends are nothing to identification)."""
    if message and message[0]:
        status = _STATUS.match(message[0])
        if status and status.group(3) is None:  # HTTP/2 200: no minor version
            message = [f"{status.group(1)}/{status.group(2)}.0{status.group(4)}", *message[1:]]
    if "" in message:
        split = message.index("")
        text = "\r\n".join(message[:split]) + "\r\n\r\n" + "\r\n".join(message[split + 1 :])
    else:
        text = "\r\n".join(message) + "\r\n\r\n"
    return text.encode("utf-8", "surrogateescape")
