"""Network-namespace primitives: setns() through ctypes, thread by thread.

``setns(2)`` moves only the calling thread, so the lab can open sockets inside a
device namespace and come straight back.  Sockets keep the namespace they were
created in, which is what lets one emulator process serve every device.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from camcensus.base.errors import LabError

__all__ = ["NETNS_DIR", "call_in", "enter", "exists", "netns_path"]

NETNS_DIR = "/run/netns"
_CLONE_NEWNET = 0x40000000
_T = TypeVar("_T")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
_libc.setns.restype = ctypes.c_int


def netns_path(name: str) -> str:
    """Path of the bind-mounted namespace file that ``ip netns add NAME`` creates."""
    if not name or "/" in name or name in {".", ".."}:
        raise LabError(f"invalid namespace name {name!r}")
    return os.path.join(NETNS_DIR, name)


def exists(name: str) -> bool:
    """Whether ``ip netns`` knows a namespace called *name*."""
    return os.path.exists(netns_path(name))


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise LabError(f"setns failed: {os.strerror(err)}")


@contextmanager
def enter(name: str) -> Iterator[None]:
    """Move the *current thread* into namespace *name* and back on exit.

    Keep the body short and synchronous: anything created inside (sockets) stays in
    the namespace; anything the thread does inside reaches only that namespace.
    """
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(netns_path(name), os.O_RDONLY)
    except OSError as exc:
        os.close(home)
        raise LabError(f"namespace {name!r} not found: {exc}") from exc
    try:
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(target)
        os.close(home)


def call_in(name: str, func: Callable[[], _T], timeout_s: float = 60.0) -> _T:
    """Run *func* in a fresh thread that lives in namespace *name*; return its result."""
    result: list[_T] = []
    error: list[BaseException] = []

    def runner() -> None:
        try:
            target = os.open(netns_path(name), os.O_RDONLY)
            try:
                _setns(target)
            finally:
                os.close(target)
            result.append(func())
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=runner, name=f"netns-{name}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise LabError(f"call in namespace {name!r} did not finish within {timeout_s} s")
    if error:
        raise error[0]
    return result[0]
