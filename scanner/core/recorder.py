"""Cameras behind recorders (NVRs), pure: credentials, channel lists, child devices.

A recorder with a PoE switch puts its cameras on a private network of its own that no
scan reaches; the recorder lists them.  With credentials for it, camcensus asks once:

* Hikvision ISAPI ``GET /ISAPI/ContentMgmt/InputProxy/channels``: an
  ``InputProxyChannelList`` whose ``InputProxyChannel`` entries carry ``id``, ``name``
  and a ``sourceInputPortDescriptor`` (``proxyProtocol``, ``ipAddress``, ``model``,
  ``serialNumber``, ``firmwareVersion``; no MAC) as Home Assistant's hikvision_next reads
  them (maciej-or/hikvision_next@0ee15b5baed001b687cffedb6f7ba0332f2aa88d:
  tests/fixtures/devices/DS-7608NXI-I2.json, custom_components/hikvision_next/isapi.py).
* Dahua ``GET /cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice``: lines
  ``table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_<n>.<Field>=<value>`` (``<n>``
  the 0-based channel; also written ``table.RemoteDevice[<n>].<Field>``) with
  ``Address``, ``DeviceType``, ``Mac``, ``SerialNo``, ``Vendor``, ``Version``,
  ``ProtocolType``, ``Name``, ``Enable``, as integrations of Dahua-made recorders parse
  them (public GitHub files, search index hits 69399853102 and 46459199111).

Both answer behind HTTP Digest (RFC 7616): the first request goes without credentials
and its 401 gives the challenge; the second carries the one login attempt.  The Digest
response is computed here (MD5, qop=auth, 25 lines) rather than through httpx's or
requests' DigestAuth, which run their own request flow and would take the send out of
the probes' guard (``scanner.probes._io``); bench/recorder_client.py measures the
probe against httpx.DigestAuth on the lab's recorders (about 12x less wall time and
15x less CPU for the same 24 cameras, bench/results/recorder_client.json).

Without credentials, SADP (``DigitalChannelNum``, ``AnalogChannelNum``) and DHIP
(``RemoteVideoInputChannels``, ``VideoInputChannels``) still say how many channels a
recorder has: the recorder is recorded with "N cameras behind it, not listed:
credentials needed".

Each listed camera becomes a child ``Device`` of the recorder, identified and flagged
through ``vendor_db.identify`` like any device, from evidence of source ``recorder``.
Its key is the recorder's key plus ``/ch:<n>`` until a MAC is known (the recorder's key
keeps the site, so ``schema.site_of_key`` of a child is its recorder's site); with a MAC
it is keyed by the MAC like every device, so a camera moved to another recorder keeps
its history.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Final, Literal

from camcensus.base.errors import CredentialsError, MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._entries import credential_entries, networks
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core._xml import child, child_text, children, local_name, parse_xml
from camcensus.scanner.core.limits import MAX_XML_BYTES, clean_text
from camcensus.scanner.core.schema import Device, device_key_for, site_of_key
from camcensus.vendor_db.identify import identify
from camcensus.vendor_db.policy import Policy

__all__ = [
    "LIST_PATHS",
    "MAKER_APIS",
    "MAX_CHANNELS",
    "MAX_LIST_BYTES",
    "SOURCE",
    "Api",
    "Channel",
    "RecorderCredential",
    "RecorderCredentials",
    "channel_counts",
    "channel_evidence",
    "child_devices",
    "child_key",
    "choose_credential",
    "digest_authorization",
    "parse_challenge",
    "parse_channels",
    "parse_dahua_remote_devices",
    "parse_isapi_channels",
    "parse_recorder_credentials",
    "recorder_api",
    "unlisted_text",
]

SOURCE: Final = "recorder"
Api = Literal["isapi", "dahua"]
LIST_PATHS: Final[Mapping[Api, str]] = {
    "isapi": "/ISAPI/ContentMgmt/InputProxy/channels",
    "dahua": "/cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice",
}
MAKER_APIS: Final[Mapping[str, Api]] = {"hikvision": "isapi", "dahua": "dahua"}
"""The channel-list API of each maker family (by the vendor table's maker name)."""
MAX_CHANNELS: Final = 256
"""Most channels read from one recorder (the largest recorders have 256)."""
MAX_LIST_BYTES: Final = MAX_XML_BYTES
_DAHUA_LINE: Final = re.compile(
    r"table\.RemoteDevice(?:\.uuid:System_CONFIG_NETCAMERA_INFO_(\d{1,4})|\[(\d{1,4})\])"
    r"\.([A-Za-z][\w\[\].]{0,40})=(.*)"
)
_CHALLENGE_FIELD: Final = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_TOKEN: Final = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,256}")
"""A user name Digest can quote as it is: printable ASCII but space, '"' and '\\'."""


