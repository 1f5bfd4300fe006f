"""Device profiles (one TOML file a device model) and mixes: loading and expansion.

Pure: reads TOML text and returns data; the only file access is ``load_dir`` /
``builtin_*`` which read the shipped files.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from camcensus.base.errors import LabError
from camcensus.base.types import CLAIMABLE_DEVICE_TYPES
from camcensus.lab.recorder import check_recorder

__all__ = [
    "PLACEHOLDERS",
    "DeviceInstance",
    "Profile",
    "TlsChoice",
    "assign_profiles",
    "builtin_mix",
    "builtin_profile_dir",
    "device_ip",
    "load_dir",
    "load_mix",
    "load_profile",
    "make_instance",
    "poe_camera_ip",
    "poe_subnet",
    "render",
    "replay_bytes",
    "routed_device_ip",
    "routed_subnet",
    "tls_choice",
]

PROFILE_DIR = Path(__file__).parent / "profiles"
MIX_DIR = Path(__file__).parent / "mixes"
PLACEHOLDERS = frozenset(
    {"ip", "mac", "mac_dash", "mac_plain", "mac_hex", "serial", "uuid", "index"}
)
_HOLE = re.compile(r"\{\{|\}\}|\{([a-z_]*)\}")
_MAC_PREFIX = re.compile(r"[0-9a-f]+")
_REPLAY_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.reply")
REPLAY_DIR_NAME = "replies"
"""Replay files live in ``replies/`` beside the profile that names them."""
RTSP_METHODS = frozenset(
    {"OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"}
)
REPLAY_UDP = frozenset({"wsd", "ssdp"})
LAB_NETWORK = ipaddress.IPv4Network("198.18.0.0/23")
ADMIN_IP = ipaddress.IPv4Address("198.18.0.1")
FIRST_DEVICE_IP = ipaddress.IPv4Address("198.18.0.10")
MAX_DEVICES = 500
MAX_ROUTED_DEVICES = 1000
"""A routed lab holds more (16 subnets of 240): bench/routed.py brings up 1,000."""


@dataclass(frozen=True)
class Profile:
    """One device model: the parsed TOML plus where it came from."""

    id: str
    path: str
    data: Mapping[str, Any]

    @property
    def mac_prefix(self) -> str:
        """Prefix as lower-case hex digits without separators (6, 7 or 9 of them)."""
        return str(self.data["device"]["mac_prefix"]).replace(":", "").replace("-", "").lower()

    @property
    def truth(self) -> Mapping[str, Any]:
        return dict(self.data["truth"])

    @property
    def hostile(self) -> bool:
        return "hostile" in self.data or Path(self.path).parent.name == "hostile"

    def section(self, name: str) -> Mapping[str, Any] | None:
        value = self.data.get(name)
        return value if isinstance(value, Mapping) else None


@dataclass(frozen=True)
class DeviceInstance:
    """One emulated device: a profile at an index, with its address and MAC."""

    index: int
    profile_id: str
    ip: str
    mac: str
    serial: str
    uuid: str
    netns: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    recorder: int | None = None
    """The index of the recorder whose PoE network the device is on (None: the lab's)."""
    channel: int = 0
    """Its channel on that recorder (1-based; 0 when not behind one)."""

    @classmethod
    def from_state(cls, entry: Mapping[str, Any]) -> DeviceInstance:
        """The instance a lab state file (state.json ``devices``) describes."""
        return cls(
            index=int(entry["index"]),
            profile_id=str(entry["profile_id"]),
            ip=str(entry["ip"]),
            mac=str(entry["mac"]),
            serial=str(entry["serial"]),
            uuid=str(entry["uuid"]),
            netns=str(entry["netns"]),
            recorder=None if entry.get("recorder") is None else int(entry["recorder"]),
            channel=int(entry.get("channel", 0)),
        )

    def values(self) -> dict[str, str]:
        """Placeholder values for :func:`render`."""
        return {
            "ip": self.ip,
            "mac": self.mac,
            "mac_dash": self.mac.upper().replace(":", "-"),
            "mac_plain": self.mac.replace(":", ""),
            "mac_hex": self.mac.replace(":", "").upper(),
            "serial": self.serial,
            "uuid": self.uuid,
            "index": str(self.index),
        }


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{ip}``-style placeholders; ``{{``/``}}`` are literal braces.

    Unlike ``str.format`` this never evaluates attributes or indexes, so profile
    text from outside the repo cannot reach Python objects.
    """

    def fill(match: re.Match[str]) -> str:
        hole = match.group(0)
        if hole == "{{":
            return "{"
        if hole == "}}":
            return "}"
        name = match.group(1)
        if name not in values:
            raise LabError(f"unknown placeholder {hole!r}")
        return values[name]

    return _HOLE.sub(fill, text)


SECTIONS: Final = frozenset({
    "device", "truth", "tcp", "http", "rtsp", "onvif", "wsd", "ssdp", "sadp", "dhip",
    "netip", "mdns", "tls", "replay", "hostile", "flood", "recorder", "binary",
})  # fmt: skip
"""The tables a profile may have: one the emulator would not read (a misspelt
``[onvfi]``) is refused when the profile is loaded, never silently left out."""


def _check(profile_id: str, data: Mapping[str, Any], path: str) -> None:
    where = f"profile {path}"
    unknown = sorted(set(data) - SECTIONS)
    if unknown:
        raise LabError(
            f"{where}: unknown table(s) {', '.join(f'[{t}]' for t in unknown)}; "
            f"a profile has {', '.join(f'[{t}]' for t in sorted(SECTIONS))}"
        )
    device = data.get("device")
    truth = data.get("truth")
    if not isinstance(device, Mapping) or not isinstance(truth, Mapping):
        raise LabError(f"{where}: needs [device] and [truth] tables")
    if device.get("id") != profile_id:
        raise LabError(f"{where}: [device].id must be {profile_id!r} (the file name)")
    prefix = str(device.get("mac_prefix", "")).replace(":", "").replace("-", "").lower()
    if len(prefix) not in (6, 7, 9) or not _MAC_PREFIX.fullmatch(prefix):
        raise LabError(f"{where}: mac_prefix must be 6, 7 or 9 hex digits")
    if not device.get("sources"):
        raise LabError(f"{where}: [device].sources must cite where its facts come from")
    if truth.get("device_type") not in CLAIMABLE_DEVICE_TYPES:
        raise LabError(
            f"{where}: [truth].device_type must be one of {sorted(CLAIMABLE_DEVICE_TYPES)}"
        )
    for key in ("maker", "brand", "model", "firmware"):
        if not isinstance(truth.get(key), str):
            raise LabError(f"{where}: [truth].{key} must be a string")
    if not isinstance(truth.get("flagged"), bool):
        raise LabError(f"{where}: [truth].flagged must be true or false")
    _replay_names(data, where)
    tls = data.get("tls")
    if tls is not None:
        if not isinstance(tls, Mapping):
            raise LabError(f"{where}: [tls] must be a table")
        tls_choice(tls, f"{where}: [tls]")
    _check_binary(data.get("binary"), data.get("tcp"), where)
    recorder = data.get("recorder")
    if recorder is not None:
        if not isinstance(recorder, Mapping):
            raise LabError(f"{where}: [recorder] must be a table")
        check_recorder(recorder, where)


BINARY_SERVICES: Final = frozenset({"netip", "dvrip"})
"""The binary login services lab/binary.py speaks: Xiongmai 34567, Dahua 37777."""


def _check_binary(table: Any, tcp: Any, where: str) -> None:
    """``[binary]``: each service a table of port (one of ``[tcp].open``), username,
    password (lab-only)."""
    if table is None:
        return
    if not isinstance(table, Mapping) or set(table) - BINARY_SERVICES:
        raise LabError(f"{where}: [binary] has only {', '.join(sorted(BINARY_SERVICES))}")
    open_ports = {int(p) for p in (tcp or {}).get("open", [])}
    for kind, conf in table.items():
        if not isinstance(conf, Mapping) or not {"port", "username", "password"} <= set(conf):
            raise LabError(f"{where}: [binary].{kind} needs port, username and password")
        if int(conf["port"]) not in open_ports:
            raise LabError(f"{where}: [binary].{kind} port {conf['port']} is not in [tcp].open")


TLS_KEY_TYPES = ("ecdsa-p256", "rsa2048")
TLS_VERSIONS = ("1.2", "1.3")
TLS_NAME_KEYS = frozenset({"CN", "O", "OU", "C", "ST", "L"})
MAX_TLS_VALID_DAYS = 40 * 366


@dataclass(frozen=True)
class TlsChoice:
    """What a profile's ``[tls]`` serves: key type, highest TLS version, validity, and the
    issuer (a device CA signs the certificate; none: self-signed)."""

    key_type: str = "ecdsa-p256"
    max_version: str = "1.3"
    valid_days: int = 3650
    issuer: Mapping[str, str] | None = None


def tls_choice(table: Mapping[str, Any], where: str = "[tls]") -> TlsChoice:
    """The choices of a ``[tls]`` table; a value the lab cannot serve is a LabError."""
    key_type = table.get("key", "ecdsa-p256")
    if key_type not in TLS_KEY_TYPES:
        raise LabError(f"{where}: key must be one of {', '.join(TLS_KEY_TYPES)}")
    max_version = table.get("max_version", "1.3")
    if max_version not in TLS_VERSIONS:
        raise LabError(f"{where}: max_version must be one of {', '.join(TLS_VERSIONS)}")
    valid_days = table.get("valid_days", 3650)
    if (
        not isinstance(valid_days, int)
        or isinstance(valid_days, bool)
        or not 1 <= valid_days <= MAX_TLS_VALID_DAYS
    ):
        raise LabError(f"{where}: valid_days must be a whole number, 1 to {MAX_TLS_VALID_DAYS}")
    names: list[Mapping[str, str] | None] = []
    for name in ("subject", "issuer"):
        value = table.get(name)
        if value is not None and (
            not isinstance(value, Mapping)
            or not value
            or not set(value) <= TLS_NAME_KEYS
            or not all(isinstance(v, str) and v for v in value.values())
        ):
            raise LabError(
                f"{where}: {name} must be a table of non-empty strings keyed by "
                f"{', '.join(sorted(TLS_NAME_KEYS))}"
            )
        names.append(value)
    return TlsChoice(str(key_type), str(max_version), valid_days, names[1])


def _replay_names(data: Mapping[str, Any], where: str) -> list[str]:
    """Every file a ``[replay]`` table names, checked for shape (not yet for existence)."""
    replay = data.get("replay")
    if replay is None:
        return []
    if not isinstance(replay, Mapping):
        raise LabError(f"{where}: [replay] must be a table")
    names: list[str] = []
    unknown = set(replay) - {"rtsp", "http", "tcp", "udp"}
    if unknown:
        raise LabError(f"{where}: [replay] has unknown tables {sorted(unknown)}")
    rtsp = replay.get("rtsp", {})
    for method, name in rtsp.items():
        if method == "port":
            continue
        if method not in RTSP_METHODS:
            raise LabError(f"{where}: [replay.rtsp] {method!r} is not an RTSP method")
        names.append(name)
    names.extend(replay.get("http", {}).get("paths", {}).values())
    names.extend(replay.get("tcp", {}).values())
    udp = replay.get("udp", {})
    if set(udp) - REPLAY_UDP:
        raise LabError(f"{where}: [replay.udp] may name only {sorted(REPLAY_UDP)}")
    names.extend(udp.values())
    for name in names:
        if not isinstance(name, str) or not _REPLAY_FILE.fullmatch(name):
            raise LabError(f"{where}: replay file {name!r} must be a plain NAME.reply")
    return names


def replay_bytes(profile: Profile, name: str) -> bytes:
    """The bytes of one replay file of *profile* (``replies/NAME`` beside its TOML)."""
    path = Path(profile.path).parent / REPLAY_DIR_NAME / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LabError(f"profile {profile.path}: replay file {path}: {exc.strerror}") from exc


def load_profile(text: str, path: str) -> Profile:
    """Parse and validate one profile; *path* names it in errors and sets its id."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabError(f"profile {path}: {exc}") from exc
    profile_id = Path(path).stem
    _check(profile_id, data, path)
    return Profile(id=profile_id, path=path, data=data)


def load_dir(directory: Path, recursive: bool = True) -> dict[str, Profile]:
    """Load every ``*.toml`` profile below *directory*; duplicate ids are an error."""
    if not directory.is_dir():
        raise LabError(f"profile directory {directory} does not exist")
    found: dict[str, Profile] = {}
    paths = directory.rglob("*.toml") if recursive else directory.glob("*.toml")
    for path in sorted(paths):
        profile = load_profile(path.read_text(encoding="utf-8"), str(path))
        for name in _replay_names(profile.data, f"profile {path}"):
            replay_bytes(profile, name)  # a missing file fails here, not at lab up
        if profile.id in found:
            raise LabError(f"duplicate profile id {profile.id!r}: {found[profile.id].path}, {path}")
        found[profile.id] = profile
    return found


def builtin_profile_dir() -> Path:
    return PROFILE_DIR


def load_mix(text: str, name: str) -> dict[str, int]:
    """Parse a mix file: ``[weights]`` of profile id -> non-negative integer."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabError(f"mix {name}: {exc}") from exc
    weights = data.get("weights")
    if not isinstance(weights, Mapping) or not weights:
        raise LabError(f"mix {name}: needs a non-empty [weights] table")
    out: dict[str, int] = {}
    for pid, weight in weights.items():
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise LabError(f"mix {name}: weight of {pid!r} must be a whole number >= 0")
        out[str(pid)] = weight
    return out


def builtin_mix(name: str) -> dict[str, int]:
    path = MIX_DIR / f"{name}.toml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.is_file():
        known = sorted(p.stem for p in MIX_DIR.glob("*.toml"))
        raise LabError(f"unknown mix {name!r}; known mixes: {', '.join(known)}")
    return load_mix(path.read_text(encoding="utf-8"), name)


def assign_profiles(
    count: int, weights: Mapping[str, int], *, limit: int = MAX_DEVICES
) -> list[str]:
    """Spread *count* devices over profiles by weight, deterministically.

    Every profile with weight > 0 gets at least one device when *count* allows;
    the rest go by largest remainder.  Devices of one profile are interleaved with
    the others (round-robin over the per-profile counts), so a prefix of the lab is
    itself a mix.
    """
    ids = sorted(pid for pid, w in weights.items() if w > 0)
    if count < 0 or count > limit:
        raise LabError(f"device count must be between 0 and {limit}")
    if not ids:
        raise LabError("mix has no profile with a weight above 0")
    total = sum(weights[pid] for pid in ids)
    counts = dict.fromkeys(ids, 0)
    if count >= len(ids):
        for pid in ids:
            counts[pid] = 1
    remaining = count - sum(counts.values())
    if remaining > 0:
        shares = {pid: remaining * weights[pid] / total for pid in ids}
        for pid in ids:
            counts[pid] += int(shares[pid])
        left = count - sum(counts.values())
        by_remainder = sorted(ids, key=lambda p: (-(shares[p] - int(shares[p])), p))
        for pid in by_remainder[:left]:
            counts[pid] += 1
    else:
        # Fewer devices than profiles: the heaviest profiles first.
        for pid in sorted(ids, key=lambda p: (-weights[p], p))[:count]:
            counts[pid] = 1
    order: list[str] = []
    pending = {pid: n for pid, n in counts.items() if n}
    while pending:
        for pid in sorted(pending):
            order.append(pid)
            pending[pid] -= 1
        pending = {pid: n for pid, n in pending.items() if n}
    return order


def device_ip(index: int) -> str:
    """Address of device *index* (1-based): 198.18.0.10, .11, ... into 198.18.1.x."""
    if not 1 <= index <= MAX_DEVICES:
        raise LabError(f"device index {index} out of range 1..{MAX_DEVICES}")
    return str(FIRST_DEVICE_IP + (index - 1))


ROUTED_SPACE = ipaddress.IPv4Network("198.18.16.0/20")
"""Where a routed lab's device subnets live: 198.18.16.0/24, 198.18.17.0/24, ..."""
ROUTER_ADMIN_IP = ipaddress.IPv4Address("198.18.0.254")
"""The lab router's address on the admin segment (the flat /23)."""
MAX_ROUTED_SUBNETS = 16
ROUTED_HOSTS_EACH = 240  # .10 - .249 of each /24; the router is .1


def routed_subnet(k: int) -> ipaddress.IPv4Network:
    """Routed subnet *k* (0-based): 198.18.16.0/24 + k."""
    if not 0 <= k < MAX_ROUTED_SUBNETS:
        raise LabError(f"routed subnet {k} out of range 0..{MAX_ROUTED_SUBNETS - 1}")
    return ipaddress.IPv4Network((int(ROUTED_SPACE.network_address) + 256 * k, 24))


def routed_device_ip(index: int, subnets: int) -> tuple[int, str]:
    """(subnet, address) of device *index* (1-based) spread round-robin over *subnets*
    routed subnets: device 1 on subnet 0 at .10, device 2 on subnet 1 at .10, ..."""
    if not 1 <= index <= MAX_ROUTED_DEVICES:
        raise LabError(f"device index {index} out of range 1..{MAX_ROUTED_DEVICES}")
    k, slot = (index - 1) % subnets, (index - 1) // subnets
    if slot >= ROUTED_HOSTS_EACH:
        raise LabError(f"{subnets} routed subnets hold at most {subnets * ROUTED_HOSTS_EACH}")
    return k, str(routed_subnet(k).network_address + 10 + slot)


POE_SPACE = ipaddress.IPv4Network("198.19.0.0/16")
"""Where recorders' PoE networks live: recorder r (1-based) gets 198.19.r.0/24, itself at .1
and its channel c at .(10 + c): lab addresses, like every lab network, reached only from
the recorder's own namespace."""
MAX_RECORDERS = 254


def poe_subnet(r: int) -> ipaddress.IPv4Network:
    """The PoE network of the lab's recorder *r* (1-based)."""
    if not 1 <= r <= MAX_RECORDERS:
        raise LabError(f"recorder {r} out of range 1..{MAX_RECORDERS}")
    return ipaddress.IPv4Network((int(POE_SPACE.network_address) + 256 * r, 24))


def poe_camera_ip(r: int, channel: int) -> str:
    """The address of channel *channel* (1-based) on recorder *r*'s PoE network."""
    return str(poe_subnet(r).network_address + 10 + channel)


def _mac(prefix: str, index: int) -> str:
    free = 12 - len(prefix)
    if index >= 16**free:
        raise LabError(f"MAC prefix {prefix} leaves no room for device {index}")
    digits = prefix + format(index, f"0{free}x")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def make_instance(
    profile: Profile, index: int, netns: str = "", ip: str | None = None
) -> DeviceInstance:
    """The device at *index* built from *profile*: address (the flat lab's unless given),
    MAC, serial, UUID."""
    serial_prefix = str(profile.data["device"].get("serial_prefix", profile.id.upper()[:12]))
    return DeviceInstance(
        index=index,
        profile_id=profile.id,
        ip=ip or device_ip(index),
        mac=_mac(profile.mac_prefix, index),
        serial=f"{serial_prefix}{index:05d}",
        uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"camcensus-lab/{profile.id}/{index}")),
        netns=netns,
    )


def merged_profiles(extra_dirs: Sequence[Path] = ()) -> dict[str, Profile]:
    """Built-in profiles plus those in *extra_dirs* (an extra may not reuse a built-in id)."""
    profiles = load_dir(PROFILE_DIR)
    for directory in extra_dirs:
        for pid, profile in load_dir(directory).items():
            if pid in profiles:
                raise LabError(f"profile id {pid!r} in {profile.path} is already defined")
            profiles[pid] = profile
    return profiles


def check_mix(weights: Mapping[str, int], profiles: Iterable[str]) -> None:
    known = set(profiles)
    unknown = sorted(pid for pid in weights if pid not in known)
    if unknown:
        raise LabError(f"mix names unknown profiles: {', '.join(unknown)}")
