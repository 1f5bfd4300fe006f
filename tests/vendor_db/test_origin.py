"""Origin facts per device (issue 14): hardware maker, firmware developer, brand and the
owners' chain, each with its basis and sources; unknown stays unknown; and the verdict of
a white-label device under nl-cybercheck, us-ndaa-889 and uk-wms-2022.

The truth below is written from /work/shared/research/vendor-origin.md (section 3: Amcrest
is Dahua-made, firmware OEM code AC, owner Amcrest Technologies LLC, US; HiSilicon is a
Huawei SoC subsidiary whose reference firmware many no-name DVRs run) and from the policy
files' sources, not read off the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from camcensus.cli import main
from camcensus.vendor_db import Policy, evidence_from_mapping, identify
from camcensus.vendor_db.identify import Identification

AMCREST = {  # the lab's Amcrest IP4M-1041B: DHIP names the label, the firmware is Dahua's
    "dhip.vendor": "Amcrest",
    "dhip.device_type": "IP4M-1041B",
    "dhip.firmware": "2.800.00AC000.0.R",
}
AMCREST_LABEL_ONLY = {"onvif.manufacturer": "Amcrest"}
HISILICON_NONAME = {"http.server": "Cross Web Server"}  # recog: HiSilicon SDK DVR web server
HIK_MAC_ONLY = {"mac": "bc:ad:28:00:00:01"}  # IEEE MA-L BC:AD:28 = Hikvision
UNKNOWN_LABEL = {"onvif.manufacturer": "Zorblax Vision"}


def _ident(evidence: dict[str, str], policy: str = "nl-cybercheck") -> Identification:
    return identify(evidence_from_mapping(evidence), Policy.named(policy))


def test_a_white_label_device_names_maker_firmware_developer_brand_and_owners() -> None:
    origin = _ident(AMCREST).origin
    assert (origin.hardware_maker.name, origin.hardware_maker.country) == ("Dahua", "CN")
    assert (origin.firmware_developer.name, origin.firmware_developer.country) == ("Dahua", "CN")
    assert (origin.brand.name, origin.brand.country) == ("Amcrest", "US")
    assert "dhip.firmware" in origin.firmware_developer.basis
    assert "OEM of Amcrest" in origin.hardware_maker.basis
    owners = {link.vendor: link for link in origin.owners}
    assert owners["Amcrest"].owner_country == "US"
    assert owners["Dahua"].owner_country == "CN"
    # each fact cites the vendor table's sources (aiodahua documents the OEM code)
    assert "https://github.com/brianegge/aiodahua" in origin.hardware_maker.sources
    assert "https://github.com/tchellomello/python-amcrest" in origin.brand.sources
    assert all(link.sources for link in origin.owners)


def test_nl_cybercheck_says_it_judged_the_firmware_developer_the_others_do_not() -> None:
    (reason,) = _ident(AMCREST).flag.reasons
    assert reason.endswith("; also the firmware developer [policy nl-cybercheck]")
    for policy in ("us-ndaa-889", "uk-wms-2022"):  # maker only
        assert all("firmware" not in r for r in _ident(AMCREST, policy).flag.reasons)


def test_a_label_alone_takes_the_documented_oem_as_firmware_developer() -> None:
    fw = _ident(AMCREST_LABEL_ONLY).origin.firmware_developer
    assert fw.name == "Dahua"
    assert fw.basis.startswith("documented OEM of brand Amcrest")


def test_hisilicon_sdk_firmware_names_the_soc_vendor_and_only_nl_cybercheck_judges_it() -> None:
    ident = _ident(HISILICON_NONAME)
    assert ident.origin.hardware_maker.name is None  # no evidence names the maker
    assert ident.origin.hardware_maker.label == "unknown"
    fw = ident.origin.firmware_developer
    assert (fw.name, fw.country) == ("HiSilicon", "CN")
    assert fw.basis.startswith("SoC/SDK vendor")
    # Cybercheck asks who develops the firmware: possible (an SDK banner is all there is)
    assert ident.flag.level == "possible"
    assert ident.flag.reasons[0].startswith("firmware developer HiSilicon:")
    # NDAA 889 and the UK statement judge the maker only, and it is unknown
    assert _ident(HISILICON_NONAME, "us-ndaa-889").flag.level == "no"
    assert _ident(HISILICON_NONAME, "uk-wms-2022").flag.level == "no"


def test_unknown_is_shown_as_unknown_never_guessed() -> None:
    fw = _ident(HIK_MAC_ONLY).origin.firmware_developer  # a NIC's maker is no firmware
    assert fw.name is None
    assert fw.label == "unknown"
    ident = _ident(UNKNOWN_LABEL)
    assert ident.origin.hardware_maker.name == "Zorblax Vision"
    assert ident.origin.hardware_maker.country is None
    assert ident.origin.hardware_maker.label == "Zorblax Vision (country unknown)"
    assert ident.origin.owners == ()


def test_origin_survives_the_json_round_trip() -> None:
    ident = _ident(AMCREST)
    again = Identification.from_dict(json.loads(json.dumps(ident.to_dict())))
    assert again.origin == ident.origin
    assert again.vulnerabilities == ident.vulnerabilities


def test_an_identification_written_before_origin_facts_reads_as_unknown() -> None:
    old = _ident(AMCREST).to_dict()
    del old["origin"], old["vulnerabilities"]
    again = Identification.from_dict(old)
    assert again.origin.firmware_developer.label == "unknown"
    assert again.vulnerabilities.level == "not-matched"


@pytest.fixture
def amcrest_file(tmp_path: Path) -> Path:
    path = tmp_path / "amcrest.json"
    path.write_text(json.dumps(AMCREST), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("policy", "verdict", "reason"),
    [
        # Cybercheck: maker, owner and firmware developer from CN: Dahua is all three
        ("nl-cybercheck", "FLAGGED", "Dahua: owner Zhejiang Dahua"),
        # NDAA 889: equipment produced by Dahua, whatever the label
        ("us-ndaa-889", "FLAGGED", "Dahua: named in NDAA FY2019 sec. 889"),
        # UK statement: produced by a company subject to the PRC National Intelligence Law
        ("uk-wms-2022", "FLAGGED", "Dahua: HQ CN"),
    ],
)
def test_identify_text_of_a_us_owned_brand_with_chinese_firmware(
    amcrest_file: Path,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    verdict: str,
    reason: str,
) -> None:
    assert main(["identify", "--text", str(amcrest_file), "--policy", policy]) == 0
    out = capsys.readouterr().out
    assert "hardware maker     Dahua (CN)" in out
    assert "firmware developer Dahua (CN)" in out
    assert "brand              Amcrest (US)" in out
    assert "Amcrest: Amcrest Technologies LLC (private) (US)" in out  # the owner is not Chinese
    assert "https://github.com/brianegge/aiodahua" in out  # sources
    assert f"verdict            {verdict} under {policy}" in out
    assert f"  reason: {reason}" in out
    assert f"[policy {policy}]" in out


def test_identify_json_carries_the_origin(
    amcrest_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["identify", "--json", "--no-chain", str(amcrest_file)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["origin"]["firmware_developer"]["name"] == "Dahua"
    assert doc["origin"]["brand"]["country"] == "US"
    assert {o["vendor"] for o in doc["origin"]["owners"]} == {"Dahua", "Amcrest"}


def test_the_soc_sdk_vendor_is_named_beside_a_firmware_developer() -> None:
    # a Xiongmai board id (HiSilicon SoC + XM board code; OpenIPC/python-dvr README) on NetIP
    origin = _ident({"netip.hardware": "HI3516EV300_85H50AI"}).origin
    assert origin.firmware_developer.name == "Xiongmai"
    assert origin.sdk is not None
    assert (origin.sdk.name, origin.sdk.country) == ("HiSilicon", "CN")
    assert _ident(AMCREST).origin.sdk is None
