"""The layers contract names every part of the package, so nothing new escapes it."""

from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path

import camcensus
import camcensus.scanner

REPO = Path(__file__).resolve().parent.parent
EXEMPT = {"camcensus.__main__"}  # the entry point: it imports the CLI and nothing else


def _layered() -> set[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [
        c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    return {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}


def test_every_module_of_the_package_and_the_scanner_sits_in_a_layer() -> None:
    layered = _layered()
    modules = {f"camcensus.{m.name}" for m in pkgutil.iter_modules(camcensus.__path__)}
    modules |= {
        f"camcensus.scanner.{m.name}" for m in pkgutil.iter_modules(camcensus.scanner.__path__)
    }
    modules -= EXEMPT | {"camcensus.scanner"}  # the scanner is layered by its parts
    assert modules - layered == set()


def test_the_package_root_imports_only_the_bottom_layer() -> None:
    source = (REPO / "camcensus" / "__init__.py").read_text(encoding="utf-8")
    imported = set(re.findall(r"^from (camcensus\.[\w.]+) import", source, re.MULTILINE))
    assert imported <= {"camcensus.base.version"}
