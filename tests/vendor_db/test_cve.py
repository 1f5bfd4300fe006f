"""Vulnerable firmware by version comparison (issue 14): the shipped pack's rules, the
three levels, KEV marks with the pack's date, where the version came from, and the
parsers of the three downloads (samples in tests/fixtures/cve, written from the schemas).

The ranges below are the published ones (NVD CVE-2017-7921, from ICSA-17-124-01:
DS-2CD2xx2FWD Series V5.3.1 build 150410 to V5.4.4 build 161125; a real DS-2CD2142FWD-IS
on V5.4.1 build 160525 per rapid7/metasploit-framework's module documentation), not read
off the pack.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.cli import main
from camcensus.vendor_db import evidence_from_mapping, identify, load_vendors
from camcensus.vendor_db.cve import (
    FirmwareVersion,
    VulnReport,
    default_cve_pack,
    load_cve_pack,
    match_device,
    parse_euvd,
    parse_firmware,
    parse_kev,
    parse_nvd,
    read_json_file,
)

DOWNLOADS = Path(__file__).parents[1] / "fixtures" / "cve" / "download"
PACK_DATE = "2026-12-02"


def _report(evidence: dict[str, str]) -> VulnReport:
    return identify(evidence_from_mapping(evidence)).vulnerabilities


def _finding(report: VulnReport, cve: str) -> object:
    return next((f for f in report.findings if f.cve_id == cve), None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("V5.4.1 build 160525", FirmwareVersion((5, 4, 1), 160525)),
        ("V5.3.0build 151016", FirmwareVersion((5, 3, 0), 151016)),
        ("2.800.0000000.29.R.210630", FirmwareVersion((2, 800, 0, 29), 210630)),
        ("2.800.0000000.26.R", FirmwareVersion((2, 800, 0, 26), None)),
        ("SDC 8.1.0.SPC100", FirmwareVersion((8, 1, 0), None)),
        ("unknown", None),
        ("", None),
    ],
)
def test_firmware_strings_parse(raw: str, expected: FirmwareVersion | None) -> None:
    assert parse_firmware(raw) == expected


def test_a_hikvision_firmware_in_the_cve_2017_7921_range_is_affected_with_its_kev_date() -> None:
    report = _report({"sadp.model": "DS-2CD2142FWD-IS", "sadp.firmware": "V5.4.1build 160525"})
    assert report.level == "affected"
    assert report.firmware_source == "SADP (sadp.firmware)"
    finding = _finding(report, "CVE-2017-7921")
    assert finding is not None
    assert finding.level == "affected"
    assert finding.family == "DS-2CD2xx2FWD Series"
    assert finding.kev_date == "2026-03-05"
    assert finding.pack_date == PACK_DATE
    assert finding.kev_text == f"KEV since 2026-03-05 (data pack of {PACK_DATE})"
    assert "https://nvd.nist.gov/vuln/detail/CVE-2017-7921" in finding.sources


@pytest.mark.parametrize(
    ("firmware", "in_range"),
    [
        ("V5.3.1 build 150410", True),  # first affected build
        ("V5.4.4 build 161125", True),  # last affected build
        ("V5.3.1 build 150409", False),  # one day earlier
        ("V5.4.4 build 161126", False),  # one day later
        ("V5.4.5 build 170124", False),  # a later release
        ("V5.3.0 build 151016", False),  # before the series' range
    ],
)
def test_the_range_bounds_are_inclusive(firmware: str, in_range: bool) -> None:
    report = _report({"onvif.model": "DS-2CD2142FWD-IS", "onvif.firmware": firmware})
    finding = _finding(report, "CVE-2017-7921")
    assert (finding is not None) == in_range
    assert report.firmware_source == "ONVIF (onvif.firmware)"


def test_outside_the_range_is_not_matched() -> None:
    report = _report({"sadp.model": "DS-2CD2143G2-I", "sadp.firmware": "V5.7.3build 220112"})
    assert report.level == "not-matched"
    assert report.findings == ()
    assert report.text == "not matched"


def test_no_version_is_model_listed_check_the_advisory() -> None:
    report = _report({"isapi.model": "DS-2CD2142FWD-IS"})
    assert report.level == "model-listed"
    assert report.firmware is None
    finding = _finding(report, "CVE-2017-7921")
    assert finding is not None
    assert finding.level == "model-listed"
    assert "firmware not known" in finding.why
    assert report.text == "model listed, version unknown: check the advisory"


def test_another_maker_is_never_matched_on_a_model_string() -> None:
    report = match_device(default_cve_pack(), "Axis", "DS-2CD2142FWD-IS", "V5.4.1 build 160525")
    assert report.level == "not-matched"


def test_dahua_cve_2021_33044_by_build() -> None:
    pack = default_cve_pack()
    # no build date: NVD's version bound decides 33044; Dahua's 33045 statement is by build
    # date only, so that one stays "check the advisory"
    old = match_device(pack, "Dahua", "IPC-HDW3441T-ZAS", "2.800.0000000.26.R", "DHIP")
    levels = {f.cve_id: f.level for f in old.findings}
    assert levels == {"CVE-2021-33044": "affected", "CVE-2021-33045": "model-listed"}
    assert all(f.kev_date == "2024-08-21" for f in old.findings)
    fixed = match_device(pack, "Dahua", "IPC-HDW3441T-ZAS", "2.800.0000000.29.R.210630")
    assert fixed.level == "not-matched"


def test_dahua_records_build_times_per_family() -> None:
    """Dahua's own CVE records: 33044 'Buildtime before June, 2021' over cameras, intercoms,
    PTZ and thermal; 33045 before May 2020 for cameras, before December 2019 for recorders."""
    pack = default_cve_pack()
    camera = match_device(pack, "Dahua", "IPC-HFW5442E-ZE", "V2.820.0000000.10.R.200305")
    assert {f.cve_id: f.level for f in camera.findings} == {
        "CVE-2021-33044": "affected",
        "CVE-2021-33045": "affected",
    }
    camera_2021 = match_device(pack, "Dahua", "DH-IPC-HFW5442E-ZE", "V2.820.0000000.12.R.210301")
    assert {f.cve_id for f in camera_2021.findings} == {"CVE-2021-33044"}
    ptz = match_device(pack, "Dahua", "SD49225XA-HNR", "V2.623.0000000.4.R.200708")
    assert {f.cve_id for f in ptz.findings} == {"CVE-2021-33044"}
    nvr = match_device(pack, "Dahua", "DH-NVR5216-4KS2", "V4.001.0000000.3.R.190815")
    assert {f.cve_id for f in nvr.findings} == {"CVE-2021-33045"}
    late_nvr = match_device(pack, "Dahua", "DH-NVR5216-4KS2", "V4.001.0000000.3.R.200110")
    assert late_nvr.level == "not-matched"
    unlisted = match_device(pack, "Dahua", "NVR4108HS-8P", "V4.001.0000000.3.R.190815")
    assert unlisted.level == "not-matched"  # NVR4xxx is in neither record


def test_cve_2021_36260_by_build_date() -> None:
    pack = default_cve_pack()
    before = match_device(pack, "Hikvision", "DS-2CD2143G2-I", "V5.5.800 build 210601")
    assert _finding(before, "CVE-2021-36260") is not None
    fixed = match_device(pack, "Hikvision", "DS-2CD2143G2-I", "V5.5.800 build 210628")
    assert _finding(fixed, "CVE-2021-36260") is None
    undated = match_device(pack, "Hikvision", "DS-2CD2143G2-I", "V5.5.800")
    assert undated.level == "model-listed"  # a version without a build date


def test_cve_2021_36260_follows_the_advisory_table() -> None:
    """HSRC-202109-01: cameras and PTZ before build 210625, thermal before 210702, two
    recorder lines by version range; a model the table does not list is not matched."""
    pack = default_cve_pack()

    def level(model: str, firmware: str) -> str | None:
        finding = _finding(match_device(pack, "Hikvision", model, firmware), "CVE-2021-36260")
        return None if finding is None else finding.level

    assert level("DS-2CD2143G2-I", "V5.5.800 build 210624") == "affected"
    assert level("DS-2CD2143G2-I", "V5.5.800 build 210625") is None
    assert level("DS-2DE4425IW-DE", "V5.6.11 build 190426") == "affected"
    assert level("HWI-B120H-M", "V5.5.82 build 190909") == "affected"  # HiWatch
    assert level("DS-2TD2617-10/PA", "V5.5.20 build 210630") == "affected"  # thermal: 210702
    assert level("DS-2TD2617-10/PA", "V5.5.20 build 210702") is None
    assert level("DS-7608NI-K1/8P", "V4.30.210 build 210101") == "affected"
    assert level("DS-7608NI-K1/8P", "V4.31.005 build 210801") is None
    assert level("DS-7608NI-K1/8P", "V4.30.085 build 200916") is None  # before the range
    assert level("DS-2CD2142FWD-IS", "V5.4.1 build 160525") is None  # not in the table


def test_a_white_label_is_matched_on_its_maker() -> None:
    # HiLook is a Hikvision brand: the Hikvision rule applies to the device, not the label
    report = _report(
        {"sadp.oem_info": "HiLook", "sadp.model": "DS-2CD2142FWD-IS", "sadp.firmware": "V5.4.1"}
    )
    assert _finding(report, "CVE-2017-7921") is not None


def test_the_nvd_parser_keeps_camera_firmware_ranges() -> None:
    pack = parse_nvd(read_json_file(DOWNLOADS / "nvdcve-2.0-sample.json"), load_vendors(), "x")
    assert set(pack.entries) == {"CVE-2021-33044", "CVE-2099-0001"}  # Apache left out
    assert pack.date == "2026-11-29"
    (rule,) = pack.entries["CVE-2099-0001"].rules
    assert (rule.maker, rule.from_version, rule.to_version) == ("Hikvision", "5.2.0", "5.4.0")
    assert rule.model_matches("DS-2CD2032-I")
    assert not rule.model_matches("DS-2CD2032-IS")
    (dahua,) = pack.entries["CVE-2021-33044"].rules
    assert dahua.maker == "Dahua"
    assert dahua.to_excluding == "2.800.0000000.29.r.210630"


def test_the_kev_parser_dates_marks_by_the_catalogue() -> None:
    pack = parse_kev(read_json_file(DOWNLOADS / "known_exploited_vulnerabilities.json"))
    assert pack.date == "2026-11-30"
    kev = pack.entries["CVE-2017-7921"].kev
    assert kev is not None
    assert (kev.date_added, kev.due_date) == ("2026-03-05", "2026-03-26")


def test_the_euvd_parser_reads_ids_and_exploitation() -> None:
    pack = parse_euvd(read_json_file(DOWNLOADS / "euvd-sample.json"), "2026-12-01")
    entry = pack.entries["CVE-2021-36260"]
    assert (entry.euvd_id, entry.euvd_exploited_since) == ("EUVD-2021-0001", "2022-01-10")


@pytest.mark.parametrize(
    "doc",
    [{"vulnerabilities": "nope"}, {"catalogVersion": "1", "vulnerabilities": []}, [1, 2], {}],
)
def test_a_malformed_download_is_a_clear_error(doc: object) -> None:
    from camcensus.vendor_db.cve import detect_and_parse

    with pytest.raises(VendorDataError):
        detect_and_parse(doc, load_vendors(), "2026-12-01")


def test_data_update_stores_a_pack_every_reader_sees(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "cve"
    assert main(["data", "update", "--from", str(DOWNLOADS), "--data-dir", str(store)]) == 0
    out = capsys.readouterr().out
    assert "CISA KEV" in out
    assert "NVD CVE 2.0" in out
    assert "ENISA EUVD" in out
    pack = load_cve_pack([store])
    assert pack.date == "2026-11-30"  # the newest download: the KEV catalogue's release
    assert pack.origin == "imported"
    # the shipped advisory rules stay; the NVD entry is added with the KEV mark of the download
    assert pack.entries["CVE-2017-7921"].rules[0].origin == "advisory"
    test = match_device(pack, "Hikvision", "DS-2CD2032-I", "V5.3.0 build 150101")
    finding = _finding(test, "CVE-2099-0001")
    assert finding is not None
    assert finding.kev_text == "KEV since 2026-11-30 (data pack of 2026-11-30)"
    assert pack.entries["CVE-2021-36260"].euvd_id == "EUVD-2021-0001"


def test_data_update_writes_nothing_when_a_file_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    downloads = tmp_path / "dl"
    shutil.copytree(DOWNLOADS, downloads)
    (downloads / "zz-broken.json").write_text("{not json", encoding="utf-8")
    store = tmp_path / "cve"
    assert main(["data", "update", "--from", str(downloads), "--data-dir", str(store)]) == 2
    assert "zz-broken.json" in capsys.readouterr().err
    assert not store.exists()


def test_the_data_dir_follows_the_oui_pattern(tmp_path: Path) -> None:
    from camcensus.vendor_db.oui import data_dir, read_dirs

    assert data_dir("cve", {"CAMCENSUS_DATA_DIR": str(tmp_path)}) == tmp_path / "cve"
    assert data_dir("cve", {"HOME": str(tmp_path)}, system=True) == Path("/var/lib/camcensus/cve")
    assert read_dirs("cve", {"HOME": str(tmp_path)}) == (
        tmp_path / ".local" / "share" / "camcensus" / "cve",
        Path("/var/lib/camcensus/cve"),
    )


def test_identify_text_shows_the_kev_mark_with_the_pack_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"sadp.model": "DS-2CD2142FWD-IS", "sadp.firmware": "V5.4.1"}))
    assert main(["identify", "--text", str(path)]) == 0
    out = capsys.readouterr().out
    assert "vulnerable firmware affected (version in range)" in out
    assert "CVE-2017-7921: affected (version in range)" in out
    assert f"KEV since 2026-03-05 (data pack of {PACK_DATE})" in out


@pytest.mark.parametrize(
    "doc",
    [
        {"schema": 1, "date": "2026-01-01", "cve": [{"id": "CVE-2020-0001", "rule": "x"}]},
        {"schema": 1, "date": "2026-01-01", "cve": [{"id": "CVE-2020-0001", "rule": [1]}]},
        {"schema": 1, "date": "2026-01-01", "cve": [{"id": "CVE-2020-0001", "sources": 5}]},
        {"schema": 1, "date": "2026-01-01", "cve": [{"id": "CVE-2020-0001", "kev": "yes"}]},
        {"schema": 1, "date": "2026-01-01",
         "cve": [{"id": "CVE-2020-0001", "rule": [{"maker": "Hikvision", "family": "f",
                                                   "model": "(", "sources": []}]}]},
        {"schema": 1, "date": "2026-01-01",
         "cve": [{"id": "CVE-2020-0001", "rule": [{"maker": "Hikvision", "family": "f",
                                                   "model": "^DS", "to": "no version"}]}]},
        {"schema": 2, "date": "2026-01-01"},
        {"schema": 1, "date": "yesterday"},
        {"schema": 1, "date": "2026-01-01", "cve": [{"id": "not a cve"}]},
    ],
)  # fmt: skip
def test_a_damaged_stored_pack_is_refused_with_a_clear_error(doc: dict[str, object]) -> None:
    from camcensus.vendor_db.cve import pack_from_dict

    with pytest.raises(VendorDataError):
        pack_from_dict(doc)


def test_a_damaged_stored_pack_costs_only_the_import(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "pack.json").write_text('{"schema": 1, "date": "2026-01-01", "cve": 7}')
    pack = load_cve_pack([tmp_path])
    assert pack.origin == "shipped"
    assert "CVE-2017-7921" in pack.entries
    assert "CVE data" in caplog.text


@pytest.mark.parametrize(
    "doc",
    [
        {"format": "NVD_CVE", "vulnerabilities": [{"cve": {"id": "CVE-2020-0001",
         "configurations": [["x"], {"nodes": [7, {"cpeMatch": [None, {"vulnerable": True,
         "criteria": 12}]}]}], "descriptions": "oops"}}]},
        {"items": [{"id": "EUVD-1", "aliases": [None, 3], "exploitedSince": {}}]},
    ],
)  # fmt: skip
def test_odd_shapes_in_a_download_are_skipped_not_crashed_on(doc: object) -> None:
    from camcensus.vendor_db.cve import detect_and_parse

    _kind, pack = detect_and_parse(doc, load_vendors(), "2026-12-01")
    assert all(not e.rules for e in pack.entries.values())


def test_a_downloaded_file_nested_past_the_parsers_depth_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "kev.json"
    deep.write_text("[" * 100_000)
    with pytest.raises(VendorDataError, match="cannot read JSON"):
        read_json_file(deep)
