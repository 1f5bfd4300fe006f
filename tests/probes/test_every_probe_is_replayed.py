"""Each probe the scanner runs has replay tests, and reaches the network only via _io."""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

import camcensus.scanner.probes as probes_package
from camcensus.scanner.probes import DISCOVERY, FOLLOW_UP, HOST_PROBES, RECORDER, SWEEP

HERE = Path(__file__).resolve().parent
PROBES = sorted(
    {p.__name__.rsplit(".", 1)[1] for p in (*DISCOVERY, SWEEP, *FOLLOW_UP, *HOST_PROBES, RECORDER)}
)
PROBE_SOURCES = sorted(
    path
    for path in Path(next(iter(probes_package.__path__))).glob("*.py")
    if path.name not in ("_io.py", "transport.py", "context.py", "__init__.py")
)


@pytest.mark.parametrize("name", PROBES)
def test_the_probe_has_replay_tests_that_run_it(name: str) -> None:
    tree = ast.parse((HERE / f"test_probe_{name}.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    calls = {
        f"{n.func.value.id}.{n.func.attr}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
    }
    assert "ReplayTransport" in names
    assert "NetworkTransport" not in names
    assert {f"{name}.run", f"{name}.run_host"} & calls, f"no test calls {name}.run/run_host"


@pytest.mark.parametrize("path", PROBE_SOURCES, ids=lambda p: p.name)
def test_probes_reach_the_transport_only_through_the_guard(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    touched = [
        n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "transport"
    ]
    assert touched == [], f"{path.name} uses ctx.transport directly (lines {touched}): use _io"


def test_the_real_network_is_out_of_reach_here() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(AssertionError):
        sock.sendto(b"x", ("127.0.0.1", 9))
