"""The TUI detail view shows a device's origin facts and vulnerable-firmware answer, as
``identify`` made them from its evidence (a Hikvision DS-2CD2142FWD-IS on V5.4.1 build
160525, in the published CVE-2017-7921 range), with device strings escaped."""

from __future__ import annotations

import dataclasses

from builders import make_record

from camcensus.base.evidence import Evidence
from camcensus.tui.detail import detail_text
from camcensus.vendor_db import identify

EVIDENCE = (
    Evidence("sadp.model", "DS-2CD2142FWD-IS", "sadp", "198.18.0.5"),
    Evidence("sadp.firmware", "V5.4.1build 160525", "sadp", "198.18.0.5"),
    Evidence("sadp.oem_info", "HiLook", "sadp", "198.18.0.5"),
)


def test_the_detail_view_shows_origin_and_vulnerable_firmware() -> None:
    record = make_record(5)
    device = dataclasses.replace(
        record.device, identification=identify(EVIDENCE), evidence=EVIDENCE
    )
    text = detail_text(dataclasses.replace(record, device=device)).plain
    assert "Hardware maker: Hikvision (CN)" in text
    assert "Firmware developer: Hikvision (CN)" in text
    assert "Brand: HiLook" in text
    assert "Owner: Hikvision: China Electronics Technology HIK Group (CETHIK)" in text
    assert "Level: affected (version in range)" in text
    assert "From: SADP (sadp.firmware)" in text
    assert "CVE-2017-7921: affected (version in range)" in text
    assert "KEV since 2026-03-05 (data pack of 2026-12-02)" in text


def test_a_device_without_matches_says_so() -> None:
    text = detail_text(make_record(6)).plain
    assert "(no CVE of the data pack matched)" in text
    assert "Firmware developer: unknown" in text  # the builder's identification has none
