"""Each probe the scanner runs has its replay tests here, and they need no network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from camcensus.scanner.probes import DISCOVERY, FOLLOW_UP, HOST_PROBES, SWEEP

HERE = Path(__file__).resolve().parent
PROBES = sorted(
    {p.__name__.rsplit(".", 1)[1] for p in (*DISCOVERY, SWEEP, *FOLLOW_UP, *HOST_PROBES)}
)


@pytest.mark.parametrize("name", PROBES)
def test_the_probe_has_replay_tests(name: str) -> None:
    tests = (HERE / f"test_probe_{name}.py").read_text(encoding="utf-8")
    assert "ReplayTransport" in tests
    assert "NetworkTransport" not in tests


def test_the_real_network_is_out_of_reach_here() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(AssertionError):
        sock.sendto(b"x", ("127.0.0.1", 9))