# ---------------------------------------------------------------- credentials


@dataclass(frozen=True, slots=True)
class RecorderCredential:
    """One recorder account: for recorders at ``hosts``, or of ``maker``, or (neither)
    every recorder; ``repr`` never shows the password."""

    username: str
    password: str = field(repr=False)
    hosts: tuple[IPv4Network, ...] = ()
    maker: str | None = None


@dataclass(frozen=True, slots=True)
class RecorderCredentials:
    """Every ``[[recorder]]`` entry, in file order."""

    entries: tuple[RecorderCredential, ...]


def parse_recorder_credentials(
    text: str, name: str = "recorder credentials file"
) -> RecorderCredentials:
    """``[[recorder]]`` entries (TOML): ``username``, ``password`` and optionally
    ``hosts`` (addresses or CIDRs) or ``maker`` (``hikvision``, ``dahua``).
    CredentialsError naming the entry at fault; the message never quotes a secret."""
    entries = []
    for where, entry in credential_entries(text, "recorder", name):
        username, password = entry.get("username"), entry.get("password")
        if not isinstance(username, str) or not username or not isinstance(password, str):
            raise CredentialsError(f"{where} needs a string username and password")
        if not password:
            raise CredentialsError(f"{where}: a username without a password is refused")
        if not _TOKEN.fullmatch(username):
            raise CredentialsError(
                f"{where}: the username has spaces, quotes, backslashes or control characters"
            )
        hosts = networks(entry.get("hosts", []), where, "hosts")
        maker = entry.get("maker")
        if maker is not None and (not isinstance(maker, str) or maker.lower() not in MAKER_APIS):
            raise CredentialsError(f"{where}: maker must be one of {', '.join(MAKER_APIS)}")
        if hosts and maker is not None:
            raise CredentialsError(f"{where}: give 'hosts' or 'maker', not both")
        entries.append(
            RecorderCredential(
                username, password, hosts, maker.lower() if maker is not None else None
            )
        )
    return RecorderCredentials(tuple(entries))


def choose_credential(
    credentials: RecorderCredentials, address: str, api: Api
) -> RecorderCredential | None:
    """The account for the recorder at ``address`` speaking ``api``: the first entry whose
    ``hosts`` hold the address, else the first for its maker, else the first for every
    recorder, else None."""
    ip = IPv4Address(address)
    entries = credentials.entries
    for entry in entries:
        if any(ip in network for network in entry.hosts):
            return entry
    for entry in entries:
        if entry.maker is not None and MAKER_APIS[entry.maker] == api:
            return entry
    return next((e for e in entries if not e.hosts and e.maker is None), None)


# ---------------------------------------------------------------- which recorder, how many


def _first_int(items: Iterable[Evidence], key: str) -> int | None:
    for item in items:
        if item.key == key and item.value.isdigit():
            return min(int(item.value), MAX_CHANNELS)
    return None


def channel_counts(items: Sequence[Evidence]) -> tuple[int, int] | None:
    """(digital, analog) channels a recorder announced (SADP, DHIP), or None."""
    for digital_key, analog_key in (
        ("sadp.digital_channels", "sadp.analog_channels"),
        ("dhip.remote_channels", "dhip.video_inputs"),
    ):
        digital = _first_int(items, digital_key)
        if digital is not None:
            return digital, _first_int(items, analog_key) or 0
    return None


def recorder_api(items: Sequence[Evidence], maker: str | None, device_type: str) -> Api | None:
    """The channel-list API of a host, or None when it is no recorder camcensus can list:
    one that announced digital channels over SADP (ISAPI) or DHIP (Dahua), or a host
    identified as an NVR of a maker family with such an API."""
    counts = channel_counts(items)
    if counts is not None and counts[0] > 0:
        return "isapi" if any(e.key.startswith("sadp.") for e in items) else "dahua"
    if device_type == "nvr" and maker is not None:
        return MAKER_APIS.get(maker.lower())
    return None


