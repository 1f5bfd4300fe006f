"""Helpers for probe tests over a ReplayTransport: a context, captures, and small replies.

Every probe test here runs without root, a namespace or a network: the probe talks to a
``ReplayTransport`` that serves replies from ``tests/fixtures/captures`` (crafted from
the documented wire formats, see that folder's README) or built inline, and records what
the probe asked to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path
from typing import Any, Final

from camcensus.scanner.probes.context import HostBudget, Interface, ProbeContext
from camcensus.scanner.probes.transport import ReplayTransport

CAPTURES: Final = Path(__file__).resolve().parent.parent / "fixtures" / "captures"
IFACE: Final = Interface("cctest0", IPv4Interface("198.18.0.1/24"))
CAMERA: Final = "198.18.0.11"
OTHER: Final = "198.18.0.12"
OUTSIDER: Final = "198.18.1.99"
"""An address that is not one of the scan's hosts: its replies must be dropped."""


def capture(name: str) -> bytes:
    """One crafted reply from tests/fixtures/captures."""
    return (CAPTURES / name).read_bytes()


def context(
    transport: ReplayTransport,
    hosts: Sequence[str] = (CAMERA, OTHER),
    **kwargs: Any,
) -> ProbeContext:
    """A probe context on ``IFACE`` over ``transport`` for ``hosts``."""
    kwargs.setdefault("budget", HostBudget())
    kwargs.setdefault("link_local", True)  # the interface's subnet is in scope, as a scan checks
    return ProbeContext(
        interface=IFACE,
        hosts=tuple(IPv4Address(h) for h in hosts),
        transport=transport,
        **kwargs,
    )


def sent(transport: ReplayTransport, kind: str) -> list[Any]:
    """What the probe asked the transport to send, of one kind (udp, tcp, connect, ...)."""
    return [what for k, what in transport.sent if k == kind]


def http_reply(status: str, headers: Sequence[str] = (), body: bytes = b"") -> bytes:
    """An HTTP/1.1 response with a Content-Length."""
    head = "\r\n".join([f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}"])
    return head.encode() + b"\r\n\r\n" + body
