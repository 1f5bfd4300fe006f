"""The built wheel is one package, ``camcensus``, and works away from the checkout.

The wheel is built from this checkout (``pip wheel --no-build-isolation``: offline, with
the setuptools of the test extra) and unpacked into a folder outside the repository;
the CLI then runs from that folder alone.  A bare ``import scanner`` from a checkout
must fail loudly instead of loading a second copy of the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("scanner", "vendor_db", "tui", "lab")
_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")


SOURCES = ("pyproject.toml", "README.md", "camcensus", *FOLDERS)
"""What the wheel is built from: copied out first, so the build leaves the checkout alone
(setuptools builds in the source tree and packs all of its build/lib)."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, symlinks=True, ignore=_CACHES)
        else:
            shutil.copy2(origin, source / name)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*pip_wheel, "--quiet", "--wheel-dir", str(out), str(source)], check=True, cwd=out
    )
    (built,) = out.glob("camcensus-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _run_unpacked(site: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # -I would drop PYTHONPATH too; -P keeps the working directory off sys.path, and the
    # working directory is the unpacked folder's parent, far from the checkout.
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-P", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=site.parent,
        env=env,
        check=False,
    )


def test_the_wheel_has_one_top_level_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top = {name.split("/", 1)[0] for name in names}
    dist_info = {t for t in top if t.endswith(".dist-info")}
    assert top - dist_info == {"camcensus"}
    (info,) = dist_info
    top_level = zipfile.ZipFile(wheel).read(f"{info}/top_level.txt").decode().split()
    assert top_level == ["camcensus"]
    for data in (
        "camcensus/base/fields.txt",
        "camcensus/vendor_db/data/vendors.toml",
        "camcensus/vendor_db/data/policies/nl-cybercheck.toml",
        "camcensus/vendor_db/data/policies/eu-csa2-proposal.toml",
        "camcensus/vendor_db/data/fingerprints/http_server.toml",
        "camcensus/lab/profiles/hikvision-ds-2cd2143g2-i.toml",
        "camcensus/lab/mixes/default.toml",
        "camcensus/tui/app.tcss",
        "camcensus/scanner/templates/report.html.j2",
        "camcensus/py.typed",
    ):
        assert data in names


def test_the_unpacked_wheel_runs_without_the_checkout(unpacked: Path) -> None:
    where = _run_unpacked(unpacked, "-c", "import camcensus.cli; print(camcensus.cli.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(unpacked)

    version = _run_unpacked(unpacked, "-m", "camcensus", "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("camcensus ")

    vendors = _run_unpacked(unpacked, "-m", "camcensus", "vendors", "--json")
    assert vendors.returncode == 0, vendors.stderr
    names = {v["name"] for v in json.loads(vendors.stdout)}
    assert {"Hikvision", "Dahua", "Axis Communications"} <= names

    evidence = json.dumps({"rtsp.server": "Dahua Rtsp Server", "mac": "3c:ef:8c:00:00:01"})
    identified = _run_unpacked(unpacked, "-m", "camcensus", "identify", "-", stdin=evidence)
    assert identified.returncode == 0, identified.stderr
    assert json.loads(identified.stdout)["maker"] == "Dahua"

    db, page = unpacked.parent / "empty.db", unpacked.parent / "report.html"
    made = _run_unpacked(
        unpacked,
        "-c",
        f"from camcensus.scanner.store import Inventory; Inventory.open({str(db)!r}).close()",
    )
    assert made.returncode == 0, made.stderr
    report = _run_unpacked(
        unpacked, "-m", "camcensus", "report", "--db", str(db), "--html", str(page)
    )
    assert report.returncode == 0, report.stderr  # its template comes from the wheel
    assert "<h1>Camera census: empty.db</h1>" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_bare_import_of_a_checkout_folder_fails_loudly(folder: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", f"import {folder}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert f"import camcensus.{folder} instead" in run.stderr


def test_the_checkout_links_the_folders_into_the_namespace() -> None:
    for folder in FOLDERS:
        link = REPO / "camcensus" / folder
        assert link.is_symlink()
        assert link.resolve() == REPO / folder