def unlisted_text(digital: int, reason: str) -> str:
    """What a recorder's ``recorder.unlisted`` evidence says."""
    noun = "camera" if digital == 1 else "cameras"
    return f"{digital} {noun} behind it, not listed: {reason}"


# ---------------------------------------------------------------- Digest


def parse_challenge(value: str) -> dict[str, str]:
    """The parameters of a ``WWW-Authenticate: Digest ...`` challenge (lower-case
    names); MalformedReplyError when it is no Digest challenge with a realm and nonce."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise MalformedReplyError(f"not a Digest challenge: {clean_text(scheme, 40)!r}")
    fields = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _CHALLENGE_FIELD.finditer(rest)
    }
    for name in ("realm", "nonce"):
        if name not in fields or len(fields[name]) > 256 or '"' in fields[name]:
            raise MalformedReplyError(f"Digest challenge without a usable {name}")
    algorithm = fields.get("algorithm", "MD5").upper()
    if algorithm != "MD5":
        raise MalformedReplyError(f"Digest algorithm {clean_text(algorithm, 20)!r} not supported")
    return fields


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_authorization(
    method: str,
    uri: str,
    username: str,
    password: str,
    challenge: Mapping[str, str],
    cnonce: str,
) -> str:
    """The ``Authorization`` value answering ``challenge`` (RFC 7616 section 3.4, MD5;
    qop=auth when offered, else the RFC 2069 form)."""
    realm, nonce = challenge["realm"], challenge["nonce"]
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",")]
    parts = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if "auth" in qops:
        response = _md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
        parts += ["qop=auth", "nc=00000001", f'cnonce="{cnonce}"']
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    parts += [f'response="{response}"', "algorithm=MD5"]
    if "opaque" in challenge:
        parts.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(parts)


# ---------------------------------------------------------------- channel lists


@dataclass(frozen=True, slots=True)
class Channel:
    """One camera as its recorder lists it (text fields cleaned and capped)."""

    number: int
    address: str
    protocol: str = ""
    name: str = ""
    vendor: str = ""
    model: str = ""
    firmware: str = ""
    serial: str = ""
    mac: str = ""


def _address(value: str | None) -> str:
    try:
        ip = IPv4Address((value or "").strip())
    except ValueError:
        return ""
    return "" if ip.is_unspecified else str(ip)


def _text(value: str | None) -> str:
    return clean_text(value or "")


def _channels(found: Iterable[Channel]) -> list[Channel]:
    """Channels with an address, one a number, in order, at most MAX_CHANNELS."""
    by_number: dict[int, Channel] = {}
    for item in found:
        if item.address and 0 < item.number <= MAX_CHANNELS * 4:
            by_number.setdefault(item.number, item)
    return [by_number[n] for n in sorted(by_number)][:MAX_CHANNELS]


def parse_isapi_channels(data: bytes) -> list[Channel]:
    """The cameras of a Hikvision ``InputProxyChannelList`` (channels without an
    address, offline slots, are left out). MalformedReplyError for anything else."""
    root = parse_xml(data, "ISAPI channel list", max_bytes=MAX_LIST_BYTES)
    if local_name(root.tag) != "InputProxyChannelList":
        raise MalformedReplyError(
            f"ISAPI channel list: unexpected root <{local_name(root.tag)[:40]}>"
        )
    found = []
    for item in children(root, "InputProxyChannel"):
        number = (child_text(item, "id") or "").strip()
        port = child(item, "sourceInputPortDescriptor")
        if not number.isdigit() or port is None:
            continue
        found.append(
            Channel(
                number=int(number),
                address=_address(child_text(port, "ipAddress")),
                protocol=_text(child_text(port, "proxyProtocol")),
                name=_text(child_text(item, "name")),
                model=_text(child_text(port, "model")),
                firmware=_text(child_text(port, "firmwareVersion")),
                serial=_text(child_text(port, "serialNumber")),
            )
        )
    return _channels(found)


def parse_dahua_remote_devices(data: bytes) -> list[Channel]:
    """The cameras of a Dahua ``RemoteDevice`` configuration (disabled entries and
    those without an address are left out). MalformedReplyError when no line is one."""
    if len(data) > MAX_LIST_BYTES:
        raise ReplyTooLargeError(f"Dahua RemoteDevice: {len(data)} bytes, cap {MAX_LIST_BYTES}")
    text = data.decode("utf-8", "replace")
    fields: dict[int, dict[str, str]] = {}
    for line in text.splitlines():
        match = _DAHUA_LINE.fullmatch(line.strip())
        if match is None:
            continue
        index = int(match.group(1) or match.group(2))
        entry = fields.setdefault(index, {})
        if len(entry) < 64:
            entry.setdefault(match.group(3), match.group(4))
        if len(fields) > MAX_CHANNELS:
            break
    if not fields:
        raise MalformedReplyError("Dahua RemoteDevice: no table.RemoteDevice line")
    found = [
        Channel(
            number=index + 1,
            address=_address(entry.get("Address")),
            protocol=_text(entry.get("ProtocolType")),
            name=_text(entry.get("Name") or entry.get("VideoInputs[0].Name")),
            vendor=_text(entry.get("Vendor")),
            model=_text(entry.get("DeviceType")),
            firmware=_text(entry.get("Version")),
            serial=_text(entry.get("SerialNo")),
            mac=_text(entry.get("Mac")),
        )
        for index, entry in fields.items()
        if entry.get("Enable", "true").strip().lower() != "false"
    ]
    return _channels(found)


def parse_channels(api: Api, data: bytes) -> list[Channel]:
    """The cameras of a channel-list reply body of ``api``."""
    return parse_isapi_channels(data) if api == "isapi" else parse_dahua_remote_devices(data)


# ---------------------------------------------------------------- child devices


def child_key(recorder_key: str, number: int, mac: str | None, address: str) -> str:
    """A child's device key: by MAC when known (in the recorder's site), else the
    recorder's key plus ``/ch:<n>``."""
    if mac:
        return device_key_for(mac, address, site_of_key(recorder_key))
    return f"{recorder_key}/ch:{number}"


