"""SOAP replies of the emulated ONVIF device service (WS-Discovery is ``lab.wsd``).

The values come from a profile's ``[onvif]`` table; the envelopes follow the ONVIF Core
Specification (device service) so that a real ONVIF client (onvif-zeep-async) accepts
them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from camcensus.lab.profiles import render

__all__ = [
    "auth_ok",
    "device_response",
    "operation_of",
]

ENV_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema" '
    'xmlns:ter="http://www.onvif.org/ver10/error">'
    "<SOAP-ENV:Body>"
)
ENV_CLOSE = "</SOAP-ENV:Body></SOAP-ENV:Envelope>"

OPERATIONS = (
    "GetSystemDateAndTime",
    "GetDeviceInformation",
    "GetNetworkInterfaces",
    "GetCapabilities",
    "GetServices",
    "GetScopes",
    "GetHostname",
)
_OP = re.compile(rb"<(?:[\w-]+:)?(" + "|".join(OPERATIONS).encode() + rb")[\s/>]")
_TOKEN = {
    name: re.compile(rb"<(?:[\w-]+:)?" + name.encode() + rb"\b[^>]*>([^<]*)<")
    for name in ("Username", "Password", "Nonce", "Created")
}


def operation_of(body: bytes) -> str | None:
    """The device-service operation a SOAP request asks for, if we know it."""
    match = _OP.search(body)
    return match.group(1).decode() if match else None


def auth_ok(body: bytes, username: str, password: str) -> bool:
    """Check a WS-UsernameToken with PasswordDigest (ONVIF Core 5.12.2).

    digest = Base64(SHA-1(nonce + created + password)); the nonce travels Base64.
    """
    fields: dict[str, bytes] = {}
    for name, pattern in _TOKEN.items():
        match = pattern.search(body)
        if match is None:
            return False
        fields[name] = match.group(1).strip()
    if fields["Username"].decode("utf-8", "replace") != username:
        return False
    try:
        nonce = base64.b64decode(fields["Nonce"], validate=True)
    except ValueError:
        return False
    expected = base64.b64encode(
        hashlib.sha1(nonce + fields["Created"] + password.encode(), usedforsecurity=False).digest()
    )
    return hmac.compare_digest(expected, fields["Password"])


def _fault(code: str, subcode: str, reason: str) -> str:
    return (
        f"{ENV_OPEN}<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>{code}</SOAP-ENV:Value>"
        f"<SOAP-ENV:Subcode><SOAP-ENV:Value>{subcode}</SOAP-ENV:Value></SOAP-ENV:Subcode>"
        f'</SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en">{reason}'
        f"</SOAP-ENV:Text></SOAP-ENV:Reason></SOAP-ENV:Fault>{ENV_CLOSE}"
    )


NOT_AUTHORIZED = _fault("SOAP-ENV:Sender", "ter:NotAuthorized", "Sender not Authorized")
ACTION_NOT_SUPPORTED = _fault(
    "SOAP-ENV:Receiver", "ter:ActionNotSupported", "Optional Action Not Implemented"
)


def _date_time(now: datetime) -> str:
    return (
        f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
        f"<tt:Second>{now.second}</tt:Second></tt:Time>"
        f"<tt:Date><tt:Year>{now.year}</tt:Year><tt:Month>{now.month}</tt:Month>"
        f"<tt:Day>{now.day}</tt:Day></tt:Date>"
    )


FIXED_SCOPES = ("type", "profile", "hardware", "mac")
"""Scope kinds a device sets itself (ScopeDef Fixed); name and location are the
operator's (Configurable): ONVIF Core Specification, discovery, scope parameters."""


def _scope_def(scope: str) -> str:
    kind = scope.removeprefix("onvif://www.onvif.org/").split("/", 1)[0].lower()
    return "Fixed" if kind in FIXED_SCOPES else "Configurable"


def device_response(
    operation: str | None,
    onvif: Mapping[str, Any],
    values: Mapping[str, str],
    authorised: bool,
    now: datetime | None = None,
    scopes: Sequence[str] = (),
) -> tuple[int, str]:
    """(HTTP status, SOAP text) for one device-service request; *scopes*: the device's
    rendered WS-Discovery scopes, which GetScopes returns. GetHostname answers
    ``[onvif].hostname`` or ``values["hostname"]``."""
    if operation is None:
        return 400, ACTION_NOT_SUPPORTED
    needs_auth = bool(onvif.get("username")) and operation != "GetSystemDateAndTime"
    if needs_auth and not authorised:
        return 400, NOT_AUTHORIZED

    def val(key: str, default: str = "") -> str:
        return escape(render(str(onvif.get(key, default)), values))

    xaddr = f"http://{values['ip']}/onvif/device_service"
    if operation == "GetSystemDateAndTime":
        skew = timedelta(seconds=float(onvif.get("clock_skew_s", 0)))
        utc = (now or datetime.now(UTC)) + skew
        body = (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime>{_date_time(utc)}</tt:UTCDateTime>"
            f"<tt:LocalDateTime>{_date_time(utc)}</tt:LocalDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )
    elif operation == "GetDeviceInformation":
        body = (
            "<tds:GetDeviceInformationResponse>"
            f"<tds:Manufacturer>{val('manufacturer')}</tds:Manufacturer>"
            f"<tds:Model>{val('model')}</tds:Model>"
            f"<tds:FirmwareVersion>{val('firmware')}</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{val('serial', '{serial}')}</tds:SerialNumber>"
            f"<tds:HardwareId>{val('hardware_id')}</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )
    elif operation == "GetNetworkInterfaces":
        body = (
            "<tds:GetNetworkInterfacesResponse>"
            '<tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>'
            f"<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>{escape(values['mac'])}</tt:HwAddress>"
            "<tt:MTU>1500</tt:MTU></tt:Info>"
            "<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config><tt:Manual>"
            f"<tt:Address>{escape(values['ip'])}</tt:Address><tt:PrefixLength>23</tt:PrefixLength>"
            "</tt:Manual><tt:DHCP>false</tt:DHCP></tt:Config></tt:IPv4>"
            "</tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>"
        )
    elif operation == "GetCapabilities":
        # only the services the emulator serves: the device service alone
        body = (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{xaddr}</tt:XAddr></tt:Device>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )
    elif operation == "GetScopes":
        items = "".join(
            f"<tds:Scopes><tt:ScopeDef>{_scope_def(scope)}</tt:ScopeDef>"
            f"<tt:ScopeItem>{escape(scope)}</tt:ScopeItem></tds:Scopes>"
            for scope in scopes
        )
        body = f"<tds:GetScopesResponse>{items}</tds:GetScopesResponse>"
    elif operation == "GetServices":
        body = (
            "<tds:GetServicesResponse><tds:Service>"
            "<tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>"
            f"<tds:XAddr>{xaddr}</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version>"
            "</tds:Service></tds:GetServicesResponse>"
        )
    elif operation == "GetHostname":
        body = (
            "<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>"
            f"<tt:Name>{val('hostname', values.get('hostname', 'localhost'))}</tt:Name>"
            "</tds:HostnameInformation></tds:GetHostnameResponse>"
        )
    else:
        return 400, ACTION_NOT_SUPPORTED
    return 200, f"{ENV_OPEN}{body}{ENV_CLOSE}"
