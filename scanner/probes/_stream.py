"""One bounded TCP request/response for host probes (HTTP, HTTPS, RTSP, ONVIF SOAP).

Every exchange holds a slot of the host's budget, has one total deadline (a device
that trickles bytes forever cannot stall the scan) and reads at most ``max_bytes``.
A timeout returns what arrived so far (a trickled head still names the server).
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from camcensus.scanner.core.limits import MAX_HTTP_BODY_BYTES, MAX_HTTP_HEAD_BYTES
from camcensus.scanner.probes.context import ProbeContext, open_connection

__all__ = ["MAX_REPLY_BYTES", "Reply", "exchange", "message_complete"]

MAX_REPLY_BYTES: Final = MAX_HTTP_HEAD_BYTES + MAX_HTTP_BODY_BYTES
_READ_BYTES: Final = 16 * 1024
_HEAD_END: Final = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH: Final = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$")
_CHUNKED: Final = re.compile(rb"(?im)^transfer-encoding[ \t]*:.*chunked")


@dataclass(frozen=True, slots=True)
class Reply:
    """The bytes of each response (in request order) and the peer certificate (TLS only)."""

    messages: tuple[bytes, ...]
    certificate_der: bytes | None = None
    timed_out: bool = False


def message_complete(data: bytes, *, body_until_close: bool) -> bool:
    """True when ``data`` holds a whole HTTP/RTSP message (head plus announced body).

    Without Content-Length or chunking the body runs to the connection's end when
    ``body_until_close`` (HTTP with Connection: close), else there is no body (RTSP).
    """
    end = _HEAD_END.search(data)
    if end is None:
        return False
    head = data[: end.start()]
    length = _CONTENT_LENGTH.search(head)
    if length is not None:
        return len(data) - end.end() >= int(length.group(1))
    if _CHUNKED.search(head):
        return data.endswith(b"0\r\n\r\n")
    return not body_until_close


def _tls_context() -> ssl.SSLContext:
    # Device certificates are self-signed: we read them, we do not trust them.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


async def _read_message(
    reader: asyncio.StreamReader, buffer: bytearray, max_bytes: int, body_until_close: bool
) -> None:
    while len(buffer) < max_bytes and not message_complete(
        bytes(buffer), body_until_close=body_until_close
    ):
        chunk = await reader.read(min(_READ_BYTES, max_bytes - len(buffer)))
        if not chunk:
            return
        buffer += chunk


async def exchange(
    ctx: ProbeContext,
    ip: str,
    port: int,
    requests: Sequence[bytes],
    *,
    tls: bool = False,
    body_until_close: bool = True,
    max_bytes: int = MAX_REPLY_BYTES,
    deadline_s: float | None = None,
) -> Reply:
    """Send ``requests`` one after another on one connection and read each reply.

    Raises OSError when the connection fails and RequestBudgetExceededError when the
    host's budget is spent; a deadline hit returns the partial replies (``timed_out``).
    """
    messages: list[bytes] = []
    certificate: bytes | None = None
    buffer = bytearray()
    timed_out = False
    async with ctx.budget.slot(ip, len(requests)):
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(deadline_s if deadline_s is not None else ctx.timeout_s):
                reader, writer = await open_connection(
                    ctx, ip, port, tls=_tls_context() if tls else None, limit=_READ_BYTES
                )
                if tls:
                    ssl_object = writer.get_extra_info("ssl_object")
                    if isinstance(ssl_object, ssl.SSLObject):
                        certificate = ssl_object.getpeercert(binary_form=True)
                for request in requests:
                    writer.write(request)
                    await writer.drain()
                    await _read_message(reader, buffer, max_bytes, body_until_close)
                    messages.append(bytes(buffer))
                    buffer.clear()
        except TimeoutError:
            timed_out = True
            if buffer:
                messages.append(bytes(buffer))
        finally:
            if writer is not None:
                writer.transport.abort()
    return Reply(tuple(messages), certificate, timed_out)