def channel_evidence(channel: Channel, recorder_ip: str) -> list[Evidence]:
    """What the recorder at ``recorder_ip`` said about one camera, as evidence of source
    ``recorder`` bound to the camera's own (internal) address, starting with
    ``recorder.via``."""
    found = EvidenceList(SOURCE, channel.address)
    found.add("recorder.via", f"via recorder {recorder_ip} channel {channel.number}")
    found.add("recorder.channel", str(channel.number))
    found.add("recorder.address", channel.address)
    found.add("recorder.protocol", channel.protocol)
    found.add("recorder.name", channel.name)
    found.add("recorder.vendor", channel.vendor)
    found.add("recorder.model", channel.model)
    found.add("recorder.firmware", channel.firmware)
    found.add("recorder.serial", channel.serial)
    found.add_mac("recorder.mac", channel.mac)
    return found.items()


def _groups(items: Iterable[Evidence]) -> list[list[Evidence]]:
    """``channel_evidence`` lists, split at each ``recorder.via``."""
    groups: list[list[Evidence]] = []
    for item in items:
        if item.key == "recorder.via":
            groups.append([])
        if groups:
            groups[-1].append(item)
    return groups


def child_devices(
    recorder: Device, items: Iterable[Evidence], policy: Policy | None = None
) -> list[Device]:
    """One child ``Device`` a camera the recorder listed (``items``: the
    ``channel_evidence`` of its channels), identified from what the recorder said."""
    devices: dict[str, Device] = {}
    for group in _groups(items):
        address = group[0].address
        number = int(next((e.value for e in group if e.key == "recorder.channel"), "0"))
        mac = next((e.value for e in group if e.key == "mac"), None)
        key = child_key(recorder.device_key, number, mac, address)
        if key in devices or key == recorder.device_key:  # a MAC listed twice
            key, mac = child_key(recorder.device_key, number, None, address), None
        if key in devices:
            continue  # a channel number listed twice: the first one counts
        evidence = (*group, Evidence("recorder.parent", recorder.device_key, SOURCE, address))
        devices[key] = Device(
            device_key=key,
            ip=address,
            mac=mac,
            identification=identify(evidence, policy),
            evidence=evidence,
            parent=recorder.device_key,
        )
    return list(devices.values())
