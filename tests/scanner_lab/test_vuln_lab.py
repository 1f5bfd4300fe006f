"""Issue 14 in the lab: a Hikvision camera whose firmware lies in the published
CVE-2017-7921 range (DS-2CD2xx2FWD Series, V5.3.1 build 150410 to V5.4.4 build 161125,
NVD / ICSA-17-124-01) is reported "affected" with its KEV date, from a real scan and from
``camcensus identify`` on the evidence that scan recorded alone; a camera on a firmware
outside every range is not; the origin facts reach the scan JSON and the CSV.

Nothing is exploited and nobody logs in: the version is what SADP and ONVIF say without
credentials.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab

PROFILES = Path(__file__).parent / "vuln_profiles"
LAB_TARGET = "198.18.0.0/23"
IN_RANGE = "DS-2CD2142FWD-IS"  # V5.4.1 build 160525: tests/scanner_lab/vuln_profiles
OUTSIDE = "DS-2CD2143G2-I"  # V5.7.3 build 220112: lab/profiles
KEV_2017_7921 = "2026-03-05"  # CISA KEV dateAdded (vendor_db/data/cve/pack.toml cites it)


def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)


@pytest.fixture(scope="module")
def scanned(
    make_lab: Callable[..., Lab], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path, dict[str, str]]:
    lab = make_lab(
        "cctvuln",
        devices=2,
        mix={"hikvision-ds-2cd2142fwd-is": 1, "hikvision-ds-2cd2143g2-i": 1},
        profile_dirs=[PROFILES],
    )
    work = tmp_path_factory.mktemp("vuln")
    # an empty data folder: the shipped pack alone decides, whatever this host imported
    env = {**os.environ, "CAMCENSUS_DATA_DIR": str(work / "data")}
    db = work / "inv.db"
    done = _run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         LAB_TARGET, "--scope", "lab", "--db", str(db), "--json", "-q"],
        env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    devices = {d["model"]: d for d in json.loads(done.stdout)["devices"]}
    assert set(devices) >= {IN_RANGE, OUTSIDE}
    return devices, db, env


def test_the_lab_camera_in_range_is_affected_with_its_kev_date(
    scanned: tuple[dict[str, Any], Path, dict[str, str]],
) -> None:
    device = scanned[0][IN_RANGE]
    vulns = device["identification"]["vulnerabilities"]
    assert vulns["level"] == "affected"
    assert vulns["firmware"].replace(" ", "") == "V5.4.1build160525"
    assert vulns["firmware_source"].split(" ")[0] in ("SADP", "ONVIF")
    (finding,) = [f for f in vulns["findings"] if f["cve"] == "CVE-2017-7921"]
    assert finding["level"] == "affected"
    assert finding["kev_date"] == KEV_2017_7921
    assert finding["pack_date"] == vulns["pack_date"] != ""
    assert device["vulnerability"] == "affected (version in range)"
    # the scan JSON carries the origin facts too, from what the camera said
    origin = device["identification"]["origin"]
    assert origin["hardware_maker"]["name"] == origin["firmware_developer"]["name"] == "Hikvision"
    assert device["firmware_developer"] == "Hikvision (CN)"
    assert origin["owners"][0]["owner_country"] == "CN"
    assert any(
        line.startswith("CVE-2017-7921: affected") and f"KEV since {KEV_2017_7921}" in line
        for line in device["cves"]
    )


def test_the_lab_camera_outside_every_range_is_not_matched(
    scanned: tuple[dict[str, Any], Path, dict[str, str]],
) -> None:
    device = scanned[0][OUTSIDE]
    assert device["identification"]["vulnerabilities"]["level"] == "not-matched"
    assert device["cves"] == []


def test_identify_on_the_scans_evidence_alone_says_the_same(
    scanned: tuple[dict[str, Any], Path, dict[str, str]], tmp_path: Path
) -> None:
    devices, _db, env = scanned
    for model, level in ((IN_RANGE, "affected"), (OUTSIDE, "not-matched")):
        evidence: dict[str, list[str]] = {}
        for ev in devices[model]["evidence"]:
            evidence.setdefault(ev["key"], []).append(ev["value"])
        path = tmp_path / f"{model}.json"
        path.write_text(json.dumps(evidence), encoding="utf-8")
        done = _run([sys.executable, "-m", "camcensus", "identify", str(path), "--no-chain"], env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["vulnerabilities"]["level"] == level
    text = _run([sys.executable, "-m", "camcensus", "identify", "--text",
                 str(tmp_path / f"{IN_RANGE}.json")], env)  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "CVE-2017-7921: affected (version in range)" in text.stdout
    assert f"KEV since {KEV_2017_7921} (data pack of " in text.stdout


def test_the_csv_carries_origin_and_vulnerable_firmware(
    scanned: tuple[dict[str, Any], Path, dict[str, str]],
) -> None:
    _devices, db, env = scanned
    done = _run([sys.executable, "-m", "camcensus", "export", "--db", str(db), "--csv", "-"], env)
    assert done.returncode == 0, done.stderr
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(done.stdout))}
    row = rows[IN_RANGE]
    assert row["hardware_maker"] == "Hikvision (CN)"
    assert row["firmware_developer"] == "Hikvision (CN)"
    assert "CETHIK" in row["owner"]
    assert row["vulnerability"] == "affected (version in range)"
    assert "CVE-2017-7921: affected" in row["cves"]
    assert rows[OUTSIDE]["vulnerability"] == "not matched"
