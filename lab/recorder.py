"""The lab's recorders (NVRs): the channel list each serves over its HTTP API, behind
HTTP Digest, for the cameras on its own PoE network.

A recorder profile's ``[recorder]`` table names its API (``isapi``: Hikvision,
``dahua``: Dahua's CGI), its lab-only account and one entry a channel, each a camera
profile and the protocol the recorder speaks to it.  ``Lab.up`` puts those cameras in
namespaces reachable only from the recorder's (``lab.api``); the emulator serves them
as any device, and the recorder answers for them here.  What the recorder says about a
camera is what the camera itself says (its profile's ONVIF device information, its
address and MAC), as a real recorder reads it from the camera when it is added.

Replies, field by field, as the public material shows them:

* Hikvision ``GET /ISAPI/ContentMgmt/InputProxy/channels``: ``InputProxyChannelList``
  (namespace isapi.org ver20) of ``InputProxyChannel`` with ``id``, ``name`` and a
  ``sourceInputPortDescriptor`` of ``proxyProtocol``, ``addressingFormatType``,
  ``ipAddress``, ``managePortNo``, ``srcInputPort``, ``userName``, ``connMode``,
  ``streamType``, ``model``, ``serialNumber``, ``firmwareVersion``: a DS-7608NXI-I2's
  reply in maciej-or/hikvision_next@0ee15b5baed001b687cffedb6f7ba0332f2aa88d:
  tests/fixtures/devices/DS-7608NXI-I2.json ("ContentMgmt/InputProxy/channels"), read by
  custom_components/hikvision_next/isapi.py (get_nvr_channel_device_info). No MAC.
* Dahua ``GET /cgi-bin/configManager.cgi?action=getConfig&name=RemoteDevice``: one
  ``table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_<n>.<Field>=<value>`` line a
  field, ``<n>`` the 0-based channel, fields ``Address``, ``DeviceType``, ``Enable``,
  ``HttpPort``, ``Mac``, ``Name``, ``Port``, ``ProtocolType``, ``SerialNo``,
  ``Vendor``, ``Version``, ``VideoInputs[0].Name``: the line format and field names as
  Home Assistant integrations of Dahua-made recorders parse them (public GitHub files,
  search index hits 69399853102 (a CP Plus integration: DeviceType, SerialNo, Version,
  Vendor, Address, HttpPort) and 46459199111 (RemoteDevice DeviceInfo: Address, Mac,
  Name, Port, ProtocolType, SerialNo, VideoInputs)).
* Both behind HTTP Digest (RFC 7616, MD5, qop=auth): hikvision_next's client and the
  Dahua integrations above authenticate with Digest.  The realm is the profile's.

Every request that carries an ``Authorization`` header that does not verify is one
failed login; the count is written to ``recorder-<index>.failures`` in the lab's state
directory, so a test can count on the lab side how often a scanner tried.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from camcensus.base.errors import LabError

__all__ = [
    "APIS",
    "Channel",
    "RecorderService",
    "check_recorder",
    "dahua_remote_devices",
    "isapi_channels",
]

APIS: Final = ("isapi", "dahua")
ISAPI_PATH: Final = "/ISAPI/ContentMgmt/InputProxy/channels"
DAHUA_PATH: Final = "/cgi-bin/configManager.cgi"
DAHUA_QUERY: Final = "action=getConfig&name=RemoteDevice"
MAX_CHANNELS: Final = 64
_FIELD: Final = re.compile(r'(\w+)=(?:"([^"]*)"|([^,\s]*))')


def check_recorder(section: Mapping[str, Any], where: str) -> None:
    """LabError unless ``section`` is a usable ``[recorder]`` table."""
    if section.get("api") not in APIS:
        raise LabError(f"{where}: [recorder].api must be one of {list(APIS)}")
    for key in ("username", "password", "realm"):
        if not isinstance(section.get(key), str) or not section.get(key):
            raise LabError(f"{where}: [recorder].{key} must be a non-empty string")
    channels = section.get("channels")
    if not isinstance(channels, list) or not 0 < len(channels) <= MAX_CHANNELS:
        raise LabError(f"{where}: [recorder].channels must list 1-{MAX_CHANNELS} cameras")
    for entry in channels:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("profile"), str):
            raise LabError(f"{where}: each [recorder].channels entry needs a profile")


@dataclass(frozen=True, slots=True)
class Channel:
    """One camera behind a recorder, as the recorder reports it."""

    number: int
    ip: str
    mac: str
    protocol: str
    name: str
    maker: str
    model: str
    firmware: str
    serial: str


def isapi_channels(channels: Sequence[Channel]) -> bytes:
    """The ``InputProxyChannelList`` a Hikvision NVR serves (see the module docstring)."""
    items = "".join(
        "<InputProxyChannel>"
        f"<id>{c.number}</id><name>{escape(c.name)}</name>"
        "<sourceInputPortDescriptor>"
        f"<proxyProtocol>{escape(c.protocol)}</proxyProtocol>"
        "<addressingFormatType>ipaddress</addressingFormatType>"
        f"<ipAddress>{escape(c.ip)}</ipAddress>"
        f"<managePortNo>{8000 if c.protocol == 'HIKVISION' else 80}</managePortNo>"
        "<srcInputPort>1</srcInputPort><userName>admin</userName>"
        "<connMode>plugplay</connMode><streamType>auto</streamType>"
        f"<model>{escape(c.model)}</model>"
        f"<serialNumber>{escape(c.serial)}</serialNumber>"
        f"<firmwareVersion>{escape(c.firmware)}</firmwareVersion>"
        "</sourceInputPortDescriptor>"
        "<enableAnr>false</enableAnr><enableTiming>true</enableTiming>"
        f"<devIndex>{uuid.uuid5(uuid.NAMESPACE_URL, c.ip + c.serial)}</devIndex>"
        "</InputProxyChannel>"
        for c in channels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<InputProxyChannelList version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema" '
        f'size="{len(channels)}">{items}</InputProxyChannelList>\n'
    ).encode()


def dahua_remote_devices(channels: Sequence[Channel]) -> bytes:
    """The ``RemoteDevice`` configuration a Dahua NVR serves (see the module docstring)."""
    lines: list[str] = []
    for c in channels:
        prefix = f"table.RemoteDevice.uuid:System_CONFIG_NETCAMERA_INFO_{c.number - 1}."
        fields = {
            "Address": c.ip,
            "DeviceType": c.model,
            "Enable": "true",
            "HttpPort": "80",
            "Mac": c.mac,
            "Name": c.name,
            "Port": "37777" if c.protocol == "Private" else "80",
            "ProtocolType": c.protocol,
            "SerialNo": c.serial,
            "Vendor": c.maker,
            "Version": c.firmware,
            "VideoInputs[0].Name": c.name,
        }
        lines.extend(f"{prefix}{k}={v}" for k, v in fields.items())
    return ("\r\n".join(lines) + "\r\n").encode()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class RecorderService:
    """The channel-list endpoint of one recorder, behind Digest, counting failed logins."""

    def __init__(
        self,
        section: Mapping[str, Any],
        channels: Sequence[Channel],
        failures_path: Path,
    ) -> None:
        self.api = str(section["api"])
        self.username = str(section["username"])
        self.password = str(section["password"])
        self.realm = str(section["realm"])
        self.channels = tuple(channels)
        self.failures_path = failures_path
        self.failures = 0
        self._nonces: set[str] = set()

    def handles(self, target: str) -> bool:
        """Whether a request for ``target`` (path and query) is this endpoint's."""
        path, _, query = target.partition("?")
        if self.api == "isapi":
            return path == ISAPI_PATH
        return path == DAHUA_PATH and query == DAHUA_QUERY

    def respond(
        self, method: str, target: str, headers: Mapping[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request of this endpoint."""
        given = headers.get("authorization", "")
        if given:
            if self._verified(method, given):
                if self.api == "isapi":
                    return 200, {"Content-Type": "application/xml"}, isapi_channels(self.channels)
                return 200, {"Content-Type": "text/plain"}, dahua_remote_devices(self.channels)
            self.failures += 1
            self.failures_path.write_text(str(self.failures), encoding="ascii")
        nonce = uuid.uuid4().hex
        self._nonces.add(nonce)
        challenge = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", algorithm=MD5'
        return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/html"}, b"401"

    def _verified(self, method: str, given: str) -> bool:
        """An RFC 7616 Digest (MD5, qop=auth) for this recorder's account and a nonce
        it issued."""
        if not given.lower().startswith("digest "):
            return False
        fields = {m[0].lower(): m[1] or m[2] for m in _FIELD.findall(given[7:])}
        if fields.get("username") != self.username or fields.get("realm") != self.realm:
            return False
        nonce = fields.get("nonce", "")
        if nonce not in self._nonces:
            return False
        ha1 = _md5(f"{self.username}:{self.realm}:{self.password}")
        ha2 = _md5(f"{method}:{fields.get('uri', '')}")
        expected = _md5(
            f"{ha1}:{nonce}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{ha2}"
        )
        return fields.get("qop") == "auth" and fields.get("response") == expected
