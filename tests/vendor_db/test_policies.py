"""The named policies: each loads with its sources, and judges known devices as its
source says (the truth below is written from the sources each policy file cites and
from /work/shared/research, not read off the code)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db import Policy, evidence_from_mapping, identify, load_vendors
from camcensus.vendor_db.policy import (
    DEFAULT_POLICY,
    FIRMWARE_UNKNOWN,
    JUDGED_FACTS,
    POLICY_STATUSES,
    FlagDecision,
)

NAMES = (
    "eu-csa2-proposal",
    "nl-cybercheck",
    "uk-wms-2022",
    "us-dod-1260h",
    "us-entity-list",
    "us-fcc-covered",
    "us-ndaa-889",
)

# Evidence of one device each; what identifies it is tested in test_identify.py.
HIKVISION = {"http.server": "App-webs/"}
HILOOK = {"onvif.manufacturer": "HiLook", "http.server": "App-webs/"}  # Hikvision brand
EZVIZ = {"onvif.manufacturer": "EZVIZ"}  # Hikvision subsidiary
LTS = {"onvif.manufacturer": "LTS", "http.server": "App-webs/"}  # US label, Hikvision web server
AMCREST = {"onvif.manufacturer": "Amcrest"}  # US brand, Dahua-made (firmware OEM code AC)
UNIVIEW = {"onvif.manufacturer": "Uniview"}  # Chinese maker; Entity List since 2024-12 (reported)
AXIS = {"mdns.service": "_axis-video._tcp.local."}  # Swedish maker, owner Canon (JP)

# Which policies flag which device, from the sources:
# - nl-cybercheck: maker or controlling owner from CN/RU/IR/KP (Cybercheck, 2024-04-18)
# - us-ndaa-889: equipment produced by Huawei, ZTE, Hytera, Hikvision, Dahua (sec. 889(f)(3))
# - us-fcc-covered: the same five, on the Covered List since 2021-03-12
# - us-entity-list: Hikvision and Dahua effective 2019-10-09; Uniview reported added 2024-12-10
# - us-dod-1260h: Hikvision and Dahua in the 2026-06-08 edition; Uniview not in it
# - uk-wms-2022: produced by companies subject to the PRC National Intelligence Law
# - eu-csa2-proposal: no high-risk country designated yet, so nothing
MAKER_OF_CONCERN = {n for n in NAMES if n != "eu-csa2-proposal"}
TRUTH: dict[str, tuple[dict[str, str], set[str]]] = {
    "Hikvision": (HIKVISION, MAKER_OF_CONCERN),
    "HiLook label": (HILOOK, MAKER_OF_CONCERN),
    "Ezviz label": (EZVIZ, MAKER_OF_CONCERN),
    "LTS label on a Hikvision": (LTS, MAKER_OF_CONCERN),
    "Amcrest label on a Dahua": (AMCREST, MAKER_OF_CONCERN),
    "Uniview": (UNIVIEW, {"nl-cybercheck", "uk-wms-2022", "us-entity-list"}),
    "Axis": (AXIS, set()),
}


def _decide(evidence: dict[str, Any], name: str) -> FlagDecision:
    return identify(evidence_from_mapping(evidence, "test"), Policy.named(name)).flag


def test_the_named_policies_ship_and_nl_cybercheck_is_the_default() -> None:
    assert Policy.names() == NAMES
    assert DEFAULT_POLICY == "nl-cybercheck"
    assert Policy.default() is Policy.named("nl-cybercheck")


@pytest.mark.parametrize("name", NAMES)
def test_each_named_policy_says_what_it_is_and_cites_a_source(name: str) -> None:
    policy = Policy.named(name)
    assert policy.name == name
    assert policy.title
    assert policy.scope
    assert policy.interpretation
    assert policy.status in POLICY_STATUSES
    assert policy.date[:4].isdigit()
    assert set(policy.judges) <= set(JUDGED_FACTS)
    assert policy.sources
    assert all(s.urls or not s.verified for s in policy.sources)
    assert len(policy.sha256) == 64
    described = policy.to_dict()
    assert described["name"] == name
    assert described["default"] is (name == "nl-cybercheck")


def test_statuses_dates_and_rules_follow_the_sources() -> None:
    got = {
        n: (p.status, p.date, sorted(p.countries), p.lists) for n in NAMES if (p := Policy.named(n))
    }
    assert got == {
        "nl-cybercheck": ("guidance", "2024-04-18", ["CN", "IR", "KP", "RU"], ()),
        "us-ndaa-889": ("law", "2018-08-13", [], ("ndaa_889",)),
        "us-fcc-covered": ("regulation", "2021-03-12", [], ("fcc_covered",)),
        "us-entity-list": ("regulation", "2019-10-09", [], ("entity_list",)),
        "us-dod-1260h": ("regulation", "2026-06-08", [], ("dod_1260h",)),
        "uk-wms-2022": ("guidance", "2022-11-24", ["CN"], ()),
        "eu-csa2-proposal": ("proposal", "2026-01-20", [], ()),
    }


def test_the_facts_each_policy_judges() -> None:
    judges = {n: Policy.named(n).judges for n in NAMES}
    assert judges["nl-cybercheck"] == ("maker", "owner", "firmware_developer")
    assert judges["eu-csa2-proposal"] == ("maker", "owner")  # established in, owned/controlled
    assert judges["uk-wms-2022"] == ("maker",)  # "produced by companies subject to ..."
    for name in ("us-ndaa-889", "us-fcc-covered", "us-entity-list", "us-dod-1260h"):
        assert judges[name] == ("maker",)
    assert not any("brand" in j for j in judges.values())  # the label is never what counts


@pytest.mark.parametrize("device", sorted(TRUTH))
@pytest.mark.parametrize("name", NAMES)
def test_known_devices_under_each_policy(device: str, name: str) -> None:
    evidence, flagged_under = TRUTH[device]
    decision = _decide(evidence, name)
    assert decision.flagged is (name in flagged_under), decision
    assert decision.policy == name
    for reason in decision.reasons[:1]:
        assert reason.endswith(f"[policy {Policy.named(name).label}]")


def test_a_white_label_is_judged_on_its_maker() -> None:
    amcrest = _decide(AMCREST, "nl-cybercheck")  # US brand owner, Dahua-made
    assert amcrest.reasons[0].startswith("Dahua: owner ")
    assert not any(r.startswith("Amcrest") for r in amcrest.reasons)
    lts = _decide(LTS, "us-ndaa-889")
    assert lts.reasons[0] == "Hikvision: named in NDAA FY2019 sec. 889 [policy us-ndaa-889]"
    uk = _decide(HILOOK, "uk-wms-2022")
    assert uk.reasons == ("Hikvision: HQ CN [policy uk-wms-2022]",)


def test_list_policies_give_the_list_date_and_source() -> None:
    fcc = _decide(HIKVISION, "us-fcc-covered")
    assert (
        fcc.reasons[0] == "Hikvision: on FCC Covered List since 2021-03-12 [policy us-fcc-covered]"
    )
    assert "https://www.fcc.gov/supplychain/coveredlist" in fcc.sources
    entity = _decide(HIKVISION, "us-entity-list")
    assert "since 2019-10-09" in entity.reasons[0]
    assert "https://federalregister.gov/d/2019-22210" in entity.sources


def test_vendor_level_truth_from_the_lists() -> None:
    table = load_vendors()
    # ZTE: removed from the Entity List 2017-03-29, not in the 2026 1260H edition; in 889
    zte = table["ZTE"]
    assert Policy.named("us-ndaa-889").vendor_hits(zte)
    assert not Policy.named("us-entity-list").vendor_hits(zte)
    assert not Policy.named("us-dod-1260h").vendor_hits(zte)
    assert Policy.named("uk-wms-2022").vendor_hits(zte)  # a Chinese company
    for name in NAMES:
        assert not Policy.named(name).vendor_hits(table["Axis Communications"]), name


def test_an_unknown_firmware_developer_is_said_to_be_not_judged() -> None:
    # a Hikvision web server is Hikvision firmware: judged; a MAC block names the NIC's
    # maker only, so nothing names the firmware developer there
    mac_only = {"mac": "bc:ad:28:00:00:01"}  # IEEE MA-L BC:AD:28 = Hikvision
    assert FIRMWARE_UNKNOWN not in _decide(HIKVISION, "nl-cybercheck").not_judged
    assert FIRMWARE_UNKNOWN in _decide(mac_only, "nl-cybercheck").not_judged
    assert FIRMWARE_UNKNOWN not in _decide(mac_only, "uk-wms-2022").not_judged  # maker only


def test_eu_csa2_is_a_proposal_that_flags_nothing_yet() -> None:
    policy = Policy.named("eu-csa2-proposal")
    assert policy.status == "proposal"
    assert policy.label == "eu-csa2-proposal (proposal)"
    assert "not law" in policy.title
    decision = _decide(HIKVISION, "eu-csa2-proposal")
    assert decision.level == "no"
    assert any("no high-risk country is designated" in n for n in decision.not_judged)


def test_a_copy_with_a_designation_flags_as_a_proposal() -> None:
    shipped = Policy.named("eu-csa2-proposal")
    raw = (
        files("camcensus.vendor_db")
        .joinpath("data", "policies", "eu-csa2-proposal.toml")
        .read_text(encoding="utf-8")
    )
    what_if = Policy.load(raw.replace("countries = []", 'countries = ["CN"]', 1))
    decision = identify(evidence_from_mapping(HIKVISION, "test"), what_if).flag
    assert decision.flagged
    assert decision.reasons[0].endswith("[policy eu-csa2-proposal (proposal)]")
    assert what_if.sha256 != shipped.sha256


def test_flag_decisions_keep_the_policy_through_json() -> None:
    decision = _decide(HIKVISION, "nl-cybercheck")
    assert FlagDecision.from_dict(decision.to_dict()) == decision
    old = {"flagged": True, "reasons": ["x"], "list_status": "", "sources": []}
    assert FlagDecision.from_dict(old).policy == ""  # written before named policies


_NAMED = """
name = "x-test"
title = "A test policy"
status = "guidance"
date = "2026-01-01"
scope = "tests"
judges = ["maker"]
countries = ["CN"]
lists = []
[source.T]
text = "a test source"
urls = ["https://example.invalid/"]
date = "2026-01-01"
supports = ["title", "status", "date", "scope", "judges", "countries", "lists"]
"""


def test_a_well_formed_named_policy_loads() -> None:
    policy = Policy.load(_NAMED)
    assert policy.judges == ("maker",)
    assert policy.country_facts == ("hq_country",)
    assert not policy.flag_brand


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('status = "guidance"', 'status = "rumour"'), "is not one of"),
        (('date = "2026-01-01"\nscope', 'date = "soon"\nscope'), "is not YYYY"),
        (('judges = ["maker"]', 'judges = ["vibes"]'), "unknown judged fact"),
        (('judges = ["maker"]', "judges = []"), "at least one fact"),
        (('judges = ["maker"]', 'judges = ["maker"]\nflag_brand = true'), "not both"),
        (('"countries", "lists"]', '"countries"]'), "no source supports lists"),
        (('supports = ["title"', 'supports = ["colour", "title"'), "unknown fact"),
        (('scope = "tests"\n', ""), "says its scope"),
        (('name = "x-test"', 'name = "X Test"'), "lower-case"),
        (('urls = ["https://example.invalid/"]', "urls = []\nverified = false"), "needs a note"),
    ],
)
def test_named_policies_are_checked(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in _NAMED
    with pytest.raises(VendorDataError, match=message):
        Policy.load(_NAMED.replace(old, new, 1))


def test_a_policy_without_sources_cannot_pose_as_named() -> None:
    with pytest.raises(VendorDataError, match="cites its"):
        Policy.load('name = "x"\ntitle = "t"\nstatus = "law"\ndate = "2020"\nscope = "s"\n'
                    'judges = ["maker"]\n')  # fmt: skip


def test_unknown_names_are_refused() -> None:
    with pytest.raises(VendorDataError, match="unknown policy 'us-ndaa-890'"):
        Policy.named("us-ndaa-890")


def test_an_older_policy_file_still_judges_the_brand() -> None:
    older = Policy.load('name = "mine"\ncountries = ["CN"]\nlists = []\n')
    assert older.judges == ("maker", "owner", "brand")
    assert older.flag_brand
    decision = identify(evidence_from_mapping(EZVIZ, "test"), older).flag
    assert [r.split(":")[0] for r in decision.reasons] == ["Hikvision", "Ezviz"]
    assert decision.reasons[0].endswith("[policy mine]")
