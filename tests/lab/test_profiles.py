"""Schema and consistency checks for the lab's device profiles and mixes (pure: no namespaces).

The lab's own loader (lab/profiles.py) is written separately; the small loading helpers here read
the TOML files with tomllib so this test depends only on the data and on lab/README.md's schema.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from camcensus.lab import ssdp
from camcensus.lab.profiles import load_profile, make_instance, render

REPO = Path(__file__).resolve().parents[2]
PROFILE_DIR = REPO / "lab" / "profiles"
HOSTILE_DIR = PROFILE_DIR / "hostile"
REPLAY_DIR = PROFILE_DIR / "replay"
MIX_DIR = REPO / "lab" / "mixes"

TABLES = frozenset(
    {
        "device",
        "truth",
        "tcp",
        "http",
        "tls",
        "rtsp",
        "onvif",
        "wsd",
        "mdns",
        "sadp",
        "dhip",
        "netip",
        "ssdp",
        "hostile",
        "replay",
        "binary",
    }
)
TRUTH_KEYS = frozenset({"maker", "brand", "model", "firmware", "device_type", "flagged"})
DEVICE_TYPES = frozenset({"camera", "nvr", "other"})
PLACEHOLDERS = frozenset(
    {"ip", "mac", "mac_dash", "mac_plain", "mac_hex", "serial", "uuid", "index"}
)
# WS-Discovery raw envelopes may also echo the probe's ids (lab/README.md, [wsd].raw).
WSD_RAW_PLACEHOLDERS = PLACEHOLDERS | {"message_id", "relates_to"}
# HTTP headers may carry a fresh Digest nonce (lab/README.md, [[http.paths]]).
HTTP_HEADER_PLACEHOLDERS = PLACEHOLDERS | {"nonce"}
HOSTILE_HTTP = frozenset({"trickle", "reset", "huge", "none"})
MAC_PREFIX_HEX_DIGITS = frozenset({6, 7, 9})  # MA-L, MA-M, MA-S (IAB) blocks

_FIELD_RE = re.compile(r"\{([^{}]*)\}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab, LF, CR


# ---------------------------------------------------------------- loading helpers


def _profile_paths() -> list[Path]:
    return (
        sorted(PROFILE_DIR.glob("*.toml"))
        + sorted(HOSTILE_DIR.glob("*.toml"))
        + sorted(REPLAY_DIR.glob("*.toml"))
    )


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _is_hostile(path: Path) -> bool:
    return path.parent == HOSTILE_DIR


PATHS = _profile_paths()
PROFILES: dict[str, dict[str, Any]] = {p.stem: _load(p) for p in PATHS}
HOSTILE_IDS = frozenset(p.stem for p in PATHS if _is_hostile(p))
NORMAL_IDS = frozenset(PROFILES) - HOSTILE_IDS


def _mix(name: str) -> dict[str, Any]:
    weights = _load(MIX_DIR / f"{name}.toml")["weights"]
    assert isinstance(weights, dict)
    return weights


# ---------------------------------------------------------------- pure checkers


def mac_prefix_problem(prefix: str, *, randomised_allowed: bool) -> str | None:
    """Why `prefix` is not a valid profile MAC prefix, or None when it is."""
    digits = prefix.replace(":", "").replace("-", "")
    if len(digits) not in MAC_PREFIX_HEX_DIGITS:
        return f"{len(digits)} hex digits, want one of {sorted(MAC_PREFIX_HEX_DIGITS)}"
    if not re.fullmatch(r"[0-9A-Fa-f]+", digits):
        return "not hexadecimal"
    first_octet = int(digits[:2], 16)
    if first_octet & 0x01:
        return "group (multicast) bit set"
    if first_octet & 0x02 and not randomised_allowed:
        return "locally administered, but the profile is not about randomised MACs"
    return None


def placeholder_problems(text: str, allowed: frozenset[str]) -> list[str]:
    """Unknown placeholders and stray braces in one profile string."""
    unescaped = text.replace("{{", "").replace("}}", "")
    problems = [
        f"unknown placeholder {{{name}}}"
        for name in _FIELD_RE.findall(unescaped)
        if name not in allowed
    ]
    leftover = _FIELD_RE.sub("", unescaped)
    if "{" in leftover or "}" in leftover:
        problems.append("unbalanced brace (write literal braces as {{ and }})")
    return problems


def _strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string value (and table key) in a parsed TOML tree, with its dotted path."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), key
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, str(i)))


def revealed_firmware(profile: dict[str, Any]) -> str | None:
    """The firmware string an unauthenticated scanner reads first, if any channel reveals it."""
    onvif = profile.get("onvif")
    if onvif is not None and "username" not in onvif:
        return str(onvif["firmware"])
    sadp_fields = profile.get("sadp", {}).get("fields", {})
    if "SoftwareVersion" in sadp_fields:
        return str(sadp_fields["SoftwareVersion"])
    dhip_info = profile.get("dhip", {}).get("device_info", {})
    if "Version" in dhip_info:
        return str(dhip_info["Version"])
    return None


def revealed_model(profile: dict[str, Any]) -> str | None:
    """The model string an unauthenticated scanner would read first from a structured channel."""
    onvif = profile.get("onvif")
    if onvif is not None and "username" not in onvif:
        return str(onvif["model"])
    sadp_fields = profile.get("sadp", {}).get("fields", {})
    if "DeviceDescription" in sadp_fields:
        return str(sadp_fields["DeviceDescription"])
    dhip_info = profile.get("dhip", {}).get("device_info", {})
    if "DeviceType" in dhip_info:
        return str(dhip_info["DeviceType"])
    return None


def _randomised(profile: dict[str, Any]) -> bool:
    return "randomi" in str(profile["device"].get("description", "")).lower()


def _replays(profile: dict[str, Any]) -> bool:
    """A replay device: its evidence is a real device's replies only, so its MAC is
    locally administered and names no maker."""
    return "replay" in profile


# ---------------------------------------------------------------- checker self-tests


@pytest.mark.parametrize(
    ("prefix", "randomised_allowed", "ok"),
    [
        ("BC:AD:28", False, True),
        ("10:DC:B6:5", False, True),
        ("00:50:C2:3B:6", False, True),
        ("bcad28", False, True),
        ("BC:AD", False, False),
        ("BC:AD:28:1F", False, False),
        ("ZZ:AD:28", False, False),
        ("01:00:5E", False, False),
        ("DA:A1:19", False, False),
        ("DA:A1:19", True, True),
    ],
)
def test_mac_prefix_checker(prefix: str, randomised_allowed: bool, ok: bool) -> None:
    problem = mac_prefix_problem(prefix, randomised_allowed=randomised_allowed)
    assert (problem is None) is ok, problem


@pytest.mark.parametrize(
    ("text", "n_problems"),
    [
        ("http://{ip}/onvif/device_service", 0),
        ("{mac} {mac_dash} {mac_plain} {mac_hex} {serial} {uuid} {index}", 0),
        ("Built {{WBP2CN1716AR}}", 0),
        ("{bogus}", 1),
        ("{message_id}", 1),
        ("lone { brace", 1),
        ("lone } brace", 1),
    ],
)
def test_placeholder_checker(text: str, n_problems: int) -> None:
    assert len(placeholder_problems(text, PLACEHOLDERS)) == n_problems


def test_revealed_firmware_prefers_open_onvif_then_sadp_then_dhip() -> None:
    profile: dict[str, Any] = {
        "onvif": {"firmware": "onvif-fw", "model": "m", "username": "u"},
        "sadp": {"fields": {"SoftwareVersion": "sadp-fw"}},
        "dhip": {"device_info": {"Version": "dhip-fw"}},
    }
    assert revealed_firmware(profile) == "sadp-fw"
    del profile["onvif"]["username"]
    assert revealed_firmware(profile) == "onvif-fw"
    assert revealed_firmware({"dhip": {"device_info": {"Version": "dhip-fw"}}}) == "dhip-fw"
    assert revealed_firmware({"tcp": {"open": []}}) is None


# ---------------------------------------------------------------- per-profile checks

by_profile = pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])


@by_profile
def test_only_known_tables(path: Path) -> None:
    assert set(PROFILES[path.stem]) <= TABLES


@by_profile
def test_device_table(path: Path) -> None:
    device = PROFILES[path.stem]["device"]
    assert device["id"] == path.stem
    assert isinstance(device["description"], str)
    assert device["description"].strip()
    sources = device["sources"]
    assert isinstance(sources, list)
    assert sources
    assert all(isinstance(s, str) and s.strip() for s in sources)


@by_profile
def test_mac_prefix(path: Path) -> None:
    profile = PROFILES[path.stem]
    problem = mac_prefix_problem(
        profile["device"]["mac_prefix"],
        randomised_allowed=_randomised(profile) or _replays(profile),
    )
    assert problem is None, problem
    if _replays(profile):
        assert int(profile["device"]["mac_prefix"][:2], 16) & 0x02, "replay MACs name no maker"


@by_profile
def test_truth_table(path: Path) -> None:
    profile = PROFILES[path.stem]
    truth = profile["truth"]
    assert set(truth) == TRUTH_KEYS
    for key in ("maker", "brand", "model", "firmware"):
        assert isinstance(truth[key], str), key
    assert truth["device_type"] in DEVICE_TYPES
    assert isinstance(truth["flagged"], bool)
    if not _randomised(profile):
        assert truth["maker"], "only a randomised MAC may leave the maker unknown"


@by_profile
def test_placeholders(path: Path) -> None:
    profile = PROFILES[path.stem]
    problems = []
    for where, text in _strings(profile):
        allowed = PLACEHOLDERS
        if where == ("wsd", "raw"):
            allowed = WSD_RAW_PLACEHOLDERS
        elif where[:1] == ("http",) and "headers" in where:
            allowed = HTTP_HEADER_PLACEHOLDERS
        problems += [f"{'.'.join(where)}: {p}" for p in placeholder_problems(text, allowed)]
    assert not problems


@by_profile
def test_serial_prefix_present_when_serial_used(path: Path) -> None:
    profile = PROFILES[path.stem]
    uses_serial = any("{serial}" in text for _, text in _strings(profile))
    if uses_serial:
        assert isinstance(profile["device"].get("serial_prefix"), str)


@by_profile
def test_served_ports_are_open(path: Path) -> None:
    profile = PROFILES[path.stem]
    open_ports = set(profile.get("tcp", {}).get("open", []))
    served: set[int] = set(profile.get("http", {}).get("ports", []))
    served |= set(profile.get("tls", {}).get("ports", []))
    if "rtsp" in profile:
        served.add(profile["rtsp"]["port"])
    served |= {entry["port"] for entry in profile.get("mdns", [])}
    replay = profile.get("replay", {})
    if "rtsp" in replay:
        served.add(replay["rtsp"].get("port", 554))
    if "http" in replay:
        served.add(replay["http"].get("port", 80))
    served |= {int(port) for port in replay.get("tcp", {})}
    assert served <= open_ports, sorted(served - open_ports)
    tcp = profile.get("tcp", {})
    for port in [*tcp.get("banners", {}), *tcp.get("replies", {})]:
        assert int(port) in open_ports
    for answer in tcp.get("replies", {}).values():
        assert bytes.fromhex(answer)


@by_profile
def test_http_backed_services_have_http(path: Path) -> None:
    profile = PROFILES[path.stem]
    for table in ("onvif", "ssdp", "tls"):
        if table in profile:
            assert profile.get("http", {}).get("ports"), f"[{table}] needs [http].ports"
    for entry in profile.get("http", {}).get("paths", []):
        assert entry["path"].startswith("/")
        assert 100 <= entry["status"] <= 599


@by_profile
def test_ssdp_description_gives_the_discovery_messages(path: Path) -> None:
    table = PROFILES[path.stem].get("ssdp")
    if table is None:
        return
    assert table.get("dialect", "uda") in ssdp.DIALECTS
    values = make_instance(load_profile(path.read_text(encoding="utf-8"), str(path)), 1).values()
    found = ssdp.targets(render(table["description"], values))
    # UDA 1.1 1.1.2: rootdevice first, then uuid and type of every device; USNs start uuid:
    assert found[0].nt == "upnp:rootdevice"
    assert all(t.usn.startswith("uuid:") and t.nt for t in found)
    assert len({t.nt for t in found}) == len(found)


@by_profile
def test_onvif_credentials_come_in_pairs(path: Path) -> None:
    onvif = PROFILES[path.stem].get("onvif", {})
    assert ("username" in onvif) == ("password" in onvif)


@by_profile
def test_hostile_table(path: Path) -> None:
    profile = PROFILES[path.stem]
    hostile = profile.get("hostile")
    if hostile is not None:
        assert _is_hostile(path), "misbehaving devices belong in lab/profiles/hostile/"
        assert hostile.get("http") in HOSTILE_HTTP
        if hostile.get("http") == "huge":
            assert isinstance(hostile.get("huge_bytes"), int)
            assert hostile["huge_bytes"] > 0
    if _is_hostile(path):
        strings = list(_strings(profile))
        has_raw = any(where[-1] in ("raw", "raw_json") for where, _ in strings)
        has_control = any(_CONTROL_RE.search(text) for _, text in strings)
        assert hostile is not None or has_raw or has_control, "a hostile profile must misbehave"


normal_profile = pytest.mark.parametrize("profile_id", sorted(NORMAL_IDS), ids=sorted(NORMAL_IDS))


@normal_profile
def test_truth_firmware_is_what_a_scanner_reads(profile_id: str) -> None:
    profile = PROFILES[profile_id]
    expected = revealed_firmware(profile)
    assert profile["truth"]["firmware"] == ("" if expected is None else expected)


@normal_profile
def test_truth_model_is_what_a_scanner_reads(profile_id: str) -> None:
    profile = PROFILES[profile_id]
    expected = revealed_model(profile)
    if expected is not None:
        assert profile["truth"]["model"] == expected


# ---------------------------------------------------------------- whole-collection checks


def test_ids_are_unique() -> None:
    ids = [_load(p)["device"]["id"] for p in PATHS]
    assert len(ids) == len(set(ids))


def test_enough_realistic_profiles_and_makers() -> None:
    makers = {PROFILES[i]["truth"]["maker"] for i in NORMAL_IDS} - {""}
    assert len(NORMAL_IDS) >= 20
    assert len(makers) >= 10


def test_every_block_size_is_exercised() -> None:
    lengths = {
        len(PROFILES[i]["device"]["mac_prefix"].replace(":", "").replace("-", ""))
        for i in NORMAL_IDS
    }
    assert lengths == MAC_PREFIX_HEX_DIGITS


def test_flag_policy_covers_both_outcomes() -> None:
    flags = [PROFILES[i]["truth"]["flagged"] for i in NORMAL_IDS]
    assert any(flags)
    assert not all(flags)
    for i in NORMAL_IDS:
        if PROFILES[i]["truth"]["device_type"] == "other":
            assert PROFILES[i]["truth"]["flagged"] is False, i


def test_onvif_auth_and_clock_skew_are_exercised() -> None:
    onvif = [PROFILES[i]["onvif"] for i in NORMAL_IDS if "onvif" in PROFILES[i]]
    with_auth = sum("username" in o for o in onvif)
    assert 0.25 <= with_auth / len(onvif) <= 0.5
    assert any(o.get("clock_skew_s", 0) != 0 for o in onvif)


def test_hostile_behaviours_are_all_present() -> None:
    behaviours = {PROFILES[i].get("hostile", {}).get("http") for i in HOSTILE_IDS}
    assert {"trickle", "huge", "reset"} <= behaviours
    assert "hostile-xml-bomb" in HOSTILE_IDS
    assert "hostile-escape-and-formula" in HOSTILE_IDS


# ---------------------------------------------------------------- mixes


@pytest.mark.parametrize("name", ["default", "hostile", "all", "replay"])
def test_mix_references_existing_profiles(name: str) -> None:
    weights = _mix(name)
    assert set(weights) <= set(PROFILES), sorted(set(weights) - set(PROFILES))
    for profile_id, weight in weights.items():
        assert isinstance(weight, int), profile_id
        assert not isinstance(weight, bool), profile_id
        assert weight >= 0, profile_id


def test_default_mix_is_every_realistic_profile() -> None:
    weights = _mix("default")
    assert set(weights) == NORMAL_IDS
    assert all(w >= 1 for w in weights.values())
    hikvision_dahua = sum(
        w for i, w in weights.items() if PROFILES[i]["truth"]["maker"] in {"Hikvision", "Dahua"}
    )
    assert hikvision_dahua * 3 >= sum(weights.values()), "Hikvision/Dahua should dominate"


def test_hostile_mix_is_only_hostile_profiles() -> None:
    weights = _mix("hostile")
    assert set(weights) == HOSTILE_IDS
    assert all(w >= 1 for w in weights.values())


def test_all_mix_is_everything() -> None:
    weights = _mix("all")
    assert set(weights) == set(PROFILES)
    assert all(w >= 1 for w in weights.values())


def test_every_wsd_dialect_is_known() -> None:
    from camcensus.lab.wsd import DIALECTS

    for path in _profile_paths():
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("wsd", {})
        assert table.get("dialect", "gsoap") in DIALECTS, path.name


def test_the_loader_refuses_a_misspelt_table(tmp_path: Path) -> None:
    """``lab up --profiles DIR`` with a profile whose ``[onvif]`` is spelt ``[onvfi]``
    fails at load, naming the table, instead of leaving ONVIF silently out."""
    from camcensus.base.errors import LabError
    from camcensus.lab.profiles import load_dir

    good = next(p for p in PATHS if "onvif" in PROFILES[p.stem])
    text = good.read_text(encoding="utf-8").replace("[onvif]", "[onvfi]", 1)
    (tmp_path / good.name).write_text(text, encoding="utf-8")
    with pytest.raises(LabError, match=r"unknown table\(s\) \[onvfi\]"):
        load_dir(tmp_path)
