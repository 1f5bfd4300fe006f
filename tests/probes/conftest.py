"""Probe tests run on recorded replies alone: any real socket use fails the test."""

from __future__ import annotations

import socket
import subprocess
from typing import NoReturn

import pytest


def _no_network(*_args: object, **_kwargs: object) -> NoReturn:
    raise AssertionError("a probe test touched the real network; use the ReplayTransport")


@pytest.fixture(autouse=True)
def _forbid_real_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    for method in ("bind", "connect", "connect_ex", "send", "sendall", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, method, _no_network)
    monkeypatch.setattr(subprocess, "Popen", _no_network)  # nmap, or any other scanner
