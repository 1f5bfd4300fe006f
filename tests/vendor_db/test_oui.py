"""MAC prefix lookup: longest prefix over MA-L, MA-M and MA-S, randomised MACs, IEEE import."""

from __future__ import annotations

from pathlib import Path

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import Evidence
from camcensus.vendor_db.identify import identify
from camcensus.vendor_db.oui import (
    OuiEntry,
    OuiTables,
    format_prefix,
    load_oui_tables,
    lookup_mac,
    normalise_mac,
    oui_data_dir,
    parse_ieee_csv,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def test_ma_l_from_aiooui() -> None:
    info = lookup_mac("00:BC:99:12:34:56")
    assert info.organisation == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert (info.prefix, info.prefix_bits, info.registry) == ("00:BC:99", 24, "MA-L")
    assert info.source is not None
    assert info.source.startswith("aiooui")


def test_ma_m_longest_prefix_beats_registration_authority_block() -> None:
    # B0:B3:53 is an "IEEE Registration Authority" MA-L block; the /28 names Hikrobot
    inside = lookup_mac("b0-b3-53-6a-00-01")
    assert inside.organisation == "Hangzhou Hikrobot Technology Co., Ltd."
    assert (inside.prefix_bits, inside.registry) == (28, "MA-M")
    outside = lookup_mac("b0:b3:53:7a:00:01")
    assert outside.organisation is None


def test_ma_s_iab_36_bit_prefix() -> None:
    assert lookup_mac("00:50:c2:be:7f:ff").organisation == "Genetec Inc."
    assert lookup_mac("00:50:c2:be:80:00").organisation is None
    assert lookup_mac("00:50:c2:be:7f:ff").prefix == "00:50:C2:BE:70/36"


def test_longest_prefix_across_layers() -> None:
    tables = OuiTables.build(
        [
            ("a", [OuiEntry(24, 0xA8BBCC, "Short", "MA-L", "t")]),
            (
                "b",
                [
                    OuiEntry(28, 0xA8BBCC1, "Medium", "MA-M", "t"),
                    OuiEntry(36, 0xA8BBCC123, "Long", "MA-S", "t"),
                ],
            ),
        ]
    )
    assert lookup_mac("a8:bb:cc:12:34:56", tables).organisation == "Long"
    assert lookup_mac("a8:bb:cc:1f:34:56", tables).organisation == "Medium"
    assert lookup_mac("a8:bb:cc:ff:34:56", tables).organisation == "Short"


@pytest.mark.parametrize("mac", ["da:a1:19:00:00:01", "02:00:00:00:00:01", "ae:12:34:56:78:9a"])
def test_randomised_macs_have_no_maker(mac: str) -> None:
    info = lookup_mac(mac)
    assert info.randomised
    assert info.organisation is None


def test_multicast_is_not_randomised() -> None:
    info = lookup_mac("01:00:5e:00:00:fb")
    assert info.multicast
    assert not info.randomised


@pytest.mark.parametrize("bad", ["", "00:11:22:33:44", "zz:11:22:33:44:55", "0" * 40])
def test_bad_macs_raise(bad: str) -> None:
    with pytest.raises(VendorDataError):
        normalise_mac(bad)


def test_format_prefix() -> None:
    assert format_prefix(0x00BC99, 24) == "00:BC:99"
    assert format_prefix(0xB0B3536, 28) == "B0:B3:53:60/28"


def test_parse_ieee_csv_all_registries() -> None:
    mam = parse_ieee_csv((DATA / "ieee_sample_mam.csv").read_text(), "mam")
    s36 = parse_ieee_csv((DATA / "ieee_sample_oui36.csv").read_text(), "s36")
    assert [(e.registry, e.bits, e.prefix) for e in mam] == [
        ("MA-M", 28, 0x10DCB61),
        ("MA-M", 28, 0xB0B3536),
    ]
    assert [(e.registry, e.bits) for e in s36] == [("MA-S", 36), ("IAB", 36)]
    assert s36[0].organisation == "Example MA-S Sensor BV"


def test_parse_ieee_csv_rejects_bad_files() -> None:
    with pytest.raises(VendorDataError, match="7 hex digits"):
        parse_ieee_csv((DATA / "ieee_bad.csv").read_text(), "bad")
    with pytest.raises(VendorDataError, match="not an IEEE registry CSV"):
        parse_ieee_csv("a,b,c\n", "x")
    with pytest.raises(VendorDataError, match="unknown registry"):
        parse_ieee_csv(
            "Registry,Assignment,Organization Name,Organization Address\nXX,001122,Y,\n", "x"
        )


def test_imported_csvs_take_precedence(tmp_path: Path) -> None:
    for name in ("ieee_sample_mam.csv", "ieee_sample_oui36.csv", "ieee_sample_oui.csv"):
        (tmp_path / name).write_text((DATA / name).read_text())
    tables = load_oui_tables(tmp_path)
    assert lookup_mac("10:dc:b6:1a:00:00", tables).organisation == "Example MA-M Camera Works"
    assert lookup_mac("10:dc:b6:5a:00:00", tables).organisation == "Milesight Taiwan"
    assert lookup_mac("70:b3:d5:12:3f:00", tables).organisation == "Example MA-S Sensor BV"
    assert lookup_mac("00:50:c2:be:8f:00", tables).organisation == "Example IAB Recorder Ltd"
    # same /28 in the import and in oui_extra.csv: the import wins
    assert (
        lookup_mac("b0:b3:53:6a:00:01", tables).organisation
        == "Imported Hikrobot Spelling Co., Ltd."
    )
    # same /24 in the import and in aiooui: the import wins
    assert lookup_mac("00:bc:99:00:00:01", tables).organisation == "Imported Override Org"


def test_oui_data_dir_from_environment(tmp_path: Path) -> None:
    assert oui_data_dir({"CAMCENSUS_DATA_DIR": str(tmp_path)}) == tmp_path / "oui"
    assert oui_data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "camcensus" / "oui"


@pytest.mark.parametrize(
    ("mac", "maker"),
    [
        ("00:04:7d:0e:b8:5c", "Motorola Solutions"),  # a Pelco D6230L's (vendors.toml notes)
        ("00:18:85:30:a2:14", "Motorola Solutions"),  # an Avigilon camera's
        ("00:62:01:00:00:01", None),  # Motorola Mobility LLC, a Lenovo Company: phones
    ],
)
def test_a_block_the_ieee_lists_under_an_owner_names_the_owner(mac: str, maker: str | None) -> None:
    result = identify([Evidence("mac", mac, "arp", "198.18.0.5")])
    assert result.maker == maker
    assert result.flag.to_dict()["level"] == "no"


def test_an_owners_block_supports_the_one_vendor_it_owns_that_other_evidence_names() -> None:
    mac = Evidence("mac", "00:04:7d:0e:b8:5c", "arp", "198.18.0.5")  # Motorola Solutions'
    pelco = Evidence("onvif.manufacturer", "Pelco", "onvif", "198.18.0.5")
    alone = identify([pelco])
    both = identify([mac, pelco])
    assert both.maker == "Pelco"
    assert both.confidence > alone.confidence  # support, not disagreement
    assert not any("disagrees" in note for note in both.conflicts)
    # two of its vendors named: the owner's block supports neither
    avigilon = Evidence("upnp.manufacturer", "Avigilon", "ssdp", "198.18.0.5")
    assert any("Motorola Solutions" in note for note in identify([mac, pelco, avigilon]).conflicts)


@pytest.mark.parametrize(
    ("mac", "maker", "brand"),
    [
        ("00:23:63:12:34:56", "Raysharp", None),  # MA-L Zhuhai Raysharp Technology
        ("58:e8:76:01:23:45", "Raysharp", None),  # its MA-M block 58:E8:76:0 (oui_extra.csv)
        ("70:b9:bb:12:34:56", "Hankvision", None),
        ("b0:d7:de:12:34:56", "Linovision", None),
        ("9c:a3:a9:12:34:56", "Guangdong Juan", None),  # Guangzhou Juan Optical and Electronical
        ("08:3a:2f:12:34:56", "Guangdong Juan", None),  # Guangzhou Juan Intelligent Tech
        ("84:d0:db:12:34:56", "Guangdong Juan", None),  # Guangdong Juan Intelligent Technology
        ("a4:86:db:12:34:56", "Guangdong Juan", None),
        ("ec:15:fe:12:34:56", "Hikvision", "Hiksemi"),  # Hangzhou Hikstorage: Hikvision's
        ("58:70:c6:12:34:56", "YI Technology", None),  # Shanghai Xiaoyi Technology
        ("2c:6f:51:12:34:56", "Herospeed", None),
        ("28:64:ef:12:34:56", "Fsan Intelligent", None),  # Shenzhen Fsan Intelligent Technology
        ("e8:b7:23:12:34:56", "Vatilon", None),
        ("00:22:ca:12:34:56", "Anviz", None),
        ("0c:aa:ee:12:34:56", "Ansjer", None),
        ("74:19:f8:d1:23:45", "Ansjer", None),  # its MA-M 74:19:F8:D (oui_extra.csv)
        ("00:21:db:12:34:56", "Santachi", None),
    ],
)
def test_camera_and_recorder_makers_blocks_name_them(
    mac: str, maker: str, brand: str | None
) -> None:
    result = identify([Evidence("mac", mac, "arp", "198.18.0.5")])
    assert (result.maker, result.brand) == (maker, brand)
    assert result.flag.to_dict()["level"] == "flagged"


@pytest.mark.parametrize(
    "mac",
    [
        "58:e8:76:c1:23:45",  # the MA-M next to Raysharp's in 58:E8:76: not its block
        "84:8a:59:12:34:56",  # Hisilicon: a chip maker, noted as such, names no device maker
        "10:2f:a3:12:34:56",  # Shenzhen Uvision-tech: what it makes was not found in a source
        "00:22:96:12:34:56",  # LinoWave Corporation: not Linovision
        "c4:5b:f7:12:34:56",  # "ants" (Busan, KR): not the makers of YI ('Yi Ants') cameras
        "18:5a:e8:12:34:56",  # Zenotech.Co.,Ltd (Seongnam, KR): not the Chinese Zenotech/Videopark
        "20:55:32:12:34:56",  # Gotech International: not shown to be Zhuhai Gotech (Stavix boards)
        "18:a9:58:12:34:56",  # PROVISION THAI CO., LTD.: not Provision-ISR
        "00:22:e9:12:34:56",  # ProVision Communications: not Provision-ISR
    ],
)
def test_near_miss_blocks_name_no_maker(mac: str) -> None:
    result = identify([Evidence("mac", mac, "arp", "198.18.0.5")])
    assert result.maker is None
    assert result.flag.to_dict()["level"] == "no"


@pytest.mark.parametrize(
    ("mac", "maker"),
    [
        ("a4:da:22:21:23:45", "Wyze"),  # MA-M A4:DA:22:2 Wyze Labs Inc
        ("1c:ca:e3:71:23:45", "DoorBird"),  # MA-M 1C:CA:E3:7 Bird Home Automation GmbH
        ("0c:73:eb:d1:23:45", "D-Link"),  # MA-M 0C:73:EB:D D-Link (Shanghai)
        ("00:50:c2:62:21:23", "2N"),  # IAB 00:50:C2:62:2 2N TELEKOMUNIKACE
        ("00:50:c2:29:c1:23", "2N"),  # IAB 00:50:C2:29:C
        ("00:50:c2:9b:f1:23", "2N"),  # IAB 00:50:C2:9B:F
        ("00:50:c2:81:f1:23", "2N"),  # IAB 00:50:C2:81:F
        ("a0:e0:25:12:34:56", "Provision-ISR"),  # MA-L, Kfar Saba (IL)
        ("74:f8:db:51:23:45", "Provision-ISR"),  # MA-M 74:F8:DB:5 (oui_extra.csv)
        ("84:11:c2:c1:23:45", "Provision-ISR"),  # MA-M 84:11:C2:C (oui_extra.csv)
        ("00:d0:89:12:34:56", "Dynacolor"),  # Taipei (TW)
        ("00:1b:fe:12:34:56", "Zavio"),  # Hsinchu (TW)
    ],
)
def test_video_makers_blocks_outside_countries_of_concern_name_them_unflagged(
    mac: str, maker: str
) -> None:
    result = identify([Evidence("mac", mac, "arp", "198.18.0.5")])
    assert result.maker == maker
    assert result.flag.to_dict()["level"] == "no"


@pytest.mark.parametrize("label", ["Juan", "FSAN", "Huishi", "Xiaoyi", "GPON ONT FSAN"])
def test_words_other_text_uses_are_no_alias_of_the_new_makers(label: str) -> None:
    # given names, the PON standards forum, a common word: an ONVIF manufacturer or a page
    # title holding one names none of Guangdong Juan, Fsan Intelligent, Vatilon, YI Technology
    for key in ("onvif.manufacturer", "http.title"):
        result = identify([Evidence(key, label, "onvif", "198.18.0.5")])
        assert result.maker not in {
            "Guangdong Juan",
            "Fsan Intelligent",
            "Vatilon",
            "YI Technology",
        }
        assert result.flag.to_dict()["level"] == "no"
