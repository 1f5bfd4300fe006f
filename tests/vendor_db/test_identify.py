"""Identification: OEM cases, conflicts, non-cameras, policy reasons, the labelled set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db import Identification, Policy, identify
from camcensus.vendor_db.identify import evidence_from_mapping

DATA = Path(__file__).resolve().parent.parent / "data"
LABELLED = [
    json.loads(line)
    for line in (DATA / "identify_labelled.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def ident(evidence: dict[str, Any], policy: Policy | None = None) -> Identification:
    return identify(evidence_from_mapping(evidence, "test"), policy)


def rules(result: Identification) -> list[str]:
    return [c.rule for c in result.chain]


@pytest.mark.parametrize("case", LABELLED, ids=[c["id"] for c in LABELLED])
def test_labelled_set(case: dict[str, Any]) -> None:
    assert case["source"], "every labelled case cites where its strings were seen"
    result = ident(case["evidence"])
    expect = case["expect"]
    assert result.maker == expect["maker"]
    assert result.brand == expect["brand"]
    assert result.device_type == expect["device_type"]
    assert result.flag.flagged is expect["flagged"]
    assert result.flag.level == expect.get("level", "flagged" if expect["flagged"] else "no")
    if "model" in expect:
        assert result.model == expect["model"]


def test_labelled_set_size() -> None:
    assert len(LABELLED) >= 30


def test_hikvision_mac_alone_is_named_with_lower_confidence() -> None:
    mac_only = ident({"mac": "00:bc:99:12:34:56"})
    full = ident({"mac": "00:bc:99:12:34:56", "http.server": "App-webs/"})
    assert mac_only.maker == full.maker == "Hikvision"
    assert 0 < mac_only.confidence < full.confidence
    assert any("MAC block only" in r for r in mac_only.flag.reasons)


def test_dahua_mac_alone_is_named() -> None:
    result = ident({"mac": "08:ed:ed:00:00:01"})
    assert result.maker == "Dahua"
    assert result.device_type == "unknown"


def test_lorex_with_dahua_firmware_keeps_oem_explanation() -> None:
    result = ident({"dhip.vendor": "LOREX", "dhip.firmware": "2.800.0000016.0.R,build:2020-06-05"})
    assert (result.maker, result.brand) == ("Dahua", "Lorex")
    assert result.firmware == "2.800.0000016.0.R"
    assert any(c.startswith("OEM: brand Lorex is made by Dahua") for c in result.conflicts)
    assert "fingerprint:dahua-firmware-2800" in rules(result)


def test_brand_lorex_mac_dahua_conflict_is_explained() -> None:
    result = ident({"onvif.manufacturer": "Lorex", "mac": "08:ed:ed:00:00:02"})
    assert (result.maker, result.brand) == ("Dahua", "Lorex")
    text = " ".join(result.conflicts)
    assert "Lorex" in text
    assert "mac='08:ed:ed:00:00:02'" in text


def test_conflicting_makers_are_kept_not_dropped() -> None:
    result = ident({"http.server": "App-webs/", "rtsp.server": "Dahua Rtsp Server"})
    assert result.maker in ("Hikvision", "Dahua")
    assert any("maker evidence disagrees" in c for c in result.conflicts)
    assert {c.value for c in result.chain if c.field == "maker"} == {"Hikvision", "Dahua"}
    clean = ident({"http.server": "App-webs/"})
    assert result.confidence < clean.confidence


@pytest.mark.parametrize(
    ("evidence", "brand"),
    [
        ({"dhip.vendor": "Amcrest"}, "Amcrest"),
        ({"dhip.vendor": "AC"}, "Amcrest"),
        ({"dhip.serial": "AMC0123456789ABCDE"}, "Amcrest"),
        ({"mac": "1c:4d:89:00:00:01"}, "Imou"),
    ],
)
def test_dahua_oem_brands(evidence: dict[str, str], brand: str) -> None:
    result = ident(evidence)
    assert (result.maker, result.brand) == ("Dahua", brand)
    assert result.flag.flagged


@pytest.mark.parametrize(
    ("evidence", "brand"),
    [
        ({"mac": "0c:a6:4c:00:00:01"}, "Ezviz"),
        ({"onvif.manufacturer": "EZVIZ"}, "Ezviz"),
        ({"onvif.manufacturer": "HiLook"}, "HiLook"),
        ({"onvif.manufacturer": "Acme Vision", "http.server": "DNVRS-Webs"}, "Acme Vision"),
        ({"sadp.oem_info": "Acme Vision", "sadp.oem_code": "10101"}, "Acme Vision"),
    ],
)
def test_hikvision_oem_brands(evidence: dict[str, str], brand: str) -> None:
    result = ident(evidence)
    assert (result.maker, result.brand) == ("Hikvision", brand)
    assert result.flag.flagged


def test_white_label_explains_the_evidence() -> None:
    result = ident({"onvif.manufacturer": "Acme Vision", "http.server": "App-webs/"})
    assert any(
        c.startswith("white-label: brand Acme Vision on a Hikvision-made device")
        and "App-webs/" in c
        for c in result.conflicts
    )


def test_huawei_mac_alone_is_only_a_possible_flag_and_says_why() -> None:
    # Huawei's MAC blocks sit in phones and laptops too: no accusation on that alone
    result = ident({"mac": "00:e0:fc:00:00:01"})
    assert result.maker == "Huawei"
    assert result.device_type == "unknown"
    assert (result.flag.flagged, result.flag.level) == (False, "possible")
    assert any("phones, laptops" in r for r in result.flag.reasons)


def test_a_mac_read_out_of_a_uuid_alone_is_only_possible() -> None:
    # the node of a WS-Discovery endpoint UUID: an SDK may stamp one node on every device
    result = ident({"wsd.endpoint_mac": "bc:ad:28:0a:0b:0c"})  # Hikvision MA-L block
    assert result.maker == "Hikvision"
    assert (result.flag.flagged, result.flag.level) == (False, "possible")
    assert any("UUID" in r for r in result.flag.reasons)
    # beside the link-layer MAC of the same block it adds to it, and the device is flagged
    both = ident({"mac": "bc:ad:28:0a:0b:0c", "wsd.endpoint_mac": "bc:ad:28:0a:0b:0c"})
    assert both.flag.level == "flagged"


@pytest.mark.parametrize(
    ("evidence", "maker"),
    [
        ({"mac": "00:1b:21:00:00:01"}, None),
        ({"mac": "f0:18:98:00:00:01", "http.server": "Apache/2.4.57 (Debian)"}, None),
        ({"mdns.service": "_ipp._tcp.local.", "http.server": "CUPS/2.4 IPP/2.1"}, None),
        # Brother MA-L block: Brother is in the vendor table (JP), so it is named, not flagged
        ({"mac": "3c:2a:f4:00:00:01", "tcp.ports": "80,631,9100"}, "Brother"),
    ],
)
def test_non_cameras_are_other_and_not_flagged(evidence: dict[str, str], maker: str | None) -> None:
    result = ident(evidence)
    assert result.device_type == "other"
    assert result.maker == maker
    assert not result.flag.flagged
    assert result.flag.reasons == ()


def test_randomised_mac_says_so_in_the_chain() -> None:
    result = ident({"mac": "da:a1:19:00:00:01"})
    assert result.maker is None
    assert any("randomised MAC" in c.value for c in result.chain)


def test_policy_reason_strings_and_sources() -> None:
    result = ident({"http.server": "App-webs/"})  # the default policy, nl-cybercheck
    reason = result.flag.reasons[0]
    assert reason.startswith("Hikvision: owner China Electronics Technology HIK Group")
    assert "CETC" in reason
    assert "(CN, state-owned)" in reason
    assert reason.endswith("[policy nl-cybercheck]")
    assert "FCC" not in reason  # nl-cybercheck judges countries, not US lists
    assert result.flag.policy == "nl-cybercheck"
    assert (
        result.flag.list_status == "NDAA889; FCC Covered 2021-03-12; Entity List 2019-10-09; 1260H"
    )
    assert any(u.startswith("https://www.aivd.nl/") for u in result.flag.sources)
    fcc = ident({"http.server": "App-webs/"}, Policy.named("us-fcc-covered"))
    assert fcc.flag.reasons[0] == (
        "Hikvision: on FCC Covered List since 2021-03-12 [policy us-fcc-covered]"
    )
    assert "https://www.fcc.gov/supplychain/coveredlist" in fcc.flag.sources


def test_unverified_facts_are_reported() -> None:
    # Imou: affiliate status after its 2025 sale unverified; a policy that judges the brand
    brand_policy = Policy.load('countries = ["CN"]\n')  # older keys: brand judged too
    result = ident({"mac": "1c:4d:89:00:00:01"}, brand_policy)
    assert any(u.startswith("Imou: ndaa_889") for u in result.flag.unverified)
    assert "(unverified)" in " ".join(result.flag.reasons)


def test_custom_policy_changes_what_is_flagged() -> None:
    only_russia = Policy.load('name = "ru"\ncountries = ["RU"]\nlists = []\n')
    assert not ident({"http.server": "App-webs/"}, only_russia).flag.flagged
    axis_policy = Policy.load('countries = ["JP"]\nlists = []\n')  # Axis: owner Canon (JP)
    result = ident({"mdns.service": "_axis-video._tcp.local."}, axis_policy)
    assert result.flag.flagged
    assert result.flag.reasons[0].startswith("Axis Communications:")


@pytest.mark.parametrize(
    "text",
    ['lists = ["nope"]', 'countries = ["china"]', "bogus = 1", "not toml ["],
)
def test_bad_policies_raise(text: str) -> None:
    with pytest.raises(VendorDataError):
        Policy.load(text)


def test_unknown_key_raises() -> None:
    with pytest.raises(VendorDataError, match="unknown evidence key"):
        identify([Evidence("http.nonsense", "x")])


def test_family_keys_are_accepted() -> None:
    result = identify([Evidence("mdns.txt.manufacturer", "Hikvision")])
    assert result.maker == "Hikvision"


@pytest.mark.parametrize(
    "value", ["\x00" * 10_000, "A" * 1_000_000, "<script>", "(" * 500, "DS-" * 5000]
)
def test_hostile_values_do_not_crash(value: str) -> None:
    result = ident({"http.server": value, "onvif.manufacturer": value, "mac": "zz"})
    assert all(len(c.evidence) <= 512 for c in result.chain)
    json.dumps(result.to_dict())


def test_to_dict_is_stable_json() -> None:
    d = ident({"mac": "00:bc:99:12:34:56", "http.server": "App-webs/"}).to_dict()
    assert list(d) == [
        "maker",
        "brand",
        "model",
        "firmware",
        "device_type",
        "confidence",
        "flag",
        "origin",
        "vulnerabilities",
        "conflicts",
        "chain",
    ]
    assert set(d["chain"][0]) == {"field", "value", "key", "evidence", "source", "rule", "weight"}
    assert json.loads(json.dumps(d)) == d


def test_a_model_number_names_its_maker_whichever_protocol_reported_it() -> None:
    for key in ("onvif.model", "isapi.model", "wsd.scope.hardware", "upnp.model_name"):
        result = ident({key: "DS-2CD2143G2-I"})
        assert result.maker == "Hikvision", key
        assert "fingerprint:hikvision-ipc-model" in rules(result), key


def test_a_model_another_fingerprint_extracts_is_matched_as_a_model() -> None:
    result = ident({"onvif.serial": "DS-2CD2143G2-I20230101AAWRJ00001"})
    assert result.model == "DS-2CD2143G2-I"
    assert "fingerprint:hikvision-ipc-model +model:DS-2CD2143G2-I" in rules(result)
    assert result.maker == "Hikvision"


def test_a_manufacturer_the_table_does_not_know_is_still_named_never_flagged() -> None:
    result = ident({"onvif.manufacturer": "Acme Vision Ltd", "onvif.model": "AV-100"})
    assert result.maker == "Acme Vision Ltd"
    assert result.confidence < 0.5
    assert not result.flag.flagged
    assert any("not in the vendor table" in r for r in rules(result))


@pytest.mark.parametrize("label", ["IPCamera", "IP Camera", "unknown", "-", "12345"])
def test_labels_that_name_no_one_give_no_maker(label: str) -> None:
    assert ident({"onvif.manufacturer": label}).maker is None


def test_a_name_scope_names_its_maker_by_the_word_before_the_model() -> None:
    assert ident({"wsd.scope.name": "AXIS M1034-W"}).maker == "Axis Communications"
    unknown = ident({"wsd.scope.name": "Zenkam ZK-200"})
    assert unknown.maker == "Zenkam"
    assert not unknown.flag.flagged
    model_only = ident({"wsd.scope.name": "TL-SC3130G"})  # never a label "TL-SC3130G" ...
    assert not any(r.startswith("label:") for r in rules(model_only))
    assert model_only.maker == "TP-Link"  # ... but TP-Link's model scheme


def test_an_unknown_maker_says_its_origin_is_unknown() -> None:
    result = ident({"upnp.manufacturer": "Acme Vision Ltd"})
    assert any(c.startswith("origin unknown: Acme Vision Ltd") for c in result.conflicts)


def test_an_open_port_alone_makes_a_maker_of_concern_possible_not_flagged() -> None:
    result = ident({"tcp.ports": "80,37777"})
    assert result.maker == "Dahua"
    assert (result.flag.flagged, result.flag.level) == (False, "possible")
    assert result.flag.reasons[-1].startswith("possible only: only an open port points to Dahua")
    banner = ident({"tcp.ports": "80,37777", "rtsp.server": "Dahua Rtsp Server"})
    assert (banner.flag.flagged, banner.flag.level) == (True, "flagged")


def test_a_flag_level_round_trips_and_must_fit_flagged() -> None:
    possible = ident({"tcp.ports": "37777"}).flag
    assert type(possible).from_dict(possible.to_dict()) == possible
    with pytest.raises(VendorDataError):
        type(possible).from_dict({**possible.to_dict(), "flagged": True})


@pytest.mark.parametrize(
    ("key", "value", "maker"),
    [  # strings as rapid7/recog@14fa1a72 xml/{snmp_sysdescr,http_servers,x509_subjects}.xml
        ("snmp.sysdescr", "Juniper Networks EX2500 10GbE Switch, SW Version 3.1R1.0", "Juniper"),
        ("snmp.sysdescr", "HP StorageWorks MSA2012fc", "HP"),
        ("http.server", "Microsoft-WinCE/5.0", "Microsoft"),
        ("http.title", "Login - Cisco DNA Center", "Cisco"),  # after a title's separator
        ("upnp.friendly_name", "Sony Network Camera SNC-EP550", "Sony"),
        ("tls.subject", "CN=HP Service Processor,OU=UDU,O=Hewlett-Packard Company", "HP"),
        ("telnet.banner", "Welcome to the Hikvision shell", "Hikvision"),  # after a greeting
        ("telnet.banner", "Ruijie login:", "Ruijie"),  # recog xml/telnet_banners.xml
        ("http.realm", "NetPing 2/PWR-220v2/SMS", "Alentis Electronics"),  # http_wwwauth.xml
    ],
)
def test_a_free_text_value_that_starts_with_a_makers_name_names_it(
    key: str, value: str, maker: str
) -> None:
    result = ident({key: value})
    assert result.maker is not None
    assert result.maker.startswith(maker)
    assert any(r.startswith(f"named:{key}") for r in rules(result))


def test_a_makers_name_inside_a_value_or_an_ordinary_word_names_no_one() -> None:
    assert ident({"http.title": "Web Service Login"}).maker is None  # Dahua's alias, a phrase
    assert ident({"ftp.banner": "Welcome to FTP server of Hikvision"}).maker is None
    assert ident({"snmp.sysdescr": "Linux router with Hikvision cameras"}).maker is None
    # vendor-table names that are ordinary words or other companies' names
    assert ident({"http.title": "Tenda da sole - Negozio online"}).maker is None
    assert ident({"http.title": "Cudy na kiju"}).maker is None
    assert ident({"http.server": "Bolid/2.1"}).maker is None
    assert ident({"http.title": "Broadlink Pty Ltd portal"}).maker is None
    flagged = ident({"snmp.sysdescr": "Huawei Versatile Routing Platform Software"})
    assert (flagged.maker, flagged.flag.flagged) == ("Huawei", True)


def test_a_name_scope_that_is_only_a_model_number_is_read_as_one() -> None:
    result = ident({"wsd.scope.name": "IPC-HDW2431T-AS-S2"})
    assert (result.maker, result.model) == ("Dahua", "IPC-HDW2431T-AS-S2")
    assert "fingerprint:dahua-ipc-model (name)" in rules(result)
    assert ident({"onvif.scope.name": "Garage"}).maker is None  # a name the owner gave


@pytest.mark.parametrize(
    ("key", "value", "maker", "model"),
    [
        ("telnet.banner", "DCS-6620G login:", "D-Link", "DCS-6620G"),
        ("http.title", "Live view (DS-2CD2143G2-I)", "Hikvision", "DS-2CD2143G2-I"),
        ("rtsp.sdp.info", "IPC-HDW2431T-AS-S2 stream", "Dahua", "IPC-HDW2431T-AS-S2"),
        ("tls.subject", "CN=MS-C2963-PB,O=Example", "Milesight", "MS-C2963-PB"),
        ("http.title", "Live view / AXIS P3245-V", "Axis Communications", "P3245-V"),
        ("mdns.name", "Garden Tapo C200", "TP-Link", "Tapo C200"),  # the name before it
    ],
)
def test_a_model_number_inside_free_text_names_its_maker(
    key: str, value: str, maker: str, model: str
) -> None:
    result = ident({key: value})
    assert (result.maker, result.model) == (maker, model)
    assert any("(in text: " in r and r.endswith(f"{model})") for r in rules(result))


def test_only_whole_words_and_strong_schemes_are_read_out_of_free_text() -> None:
    # a model key takes the short Foscam shape; a free-text word does not
    assert ident({"onvif.model": "R2M"}).maker == "Foscam"
    assert ident({"http.title": "Room R2M camera"}).maker is None
    # part of a longer word is no model number
    assert ident({"http.title": "xDS-2CD2143G2-I"}).maker is None
    assert ident({"ftp.banner": "FTP server ready at 12:00, build 20230101"}).maker is None


def test_a_model_number_right_after_another_makers_name_is_that_makers() -> None:
    # rapid7/recog@14fa1a7:xml/snmp_sysdescr.xml (Arista EOS): DCS-7050S-52 has the
    # shape of a D-Link DCS camera, but the words before it name Arista
    text = "Arista Networks EOS version 4.18.0F running on an Arista Networks DCS-7050S-52"
    assert ident({"snmp.sysdescr": text}).maker == "Arista Networks"
    # the scheme's own maker, or a brand it makes, before the model still reads it
    assert ident({"snmp.sysdescr": "D-Link DCS-930L"}).maker == "D-Link"
    assert ident({"http.title": "HIKVISION DS-2CD2012-I"}).maker == "Hikvision"


@pytest.mark.parametrize(
    ("evidence", "wrong"),
    [
        # rapid7/recog@14fa1a7 examples of makers not of concern that a model scheme's
        # shape once named wrongly (bench/negatives.py)
        ({"http.server": "IX Series IX2106 (magellan-sec) Software, Version 10.2.20"}, "Pelco"),
        ({"snmp.sysdescr": "Panasonic DP-1520P"}, "Grandstream"),  # snmp_sysdescr.xml
        ({"snmp.sysdescr": "DP-1520P"}, "Grandstream"),  # the same model without its name
        ({"mdns.txt.model": "B520AP"}, "Dahua"),  # mdns_device-info_txt.xml (Apple)
        ({"mdns.txt.model": "B238AP"}, "Dahua"),
    ],
)
def test_recog_examples_of_other_makers_name_no_wrong_maker(
    evidence: dict[str, str], wrong: str
) -> None:
    result = ident(evidence)
    assert result.maker != wrong
    assert result.flag.level == "no"


def test_a_label_still_speaks_beside_a_model_found_in_its_text() -> None:
    result = ident({"wsd.scope.name": "Zenkam DS-2CD2012-I"})  # a white-label name scope
    assert (result.maker, result.brand, result.model) == ("Hikvision", "Zenkam", "DS-2CD2012-I")
    assert any(r.startswith("label:wsd.scope.name") for r in rules(result))


def test_a_realm_or_serial_that_is_the_units_mac_names_its_ieee_block() -> None:
    realm = ident({"rtsp.realm": "00408cfab754"})  # 00:40:8C, an Axis block
    assert realm.maker == "Axis Communications"
    assert any(r.startswith("oui:00:40:8C") for r in rules(realm))
    for key, value in (("onvif.serial", "123456789012"), ("http.realm", "deadbeef0123")):
        quiet = ident({key: value})  # no registered block: neither a maker nor a MAC note
        assert quiet.maker is None
        assert not any(r.startswith(("oui:", "mac:")) for r in rules(quiet))


def test_the_axis_json_envelope_is_read_in_any_key_order_at_the_top_level_only() -> None:
    method_first = '{"method": "getLightInformation", "apiVersion": "1.1", "data": {"items": []}}'
    assert ident({"http.body": method_first}).maker == "Axis Communications"
    nested = '{"data": {"apiVersion": "1.0", "method": "getX"}}'  # not the envelope's own keys
    assert ident({"http.body": nested}).maker is None


def test_an_isapi_device_info_document_is_hikvisions_api_its_root_alone_is_not() -> None:
    info = ident({"isapi.model": "XYZ-100", "isapi.firmware": "V1.0"})  # an OEM model code
    assert (info.maker, info.flag.flagged) == ("Hikvision", True)
    assert "protocol:isapi deviceInfo" in rules(info)
    error_page = ident({"isapi.document": "Error"})  # any XML answer at an /ISAPI/ path
    assert error_page.maker is None


def test_a_vendor_namespace_of_a_discovery_answer_names_its_stack_as_in_onvif() -> None:
    uri = "http://www.hikvision.com/2011/event/topics"
    by_wsd = identify([Evidence("wsd.namespace", uri)])
    by_onvif = identify([Evidence("onvif.namespace", uri)])
    assert by_wsd.maker == by_onvif.maker == "Hikvision"
    assert by_wsd.flag.level == by_onvif.flag.level


def test_a_maker_named_by_the_device_itself_flags_as_onvif_and_upnp_do_alike() -> None:
    # the UPnP description's manufacturer is the device naming its maker, as ONVIF's is
    for key in ("onvif.manufacturer", "upnp.manufacturer", "wsd.scope.manufacturer"):
        result = ident({key: "Hikvision"})
        assert result.maker == "Hikvision"
        assert (result.flag.flagged, result.flag.level) == (True, "flagged"), key


def test_general_alone_is_only_possible_and_flags_with_a_dahua_model() -> None:
    # 'General' (Dahua's factory-default vendor) is also an ordinary word
    alone = ident({"onvif.manufacturer": "General"})
    assert alone.maker == "Dahua"
    assert (alone.flag.flagged, alone.flag.level) == (False, "possible")
    scope = ident({"wsd.scope.name": "General"})
    assert (scope.maker, scope.flag.level) == ("Dahua", "possible")
    both = ident({"onvif.manufacturer": "General", "onvif.model": "IPC-HFW2431S-S-S2"})
    assert (both.maker, both.flag.level) == ("Dahua", "flagged")


def test_a_dahua_stack_scope_word_alone_is_only_possible() -> None:
    alone = ident({"wsd.scope.extension": "unique_identifier/1"})
    assert (alone.maker, alone.flag.level) == ("Dahua", "possible")
    named = ident({"wsd.scope.extension": "unique_identifier", "wsd.scope.name": "Dahua"})
    assert (named.maker, named.flag.level) == ("Dahua", "flagged")


@pytest.mark.parametrize(
    ("body", "maker"),
    [
        # footer shapes of rules-half corpus items (Brother, AVTECH, HPE web pages)
        ('<div id="copyright">Copyright(C) 2000-2011 Brother Industries, Ltd. All Rights'
         " Reserved.</div>", "Brother"),
        ("&copy; Copyright 1988-2015 AVTECH Software Inc. All Rights Reserved Worldwide.<br/>",
         "AVTECH Software"),
        ("<p>Copyright &copy; 2020 Zhejiang Dahua Technology Co., Ltd.</p>", "Dahua"),
        ("Copyright (c) 2004-2017 New H3C Technologies Co., Ltd. All rights reserved.", "H3C"),
    ],
)  # fmt: skip
def test_a_copyright_notice_names_its_holder(body: str, maker: str) -> None:
    result = ident({"http.body": body})
    assert result.maker == maker
    assert any(rule.startswith("copyright:http.body") for rule in rules(result))


def test_a_copyright_notice_yields_to_a_fingerprint_and_names_no_stranger() -> None:
    # a library's notice names no one the vendor table knows
    assert (
        ident({"http.body": "/*! jQuery v1.8 | (c) 2005, 2012 jQuery Foundation */"}).maker is None
    )
    # a notice of another maker does not outweigh the device's own Server header
    result = ident(
        {"http.server": "App-webs/", "http.body": "<p>Copyright (c) 2019 Sony Corporation</p>"}
    )
    assert result.maker == "Hikvision"
    # names that are also ordinary words name no one in free text, as at a banner's start
    assert ident({"http.body": "Copyright 2019 LTS Security"}).maker is None


# --- review: false accusations through the new label and notice paths ---


def test_a_name_scope_without_a_model_is_a_users_name_and_never_flags_alone() -> None:
    # ONVIF name scopes are set by users (SetScopes): a camera named after the site it
    # watches names no maker strongly enough to accuse one
    for name in ("Huawei Campus Gate", "Huawei Gate 2", "HUAWEI"):
        assert ident({"wsd.scope.name": name}).flag.level != "flagged", name
    axis = ident({"wsd.scope.name": "Huawei Campus Gate", "wsd.scope.hardware": "M3106"})
    assert axis.maker == "Axis Communications"
    # the firmware's own "<maker> <model>" default still names (and flags) its maker
    hik = ident({"wsd.scope.name": "HIKVISION DS-2CD2143G2-I"})
    assert (hik.maker, hik.flag.level) == ("Hikvision", "flagged")


@pytest.mark.parametrize(
    "body",
    [
        # an installer's page: a trademark line in prose, and a link to its supplier
        '<p>We are authorised Hikvision partners.</p><a href="https://www.hikvision.com/uk/">'
        "supplier</a><footer>Hikvision logo copyright Hikvision.</footer>",
        # a VMS page: a device pack's notice before the VMS maker's own
        "<p>Drivers: Copyright (c) Hikvision Digital Technology Co., Ltd. device pack</p>"
        "<div>Copyright 2024 Milestone Systems A/S</div>",
        # a holder that is not the notice's first words
        "Linux 4.9 (c) 2020 uses code copyright Huawei Technologies",
    ],
)
def test_a_notice_that_is_not_the_pages_own_accuses_no_one(body: str) -> None:
    result = ident({"http.server": "nginx", "http.body": body})
    assert result.flag.level != "flagged"
    assert not any(rule.startswith("copyright:") for rule in rules(result))


def test_body_marker_past_512_characters_is_read() -> None:
    """A body is matched over its first 4096 characters, other values over 512."""
    page = "<html><head>" + "<meta name=x>" * 60 + '<script src="/SDK/activateStatus"></script>'
    assert len(page) > 600
    assert ident({"http.body": page}).maker == "Hikvision"
    assert ident({"http.body": page + "x" * 5000}).maker == "Hikvision"
    assert ident({"http.body": "x" * 4100 + page}).maker is None
    assert ident({"http.title": "x" * 600 + " Hikvision-Webs"}).maker is None


def test_body_copyright_past_512_characters_is_read() -> None:
    page = "<html>" + "<div></div>" * 80 + "<p>Copyright 2019 Hangzhou Hikvision Digital</p>"
    assert len(page) > 600
    assert ident({"http.body": page}).maker == "Hikvision"


@pytest.mark.parametrize(
    ("key", "subject", "maker"),
    [
        (
            "tls.subject",
            "C=CN,ST=Zhejiang,O=Zhejiang Uniview Technologies Co.,Ltd,CN=IPC",
            "Uniview",
        ),
        ("tls.subject", "C=CN,O=Shenzhen Reolink Technology Co.\\, Ltd.,CN=x", "Reolink"),
        ("tls.subject", "C=AU,ST=Some-State,O=Internet Widgits Pty Ltd", None),
        ("tls.subject", "C=CN,O=Hangzhou,CN=x", None),  # a place alone names no one
        ("tls.issuer", "C=CN,O=Shenzhen Reolink Technology Co.\\, Ltd.,CN=x", None),
    ],
)
def test_subject_organisation_read_within_its_words(
    key: str, subject: str, maker: str | None
) -> None:
    assert ident({key: subject}).maker == maker


@pytest.mark.parametrize(
    "body", ["\n" * 4096, " " * 4096, "<rcp>" * 820, "{ " * 2048, "[ " * 2048, "(c) 2019 " * 455]
)
def test_hostile_bodies_stay_linear(body: str) -> None:
    """Bodies are matched over 4096 characters: no body pattern may backtrack on runs of
    whitespace or repeated openings (each of these took 60-700 ms before; their times
    now: bench/hostile.py). Here: they are read without error and name no one."""
    assert ident({"http.body": body}).maker is None


def test_a_notice_alone_makes_a_maker_of_concern_possible_and_one_value_claims_once() -> None:
    alone = ident({"http.body": "<p>Copyright &copy; 2020 Zhejiang Dahua Technology Co., Ltd.</p>"})
    assert alone.maker == "Dahua"
    assert alone.flag.level == "possible"
    # a sysDescr that starts with its maker's name and ends with the same maker's notice
    # is one claim, not two (noisy-or would count the one value twice)
    both = ident({"snmp.sysdescr": "Huawei Versatile Routing Platform Copyright (C) 2012 Huawei"})
    assert sum(c.field == "maker" for c in both.chain) == 1


def test_a_dahua_name_scope_reads_a_model_only_where_there_is_one() -> None:
    assert ident({"wsd.scope.name": "Dahua IPC-HFW2228M-I1-V2"}).model == "IPC-HFW2228M-I1-V2"
    users = ident({"wsd.scope.name": "Dahua_replaced_by_Axis"})
    assert users.model is None
    assert users.flag.level == "possible"


# ---------------------------------------------------------------- nested JSON fields


def test_a_nested_maker_field_names_the_maker_weakly() -> None:
    result = ident({"http.field.nested.manufacturer": "Synology"})
    assert result.maker == "Synology"
    top = ident({"http.field.manufacturer": "Synology"})
    assert result.confidence < top.confidence


@pytest.mark.parametrize(
    "evidence",
    [
        {"http.field.nested.manufacturer": "Hikvision"},
        {"http.field.nested.model": "DS-2CD2143G2-I"},
        {"http.field.nested.device_type": "IPC-HDW5831R-ZE"},
    ],
)
def test_a_nested_field_alone_never_flags_a_maker_of_concern(evidence: dict[str, Any]) -> None:
    result = ident(evidence)
    assert result.maker in ("Hikvision", "Dahua")
    assert (result.flag.flagged, result.flag.level) == (False, "possible")


def test_nested_models_count_only_with_the_strong_model_schemes() -> None:
    # juniper-model is a short shared shape (weight 0.55): a model key reads it, free text
    # and nested fields do not
    assert ident({"http.field.model": "EX2300-24T"}).maker == "Juniper Networks"
    assert ident({"http.field.nested.model": "EX2300-24T"}).maker is None
    assert ident({"http.field.nested.model": "GS1900-24E"}).maker == "Zyxel"


def test_product_line_words_in_paths_and_nested_words_name_their_maker_weakly() -> None:
    path = ident({"http.field.nested.path": "/usr/share/unifi-protect/app"})
    assert path.maker == "Ubiquiti"
    assert ident({"http.field.nested.text": "build 42 | DSM 7.1.1-42962"}).maker == "Synology"
    assert ident({"http.field.nested.text": "unified | dsmith | readynass"}).maker is None


@pytest.mark.parametrize(
    "body",
    [
        # a VMS's or NVR's record of one camera: its address, then the camera's maker and
        # model; the answering host is not that camera
        b'{"ip":"198.18.0.5","manufacturer":"Hikvision","model":"DS-2CD2143G2-I","name":"Gate"}',
        b'{"ip":"198.18.0.5","model":"DS-2CD2143G2-I","type":"IPCamera"}',
        b"<Camera><Address>198.18.0.5</Address><Model>DS-2CD2143G2-I</Model></Camera>",
        b"address=198.18.0.5\nModel=DS-2CD2143G2-I\n",
    ],
)
def test_a_record_of_one_camera_with_its_address_is_never_flagged_on_its_own(body: bytes) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + body
    result = identify(parse_reply("http", reply))
    assert result.flag.level != "flagged", result.to_dict()["chain"]


def test_a_listing_of_several_cameras_names_no_one() -> None:
    body = (
        b'[{"ip":"198.18.0.5","model":"DS-2CD2143G2-I"},'
        b'{"ip":"198.18.0.6","model":"IPC-HDW2431T-AS-S2"}]'
    )
    result = identify(parse_reply("http", b"HTTP/1.1 200 OK\r\n\r\n" + body))
    assert result.maker is None


@pytest.mark.parametrize(
    ("body", "maker"),
    [
        # the registered Chinese names as their own pages print them: Hikvision's iVMS
        # and control pages (0x727/FingerprintHub@62d01b0c, web-fingerprint/00_unknown/
        # hikvision-ivms.yaml, hikvision-v23-control.yaml), a Dahua SDK's file header,
        # Uniview's web client footers (public GitHub files found by the search index)
        ("<p>杭州海康威视系统技术有限公司 版权所有</p>", "Hikvision"),
        ("<div>版权所有：浙江大华技术股份有限公司</div>", "Dahua"),
        ("Copyright (c) 2011, 浙江大华技术股份有限公司, All rights reserved.", "Dahua"),
        ("<span>(C) 2022-2023浙江宇视科技有限公司</span>", "Uniview"),
        ("浙江宇视科技有限公司(2013)，版权所有", "Uniview"),
        ("© 2019 杭州海康威视数字技术股份有限公司", "Hikvision"),
    ],
)  # fmt: skip
def test_a_chinese_notice_names_its_holder_and_alone_is_only_possible(
    body: str, maker: str
) -> None:
    result = ident({"http.body": body})
    assert (result.maker, result.flag.level) == (maker, "possible")
    assert any(rule.startswith("copyright:http.body") for rule in rules(result))


@pytest.mark.parametrize(
    "body",
    [
        "<p>苏州科达科技股份有限公司</p>",  # a name with no notice
        "<p>合作伙伴：浙江大华技术股份有限公司</p>",  # "partner:", a name in prose
        # two makers' notices: whose firmware it is stays open
        "版权所有：浙江大华技术股份有限公司 版权所有：杭州海康威视数字技术股份有限公司",
        "版权所有：某某市安防工程有限公司",  # a holder the table does not know
        "版权所有" * 1000,
        "有限公司" * 1000,
        "海" * 4096,
    ],
)
def test_a_chinese_name_outside_one_notice_names_no_one(body: str) -> None:
    result = ident({"http.body": body})
    assert result.maker is None
    assert not any(rule.startswith("copyright:") for rule in rules(result))


def test_apache_axis2s_title_names_no_camera_maker_and_axis_titles_still_do() -> None:
    # "Axis 2 - Home": Apache Axis2's home page (Greenbone gb_apache_axis2_detect.sc)
    assert ident({"http.title": "Axis 2 - Home"}).maker is None
    assert ident({"http.title": "AXIS 2120 Network Camera"}).maker == "Axis Communications"
    assert ident({"http.title": "AXIS - Live view"}).maker == "Axis Communications"


@pytest.mark.parametrize(
    "subject",
    [
        "C=US,CN=cam.example.net/O=Hikvision",  # one value's text, not an attribute
        "CN=x O=ZheJiang Dahua Technology CO.\\,LTD.",
        "CN=acme.example/emailAddress=a@huawei.com",
    ],
)
def test_a_makers_attribute_inside_another_attributes_value_names_no_one(subject: str) -> None:
    result = identify([Evidence("tls.subject", subject, "tls", "198.18.0.9")])
    assert result.flag.to_dict()["level"] == "no"
    assert identify([Evidence("tls.subject", "C=CN,O=HIKVISION,CN=x", "tls", "x")]).maker == (
        "Hikvision"
    )
