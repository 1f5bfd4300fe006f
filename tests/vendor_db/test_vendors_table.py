"""The vendor-origin table: every fact sourced, unverified facts marked, OEM links valid."""

from __future__ import annotations

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.vendor_db.vendors import FACT_NAMES, LIST_FACTS, Vendor, load_vendors, parse_vendors

TABLE = load_vendors()


def test_table_covers_the_research() -> None:
    names = {v.name for v in TABLE.vendors}
    assert {"Hikvision", "Dahua", "Huawei", "Uniview", "Xiongmai", "Axis Communications"} <= names
    assert len(TABLE.vendors) >= 60


@pytest.mark.parametrize("vendor", TABLE.vendors, ids=lambda v: v.name)
def test_every_fact_has_resolvable_sources(vendor: Vendor) -> None:
    for name in FACT_NAMES:
        fact = vendor.fact(name)
        assert fact.sources
        for key in fact.sources:
            src = TABLE.sources[key]
            assert src.date
            assert src.urls or src.text
        if not fact.verified:
            assert fact.note
        if name in LIST_FACTS:
            assert fact.value in ("yes", "no", "unknown")


def test_list_dates() -> None:
    hik = TABLE["Hikvision"]
    assert hik.fact("fcc_covered").since == "2021-03-12"
    assert hik.fact("entity_list").since == "2019-10-09"
    assert TABLE["Huawei"].fact("entity_list").since == "2019-05-16"
    assert TABLE["Kaspersky"].fact("fcc_covered").since == "2022-03-25"


def test_unverified_facts_are_marked() -> None:
    assert not TABLE["Uniview"].fact("entity_list").verified  # one press report
    assert TABLE["DJI"].fact("entity_list").verified  # BIS rule effective 2020-12-18
    assert TABLE["Lorex"].fact("owner_country").verified  # Skywatch Inc., Taipei
    assert not TABLE["Annke"].fact("hq_country").verified
    assert TABLE["Hikvision"].fact("fcc_covered").verified
    assert "(unverified)" in TABLE["Imou"].list_status()


def test_oem_relations() -> None:
    for brand, maker in [("Ezviz", "Hikvision"), ("HiLook", "Hikvision"), ("Amcrest", "Dahua")]:
        made_by = TABLE[brand].made_by
        assert made_by is not None
        assert made_by.maker == maker
        assert made_by.strength == "documented"
    assert TABLE["Honor"].made_by is None


def test_added_makers_of_networked_devices() -> None:
    inspur = TABLE["Inspur"].fact("dod_1260h")
    assert (inspur.value, inspur.since) == ("yes", "2021-06-03")
    assert TABLE["Sugon"].fact("dod_1260h").since == "2022-10-05"
    assert TABLE["Keenetic"].fact("hq_country").value == "unknown"  # seat not read
    assert TABLE["QTECH"].fact("hq_country").value == "RU"
    assert not TABLE["QTECH"].fact("hq_country").verified  # one secondary source
    hiksemi = TABLE["Hiksemi"].made_by
    assert hiksemi is not None
    assert hiksemi.maker == "Hikvision"
    # IEEE organisations as aiooui 0.1.11 spells them
    assert TABLE.by_oui_org("YEALINK(XIAMEN) NETWORK TECHNOLOGY CO.,LTD.") is TABLE["Yealink"]
    assert TABLE.by_oui_org("Hangzhou BroadLink Technology Co.,Ltd") is TABLE["BroadLink"]
    assert TABLE.by_oui_org("Broadlink Pty Ltd") is None  # another company
    assert TABLE.by_oui_org("BVBA DPTechnics") is None
    assert TABLE.by_oui_org("MERCUSYS TECHNOLOGIES CO., LTD.") is TABLE["TP-Link"]
    assert TABLE.by_oui_org("Motorola Mobility LLC, a Lenovo Company") is None


def test_lookups() -> None:
    assert TABLE.find("HIKVISION") is TABLE["Hikvision"]
    assert TABLE.find("Zhejiang Dahua Technology Co., Ltd.") is TABLE["Dahua"]
    assert TABLE.find("AC") is None
    assert TABLE.find("AC", allow_codes=True) is TABLE["Amcrest"]
    assert TABLE.by_oui_org("Honor Device Co., Ltd.") is TABLE["Honor"]
    assert TABLE.by_oui_org("Huawei Device Co., Ltd.") is TABLE["Huawei"]
    assert TABLE.by_pen(39165) is TABLE["Hikvision"]


def test_parse_rejects_unsourced_and_unexplained_facts() -> None:
    base = TABLE_TEXT_MIN
    with pytest.raises(VendorDataError, match="at least one source"):
        parse_vendors(base.replace('sources = ["S"]', "sources = []", 1))
    with pytest.raises(VendorDataError, match="needs a note"):
        parse_vendors(base.replace('value = "CN",', 'value = "CN", verified = false,', 1))
    with pytest.raises(VendorDataError, match="unknown source key"):
        parse_vendors(base.replace('sources = ["S"]', 'sources = ["Nope"]', 1))
    assert parse_vendors(base).vendors[0].name == "X"
    with pytest.raises(VendorDataError, match="owned_by 'Nobody' not in table"):
        parse_vendors(base.replace("aliases = []", 'aliases = []\nowned_by = "Nobody"', 1))
    assert TABLE["Pelco"].owned_by == "Motorola Solutions"  # the owner's own entry


TABLE_TEXT_MIN = """
[source.S]
text = "t"
urls = ["https://example.org"]
date = "2026-01-01"
[[vendor]]
name = "X"
aliases = []
parent = { value = "P", sources = ["S"] }
hq_country = { value = "CN", sources = ["S"] }
owner_country = { value = "CN", sources = ["S"] }
state_owned = { value = "no", sources = ["S"] }
ndaa_889 = { value = "no", sources = ["S"] }
fcc_covered = { value = "no", sources = ["S"] }
entity_list = { value = "no", sources = ["S"] }
dod_1260h = { value = "no", sources = ["S"] }
"""
