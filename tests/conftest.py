"""Shared fixtures: the network-namespace lab for integration tests.

Lab tests are marked ``lab``; they run for real wherever namespaces can be made (CI
runs as root) and are skipped, with the reason printed (``-ra``), only where they
cannot.  Every lab a test brings up is torn down, and a final check fails the run
if any lab namespace is left behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from labnames import LAB_PREFIX, lab_name

from camcensus.lab.api import Lab, can_run_lab


def lab_or_skip() -> None:
    ok, why = can_run_lab()
    if not ok:
        pytest.skip(f"lab integration test needs network namespaces: {why}")


@pytest.fixture(scope="module")
def make_lab() -> Iterator[Callable[..., Lab]]:
    """Factory: ``make_lab("cctscan", devices=50, mix="default")`` -> a running Lab.

    Names must start with ``cct`` (``lab_name`` gives this run's tag) and be unique per
    module; labs are torn down when
    the module's tests finish.
    """
    lab_or_skip()
    made: list[Lab] = []

    def factory(name: str, devices: int = 20, mix: Any = "default", **kwargs: Any) -> Lab:
        lab = Lab(lab_name(name))
        lab.up(devices=devices, mix=mix, **kwargs)
        made.append(lab)
        return lab

    yield factory
    for lab in made:
        lab.down()


@pytest.fixture(scope="session", autouse=True)
def _no_lab_left_behind() -> Iterator[None]:
    yield
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return
    left = [n for n in names if n.startswith(LAB_PREFIX)]
    assert not left, f"lab namespaces left behind by tests: {left[:5]}"
