"""Device-description fields of a structured HTTP body: who made it, which model, which firmware.

Device APIs answer with documents that name the device in a *field*: JSON
(``{"data": {"propertyList": {"Brand": "AXIS", "ProdNbr": "M1065-LW"}}}``, Axis VAPIX
basicdeviceinfo), XML elements with any namespace prefix (``<modelName>``), ``key=value``
parameter lines (``root.Brand.Brand=AXIS``, Dahua's ``vendor=Dahua``), ``key: value``
lines and JavaScript assignments (``var devType = "IPC";``). ``body_fields`` reads such
a body and returns ``(meaning, value)`` pairs; it is pure and never raises.

Which field names count (``SYNONYMS``): field names are compared case-insensitively with
``_``, ``-``, ``.`` and blanks ignored, against a small table per meaning. A name that
only *ends* in a synonym (``mem_dimm_manufacturer``, ``osVendor``) does not count. A
generic last name counts under a parent that qualifies it: ``Firmware.Version`` reads as
``firmwareversion``.

Which fields describe THE device (the rule that keeps a listing from accusing anyone):
a field counts only when every object (JSON), element (XML) or dotted prefix (parameter
lines) above it is the document root or a device-description container
(``CONTAINERS``: data, value, result, response, deviceinfo, devinfo, system, properties,
propertylist, brand, ...). A camera listed by a recorder (``{"cameras": [{"vendor":
"Hikvision"}]}``), a disk or memory module (``{"disk": {"vendor": ...}}``) or an
operating system (``{"os": {"vendor": ...}}``) sits below a key that is not a container
and names no one. A JSON array passes its elements on only at the document root (a batch
of command answers, as Reolink's api.cgi sends), and then only their containers count
(``[{"cmd": ..., "value": {"DevInfo": {...}}}]``), never an element's own fields. When the
device-level fields give two different manufacturers, none is reported (an ambiguous
document). A JSON object, XML element or dotted prefix with a channel, remote-address
or stream-URL field (``"channel": 1``, ``<ipAddress>``, ``address=``:
``_REMOTE_MARKERS``) is a record about another device: its own fields name no one. At the
top level, an address field alone (``_ADDRESS_MARKERS``: ip, address, host ...) is the
device's own document far more often (its own IP beside its model), unless the
document also holds other device records (``_Found.records``: a list of records, a
``cameras``/``channels`` member, a repeated XML element): then it is a listing and names
no one; otherwise its firmware and serial are read as usual and its maker, model and
type fields at the nested tier (``_DEMOTED``; a VMS's record of one camera looks the
same, so its maker field alone stays ``possible``).

Member names (``NAMES_KEY``, ``http.field_names``): the names of a JSON or XML body's
top three levels, from the whole body (``http.body`` keeps its first 4 KiB only), for
the field-set and document-root rules of vendor_db/data/fingerprints/
http_field_names.toml: "<Root>" for an XML document's root element, the top level's
names, then " | " and the next level's; each name once, at the first level it is at.
An XML attribute is a field of its element (``<DeviceInfo model="X">``).

Nested JSON fields (``NESTED_KEYS``, weaker keys): a manufacturer, model, product or type
field below a key that is no container (``{"result": {"config": {"hw": {"manufacturer":
...}}}}``, any depth within the caps) is read as ``http.field.nested.*`` when no object on
its path holds a remote-record field, no key on its path names a part of the device or
another party (``_PART_KEYS``: disks, memory, os, clients, cameras, channels, a
controller's ``devices``), it is not in a list two of whose records name different
devices, and the device-level fields give no value of its meaning. File paths
(``http.field.nested.path``) and, when no field names the maker, the words of the other
fields (``http.field.nested.text``) are kept for product-line names
(vendor_db/data/fingerprints/http_field_nested.toml). A JSON body cut short is read as far
as it goes (``_json.cut_json``).

HTML pages are read for JavaScript ``var`` assignments, ``<meta name=... content=...>``
and the site their links point to (``site``: the registered name of the web addresses in
``href``, as of a ``WebURL``/``manufacturerURL`` field; scripts, styles and comments are
removed first; plugin, browser and library sites left out; links to two different sites
name none). Copyright notices are not read here: identify() reads them in ``http.body``.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Final

from camcensus.base.domains import registered_name
from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core._json import _check_depth, cut_json, scalar_text
from camcensus.scanner.core.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH

__all__ = [
    "CONTAINERS",
    "FIELD_KEYS",
    "MAX_FIELD_NAMES_CHARS",
    "NAMES_KEY",
    "NESTED_KEYS",
    "SYNONYMS",
    "body_fields",
    "site_name",
]

SYNONYMS: Final[dict[str, frozenset[str]]] = {
    "manufacturer": frozenset(
        {"manufacturer", "manufacture", "manufacturername", "vendor", "vendorname", "brand",
         "brandname", "make", "mfr", "mfg", "devicevendor", "devicemanufacturer",
         "devicebrand"}
    ),
    "model": frozenset(
        {"model", "modelname", "modelnumber", "modelno", "devicemodel", "prodnbr",
         "productmodel", "hardwaremodel", "displaymodelname", "systeminfomodelname", "modelid",
         "devmodel", "updateserial"}
    ),
    "product": frozenset(
        {"product", "productname", "prodfullname", "prodshortname", "makeandmodel"}
    ),
    "firmware": frozenset(
        {"firmware", "firmwareversion", "firmwarever", "firmver", "fwversion", "fwver",
         "softwareversion", "softversion", "swversion", "swver", "sysver", "firmwarerevision",
         "softwarerevision", "systeminfofirmwareversion"}
    ),
    "serial": frozenset(
        {"serial", "serialnumber", "serialno", "deviceserial", "deviceserialnumber"}
    ),
    "device_type": frozenset({"devicetype", "devtype", "producttype", "prodtype", "type"}),
    "site": frozenset(
        {"weburl", "website", "manufacturerurl", "vendorurl", "homepage", "companyurl"}
    ),
}  # fmt: skip
"""Normalised field names per meaning (lower case, ``_-.`` and blanks removed). Dahua's
``updateSerial`` (the model identity its firmware updates are matched on) holds the
model where ``deviceType`` gives a number or a kind ("deviceType=31",
"updateSerial=DHI-NVR4108HS-8P-4KS2": public GitHub file, search index hit 448093976)."""

FIELD_KEYS: Final[dict[str, str]] = {meaning: f"http.field.{meaning}" for meaning in SYNONYMS}
"""The evidence key of each meaning (camcensus/base/fields.txt)."""

CONTAINERS: Final = frozenset(
    {"root", "data", "value", "result", "response", "params", "param", "body", "envelope",
     "device", "deviceinfo", "devinfo", "deviceinformation", "basicdeviceinfo",
     "getdeviceinformationresponse", "info", "information", "system", "systeminfo",
     "sysinfo", "systeminformation", "properties", "propertylist", "brand", "firmware",
     "model", "product", "productinformation", "host", "status", "general", "about",
     "identity", "table"}
)  # fmt: skip
"""Objects, elements and dotted prefixes whose fields still describe the device itself."""

_ANSWER: Final = "[]"  # path step of an element of a root JSON array
_ADDRESS_MARKERS: Final = frozenset(
    {"ip", "ipaddress", "ipaddr", "address", "hostaddress", "host"}
)  # fmt: skip
"""Address field names: below the top level, of a record about ANOTHER device (a camera a
VMS pulls from by its address); at the top level also of the device's own document (its
own IP beside its model), unless that document also holds other device records
(``_Found.records``)."""
_REMOTE_MARKERS: Final = _ADDRESS_MARKERS | frozenset(
    {"channel", "channelid", "channelno", "chn", "chnid", "cameraid", "camid", "remoteip",
     "remoteaddress", "proxyprotocol", "url", "uri", "rtspurl", "streamurl", "streamuri"}
)  # fmt: skip
"""Field names of a record about ANOTHER device (a recorder's channel, a camera a VMS
pulls from by its address or stream URL): an object that has one describes that
device, not the one answering (at the top level, an address alone: ``_ADDRESS_MARKERS``)."""
_DEMOTED: Final = {"manufacturer": "manufacturer", "model": "model", "product": "model",
                   "device_type": "device_type"}  # fmt: skip
"""Device-level meanings of a top-level document holding an address field and no other
device record, read at the nested tier instead (a device's own document and a VMS's
record of one camera look alike: their maker field, else their model and type fields, is
read, never both, so that alone they stay ``possible``)."""
_NAME_TO_MEANING: Final = {name: meaning for meaning, names in SYNONYMS.items() for name in names}
NESTED_KEYS: Final = {
    "manufacturer": "http.field.nested.manufacturer",
    "model": "http.field.nested.model",
    "device_type": "http.field.nested.device_type",
    "path": "http.field.nested.path",
    "text": "http.field.nested.text",
}
"""The evidence keys of nested JSON fields (below device level, not in a remote record,
no part or peer key above them) and of file paths in fields (camcensus/base/fields.txt)."""
_NESTED_MEANING: Final = {
    "manufacturer": "manufacturer", "model": "model", "product": "model",
    "device_type": "device_type",
}  # fmt: skip
_DEVICE_MEANINGS: Final = {
    "manufacturer": ("manufacturer",), "model": ("model", "product"),
    "device_type": ("device_type",),
}  # fmt: skip
"""The device-level meanings that, when present, leave a nested meaning unread."""
_PART_KEYS: Final = frozenset(
    {"disk", "hdd", "harddisk", "drive", "storage", "volume", "raid", "pool", "memory", "mem",
     "dimm", "ram", "flash", "cpu", "processor", "soc", "chip", "chipset", "gpu", "sensor",
     "imagesensor", "lens", "battery", "psu", "powersupply", "fan", "ups", "board",
     "mainboard", "motherboard", "baseboard",
     "nic", "wifi", "wlan", "wireless", "radio", "bluetooth", "modem", "sim", "lte",
     "cellular", "usb", "sdcard", "accessory", "accessori", "peripheral", "component",
     "module", "browser",
     "client", "user", "account", "owner", "peer", "neighbor", "neighbour", "lldp", "cdp",
     "remote", "camera", "cam", "ipc", "channel", "chn", "stream", "source", "input",
     "output", "encoder", "decoder", "devic", "node", "member", "child", "children", "slave",
     "subdevic", "linked", "paired", "connected", "attached", "station", "sta", "ap", "uplink",
     "server", "cloud", "upstream", "parent", "controller", "nvr", "recorder", "vm", "site",
     "compatible", "supported", "event", "alarm", "log", "history", "printer", "supply",
     "supplie", "consumable", "cartridge", "toner", "tray", "door", "lock", "zone", "speaker",
     "microphone", "display", "monitor", "license", "certificate", "cert", "issuer"}
)  # fmt: skip
"""Keys (singular or plural stem) of an object about a PART of the device (disk, memory,
sensor, operating system, certificate) or ANOTHER party (client, camera, channel, a
controller's devices): nested fields below one name no maker of the device."""
_SOFTWARE_KEYS: Final = frozenset(
    {"os", "operatingsystem", "kernel", "bios", "software", "package", "app", "application",
     "plugin", "library", "service", "firmwareinfo"}
)  # fmt: skip
"""Keys of an object about software the device runs: its fields are no maker's field of
the device (an ``os`` has a vendor of its own), but its words and paths are the device's
(a product line's operating system or app)."""
_PEER: Final = 2
_SOFTWARE: Final = 1
_WORDS: Final = re.compile(r"[A-Za-z]{3}")
_MAX_WORDS_CHARS: Final = 480
"""The words of a body's other fields, joined (``http.field.nested.text``), at most."""
_MAX_WORD_VALUES: Final = 32
_MAX_LISTS: Final = 64  # lists below the root read, at most
_MAX_PATH: Final = 200
_FILE_PATH: Final = re.compile(r"/?(?:[\w.+-]{1,64}/){1,16}[\w.+-]{1,64}/?")
"""A file path (``/usr/share/<product>/www/index.js``): words joined by slashes, no
blank and no scheme (a URL is a remote-record marker's business)."""
_MAX_VALUE: Final = {"product": 128, "firmware": 128}
_MAX_VALUE_DEFAULT: Final = 80
_MAX_PER_MEANING: Final = 3
NAMES_KEY: Final = "http.field_names"
"""The evidence key of a JSON or XML body's member and element names (fields.txt)."""
MAX_FIELD_NAMES_CHARS: Final = 1024
_NAME_LEVELS: Final = 3  # the top level's names, their children's and grandchildren's
_MAX_NAMES: Final = 160
_NAME_TOKEN: Final = re.compile(r"[A-Za-z_][\w.:@-]{0,63}")
_MAX_FIELDS_SEEN: Final = 4000  # JSON values, XML tokens or lines looked at, at most
_MAX_LINE: Final = 400
_NON_NAME: Final = re.compile(r"[\s_.\-]+")
_BAD_VALUE: Final = re.compile(r"[<>{}\[\]\r\n]")
_HTML: Final = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|script)\b", re.IGNORECASE)
_XML_TAG: Final = re.compile(
    r"<(/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]{0,80})(\s[^<>]{0,2000}?)?(/?)>"
)
_XML_SPECIAL: Final = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">"))
"""Markup that is not an element, with its end; an unclosed one ends the reading."""
_XML_ATTRIBUTE: Final = re.compile(
    r"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]{0,80})\s*=\s*(?:\"([^\"<>]*)\"|'([^'<>]*)')"
)
_HIDDEN: Final = re.compile(r"<script\b|<style\b|<!--", re.IGNORECASE)
_HIDDEN_END: Final = {"<script": "</script", "<style": "</style", "<!--": "-->"}
_META: Final = re.compile(
    r"<meta\s[^<>]{0,400}?name\s*=\s*[\"']?([\w.-]{1,40})[\"']?[^<>]{0,400}?"
    r"content\s*=\s*(?:\"([^\"<>]{1,200})\"|'([^'<>]{1,200})')",
    re.IGNORECASE,
)
_MAX_HTML_SOURCE: Final = 64 * 1024
_HREF: Final = re.compile(r"\bhref\s*=\s*[\"']?(https?://[^\s\"'<>]{1,200})", re.IGNORECASE)
_NOT_A_SITE: Final = frozenset(
    {"microsoft", "adobe", "apple", "google", "googleapis", "gstatic", "mozilla", "java",
     "oracle", "videolan", "w3", "onvif", "facebook", "twitter", "youtube", "linkedin",
     "instagram", "github", "cloudflare", "jsdelivr", "jquery", "bootstrapcdn", "wikipedia",
     "example", "localhost", "amazonaws", "apache", "nginx", "gnu", "mit", "opensource"}
)  # fmt: skip
"""Sites device pages link to that are not their maker's (plugin and browser downloads,
social networks, libraries, standards bodies)."""
_SITE_SUFFIX: Final = re.compile(r"-?(?:security|tech|vision|networks|global|usa|digital|systems)$")
_LINE: Final = re.compile(
    r"(?:(?:var|let|const)\s+)?([A-Za-z_][\w.\- ]{0,120}?)\s*(=|:)\s*(.*?)\s*;?\s*"
)
_JS_ASSIGN: Final = re.compile(
    r"\b(?:var|let|const)\s+([A-Za-z_]\w{0,60})\s*=\s*(?:\"([^\"\r\n<>]{1,128})\"|'([^'\r\n<>]{1,128})')"
)


def _norm(name: str) -> str:
    return _NON_NAME.sub("", name).casefold()


def _meaning(name: str, parent: str | None) -> str | None:
    """The meaning of field ``name`` (normalised), or of ``parent + name`` (qualified)."""
    found = _NAME_TO_MEANING.get(name)
    if found is None and parent is not None:
        found = _NAME_TO_MEANING.get(parent + name)
    return found


def _device_level(path: list[str], name: str) -> bool:
    """Every container above the field is a device container; the innermost one may
    instead qualify the field (``firmware`` over ``version``). An answer of a root
    array is a container only above another container, never the field's own parent."""
    if path and path[-1] == _ANSWER:
        return False
    path = [p for p in path if p != _ANSWER]
    if all(p in CONTAINERS for p in path):
        return True
    return (
        bool(path)
        and path[-1] + name in _NAME_TO_MEANING
        and all(p in CONTAINERS for p in path[:-1])
    )


def _clean(meaning: str, value: str) -> str | None:
    text = " ".join(html.unescape(value).split())
    if not text or len(text) > _MAX_VALUE.get(meaning, _MAX_VALUE_DEFAULT):
        return None
    if _BAD_VALUE.search(text) or not any(c.isalnum() for c in text):
        return None
    if meaning in ("manufacturer", "model", "device_type", "product") and text.isdigit():
        return None  # a numeric code ("deviceType=31") names nothing
    if meaning == "site":
        return site_name(text)
    return text


def site_name(url: str) -> str | None:
    """The name a web address is registered under ("http://www.axis.com/" -> "axis",
    "https://www.hikvision.com.cn" -> "hikvision"; ``registered_name``), or None for an
    IP address, a bare host, or a site in ``_NOT_A_SITE``."""
    scheme, separator, _rest = url.strip().lower().partition("://")
    if separator and scheme not in ("http", "https"):
        return None
    name = registered_name(url)
    if name is None or name in _NOT_A_SITE:
        return None
    trimmed = _SITE_SUFFIX.sub("", name)  # dahuasecurity -> dahua, hanwhavision -> hanwha
    return trimmed if len(trimmed) >= 4 else name


class _Found:
    """Values per meaning, in document order, bounded; none from an object, element or
    dotted prefix that also holds a remote-device field (``_REMOTE_MARKERS``: a record
    about another device, wherever in it that field comes). Nested JSON fields
    (``add_nested``), file paths and other words are kept apart, for the weaker
    ``http.field.nested.*`` keys."""

    def __init__(self) -> None:
        self.entries: list[tuple[tuple[str, ...], str, str]] = []
        self.remote: set[tuple[str, ...]] = set()
        self.address = False  # the top level holds an address field (``_ADDRESS_MARKERS``)
        self.records = False  # the top level holds other device records (a list, a peer)
        self.root: str | None = None  # an XML document's root element, as written
        self.names: list[list[str]] = [[] for _ in range(_NAME_LEVELS)]  # names per level
        self.nested: list[tuple[tuple[tuple[int, int], ...], str, str]] = []

    def add(self, path: list[str], raw_name: str, value: str) -> None:
        name = _norm(raw_name)
        if name in _ADDRESS_MARKERS and not path:
            self.address = True
            return
        if name in _REMOTE_MARKERS:
            self.remote.add(tuple(path))
            return
        parent = path[-1] if path else None
        meaning = _meaning(name, parent)
        if meaning is None or not _device_level(path, name):
            return
        text = _clean(meaning, value)
        if text is not None and len(self.entries) < _MAX_FIELDS_SEEN:
            self.entries.append((tuple(path), meaning, text))

    def add_nested(
        self,
        path: list[str],
        raw_name: str,
        value: str,
        remote: bool,
        part: int,
        within: tuple[tuple[int, int], ...],
    ) -> None:
        """A field not read as device-level: below the root, a manufacturer, model,
        product or type one counts (``NESTED_KEYS``) unless a remote-record field or a
        part or peer key is on its path; at any depth, a file path or other words count
        (for product-line names) unless a remote-record field or a hardware part or a
        peer key is (software the device runs, ``os`` or ``app``, is no other device)."""
        if remote or part == _PEER or len(self.nested) >= _MAX_FIELDS_SEEN:
            return
        name = _norm(raw_name)
        meaning = _NESTED_MEANING.get(_meaning(name, path[-1] if path else None) or "")
        if meaning is None:
            if (
                name not in _REMOTE_MARKERS
                and "://" not in value
                and _WORDS.search(value[:_MAX_PATH])
            ):
                kind = "path" if _FILE_PATH.fullmatch(value[: _MAX_PATH + 1]) else "text"
                self.nested.append((within, kind, " ".join(value.split())[:_MAX_PATH]))
            return
        if part or not path or (not within and _device_level(path, name)):
            return  # a device-level field is read as one (``add``)
        text = _clean(meaning, value)
        if text is not None:
            self.nested.append((within, meaning, text))

    def pairs(self) -> list[tuple[str, str]]:
        values: dict[str, list[str]] = {}
        demoted: list[tuple[tuple[tuple[int, int], ...], str, str]] = []
        for path, meaning, text in self.entries:
            if path in self.remote or (not path and self.address and self.records):
                continue  # a record about another device; a listing with addresses
            if not path and self.address and (meaning in _DEMOTED or meaning == "site"):
                if meaning in _DEMOTED:  # the device's own document, or a VMS's record
                    demoted.append(((), _DEMOTED[meaning], text))
                continue
            _keep(values.setdefault(meaning, []), text)
        # one weak hint only: a maker field, else the model and type fields, never both
        # (two weak claims together would flag a VMS's record of one camera)
        makers = [d for d in demoted if d[1] == "manufacturer"]
        self.nested.extend(makers or demoted)
        out: list[tuple[str, str]] = []
        for meaning in SYNONYMS:
            found = values.get(meaning, [])
            if meaning in ("manufacturer", "site") and len(found) > 1:
                continue  # two makers at device level: a listing, not one device
            out.extend((FIELD_KEYS[meaning], v) for v in found)
        return out + self._nested_pairs(values)

    def _nested_pairs(self, device: dict[str, list[str]]) -> list[tuple[str, str]]:
        """Nested values of meanings the device-level fields do not give (a nested model
        beside a top-level one is a part's or a peer's), none from a list two of whose
        records name different devices (a manufacturer, model or type neither shares:
        a listing)."""
        records: dict[tuple[int, str], dict[int, set[str]]] = {}
        for within, meaning, text in self.nested:
            if meaning not in ("path", "text"):
                for list_id, index in within:
                    by_index = records.setdefault((list_id, meaning), {})
                    by_index.setdefault(index, set()).add(text.casefold())
        listings = {
            list_id
            for (list_id, _meaning), by_index in records.items()
            if any(a.isdisjoint(b) for a, b in itertools.combinations(by_index.values(), 2))
        }
        values: dict[str, list[str]] = {}
        for within, meaning, text in self.nested:
            if any(list_id in listings for list_id, _ in within):
                continue
            if any(device.get(m) for m in _DEVICE_MEANINGS.get(meaning, ())):
                continue
            cap = _MAX_WORD_VALUES if meaning == "text" else _MAX_PER_MEANING
            _keep(values.setdefault(meaning, []), text, cap)
        out: list[tuple[str, str]] = []
        for meaning, key in NESTED_KEYS.items():
            found = values.get(meaning, [])
            if meaning == "manufacturer" and len(found) > 1:
                continue  # two makers nested: a listing
            if meaning == "text":
                if device.get("manufacturer") or values.get("manufacturer"):
                    continue  # words are read only when no field names the maker
                words = " | ".join(found)[:_MAX_WORDS_CHARS]
                out.extend([(key, words)] if words else [])
                continue
            out.extend((key, v) for v in found)
        return out


def _keep(seen: list[str], text: str, cap: int = _MAX_PER_MEANING) -> None:
    if text.casefold() not in (v.casefold() for v in seen) and len(seen) < cap:
        seen.append(text)


def _part(step: str) -> int:
    """What a JSON key says of the object below it: ``_PEER`` for a part of the device's
    hardware or another party (``_PART_KEYS``: disks, memory, sensors, clients, cameras,
    channels, a controller's devices ...), ``_SOFTWARE`` for software it runs
    (``_SOFTWARE_KEYS``: os, app, package ...), 0 for anything else; in the singular or as
    a list (``disks``, ``cameraList``); a container is never a part."""
    if step in CONTAINERS:
        return 0
    stem = step
    for suffix in ("list", "info", "infos", "es", "s"):
        if stem.endswith(suffix) and len(stem) > len(suffix) + 1:
            stem = stem[: -len(suffix)]
            break
    if step in _SOFTWARE_KEYS or stem in _SOFTWARE_KEYS:
        return _SOFTWARE
    return _PEER if step in _PART_KEYS or stem in _PART_KEYS else 0


def _is_record_field(name: str) -> bool:
    """A field a record about a device has: an address, channel or stream field, or a
    maker, model, type or serial one."""
    norm = _norm(name)
    return norm in _REMOTE_MARKERS or norm in _NAME_TO_MEANING


def _holds_records(items: list[tuple[object, object]]) -> bool:
    """Whether a top-level object holds records of other devices: a list of objects, or an
    object or list below a peer key (``_part``: cameras, channels, devices ...)."""
    for key, value in items[:_MAX_FIELDS_SEEN]:
        if isinstance(value, list) and any(
            isinstance(v, dict) and any(_is_record_field(str(k)) for k in list(v)[:256])
            for v in value[:64]
        ):
            return True
        if isinstance(value, dict | list) and _part(_norm(str(key))) == _PEER:
            return True
    return False


def _json_walk(doc: object, found: _Found) -> None:
    """Every field of a JSON document, depth first: device-level ones (``_device_level``)
    to ``found.add``, the others, below the root, to ``found.add_nested`` with what the path
    above them says (a remote-record field on it, the strongest part or peer key on it:
    ``_part``, the lists and element indexes they sit in)."""
    stack: list[tuple[object, list[str], bool, int, tuple[tuple[int, int], ...]]] = [
        (doc, [], False, 0, ())
    ]
    budget = _MAX_FIELDS_SEEN
    lists = 0
    while stack and budget > 0:
        node, path, remote, part, within = stack.pop()
        budget -= 1
        if isinstance(node, dict):
            items = list(node.items())[:_MAX_FIELDS_SEEN]
            markers = {
                name
                for k, v in items
                if (name := _norm(str(k))) in _REMOTE_MARKERS
                and not (isinstance(v, dict) and name in CONTAINERS)  # airOS's "host": {..}
            }
            if not path:
                found.records = found.records or _holds_records(items)
                if markers <= _ADDRESS_MARKERS and not found.records:
                    markers = set()  # the device's own address: its fields stay readable
            remote = remote or bool(markers)
            children: list[tuple[object, list[str], bool, int, tuple[tuple[int, int], ...]]] = []
            for key, value in items:
                name = str(key)
                text = scalar_text(value)
                if text is not None:
                    if not within:
                        found.add(path, name, text)
                    if path != [_ANSWER]:
                        found.add_nested(path, name, text, remote, part, within)
                elif isinstance(value, dict | list):
                    step = _norm(name)
                    children.append((value, [*path, step], remote, max(part, _part(step)), within))
            stack.extend(reversed(children))
        elif isinstance(node, list) and not path:
            # a batch of answers at the root (Reolink's api.cgi): each answer's own fields
            # are not the device's, only those in its containers ("value": {"DevInfo": ..})
            stack.extend((item, [_ANSWER], False, 0, ()) for item in reversed(node[:64]))
        elif isinstance(node, list) and lists < _MAX_LISTS:
            # a list below the root: its records are read as nested ones only, each
            # marked with the list and its index (records naming different devices
            # are a listing: ``_Found.pairs``)
            lists += 1
            stack.extend(
                (item, path, remote, part, (*within, (lists, index)))
                for index, item in reversed(list(enumerate(node[:64])))
            )


def _json_names(doc: object) -> list[list[str]]:
    """The member names of a JSON document per level (``_NAME_LEVELS``), in document
    order; a list passes its objects' names on at its own level."""
    levels: list[list[str]] = [[] for _ in range(_NAME_LEVELS)]
    current: deque[object] = deque([doc])
    budget = _MAX_FIELDS_SEEN
    for level in levels:
        below: deque[object] = deque()
        while current and budget > 0:
            node = current.popleft()
            budget -= 1
            if isinstance(node, list):
                current.extendleft(reversed(node[:64]))  # its elements, at this level, first
            elif isinstance(node, dict):
                for key, value in list(node.items())[:256]:
                    level.append(str(key))
                    if isinstance(value, dict | list):
                        below.append(value)
        current = below
    return levels


def _names_value(levels: list[list[str]], root: str | None = None) -> str | None:
    """``http.field_names``: "<root>" (an XML document's root element) and the names of
    the top level, then " | " and those of the next level, and so on; each name once (at
    the first level it is at), as written, capped."""
    seen: set[str] = set()
    parts: list[str] = []
    for level in levels:
        names: dict[str, None] = {}
        for name in level:
            if len(seen) < _MAX_NAMES and name not in seen and _NAME_TOKEN.fullmatch(name):
                seen.add(name)
                names[name] = None
        if not names:
            break
        parts.append(" ".join(names))
    if root is not None and _NAME_TOKEN.fullmatch(root):
        parts[:1] = [" ".join([f"<{root}>", *parts[:1]])]
    text = " | ".join(parts)
    if len(text) > MAX_FIELD_NAMES_CHARS:
        text = text[: text.rfind(" ", 0, MAX_FIELD_NAMES_CHARS + 1)]
    return text or None


def _from_json(text: str, found: _Found) -> None:
    if len(text) > MAX_JSON_BYTES:
        return
    doc: object
    try:
        _check_depth(text, MAX_JSON_DEPTH, "HTTP body")
        doc, _end = json.JSONDecoder(strict=False).raw_decode(text)
    except MalformedReplyError:
        return
    except (ValueError, RecursionError):
        doc = cut_json(text)  # a body cut short: the fields complete before the cut
        if doc is None:
            return
    _json_walk(doc, found)
    found.names = _json_names(doc)


def _from_xml(text: str, found: _Found) -> None:
    path: list[str] = []  # normalised local names of the open elements
    top: set[str] = set()  # the names of the root's children
    leaf_text: list[str] | None = None  # text of the innermost element while it has no child
    for count, token in enumerate(_xml_tokens(text)):
        if count >= 4 * _MAX_FIELDS_SEEN:
            return
        cdata, closing, name, attributes, self_closing, chars = token
        content = chars if chars is not None else cdata
        if content is not None:
            if leaf_text is not None:
                leaf_text.append(content)
            continue
        if name is None:
            continue  # comment, declaration, processing instruction
        local = _norm(name)
        if closing:
            if local in path:
                index = len(path) - 1 - path[::-1].index(local)
                if leaf_text is not None and index == len(path) - 1:
                    # the root element is the document itself: its own name is no container
                    found.add(path[1:-1], name, "".join(leaf_text))
                del path[index:]
            leaf_text = None
            continue
        if attributes and not closing:
            # an attribute is a field of its element: <DeviceInfo model="X"> at the root,
            # <Camera vendor="Y"> below it (Camera is no container)
            owner = [*path[1:], local] if path else []
            for matched in _XML_ATTRIBUTE.finditer(attributes[:2000]):
                found.add(owner, matched.group(1), matched.group(2) or matched.group(3) or "")
        if self_closing:
            leaf_text = None
            continue
        if len(path) >= MAX_JSON_DEPTH:
            return
        if not path:
            found.root = found.root or name
        elif len(path) <= _NAME_LEVELS:
            found.names[len(path) - 1].append(name)
        if len(path) == 1:  # a child of the root: a peer key or a repeated one is a record
            found.records = found.records or _part(local) == _PEER or local in top
            top.add(local)
        path.append(local)
        leaf_text = []


_XmlToken = tuple[str | None, str | None, str | None, str | None, str | None, str | None]


def _xml_tokens(text: str) -> Iterator[_XmlToken]:
    """(cdata, closing, name, attributes, self_closing, text) per token, in one linear pass
    (str.find for every end: no pattern that could rescan the rest of the document)."""
    pos, size = 0, len(text)
    while pos < size:
        if text[pos] != "<":
            end = text.find("<", pos)
            end = size if end < 0 else end
            yield None, None, None, None, None, text[pos:end]
            pos = end
            continue
        for opening, closing in _XML_SPECIAL:
            if text.startswith(opening, pos):
                end = text.find(closing, pos + len(opening))
                if end < 0:
                    return
                if opening == "<![CDATA[":
                    yield text[pos + len(opening) : end], None, None, None, None, None
                pos = end + len(closing)
                break
        else:
            tag = _XML_TAG.match(text, pos)
            if tag is None:
                yield None, None, None, None, None, "<"  # a lone "<" in text
                pos += 1
                continue
            yield None, tag.group(1), tag.group(2), tag.group(3), tag.group(4), None
            pos = tag.end()


def _unquote(value: str) -> str | None:
    if value[:1] in ("'", '"'):
        if len(value) < 2 or value[-1] != value[0]:
            return None
        return value[1:-1]
    return value


def _from_lines(text: str, found: _Found) -> None:
    for count, line in enumerate(text.splitlines()):
        if count >= _MAX_FIELDS_SEEN:
            return
        matched = _LINE.fullmatch(line.strip()[:_MAX_LINE])
        if matched is None:
            continue
        pairs = [(matched.group(1), matched.group(2), matched.group(3))]
        if pairs[0][1] == "=" and "&" in line and " " not in line.strip():
            # one query-string line: ModelName="SNC-CH110"&Serial=... (Sony inquiry.cgi)
            query = line[: 16 * _MAX_LINE].split("&")[:100]
            pairs = [(n, "=", v) for n, _, v in (p.partition("=") for p in query)]
        for name, sep, raw in pairs:
            value = _unquote(raw.strip().rstrip(","))
            if value is None or (" " in name and sep == "="):
                continue  # "Model Name: X" is a label line; "a b = c" is no parameter
            parts = [_norm(p) for p in name.split(".") if p]
            if len(parts) > 1 and not found.records:
                found.records = _part(parts[0]) == _PEER  # camera.0.ip=, channel.1.url=
            if parts:
                # a dotted name's prefixes are its containers; a plain name sits at the root
                found.add(parts[:-1], parts[-1], value)


def _from_html(text: str, found: _Found) -> None:
    """A page: JavaScript ``var`` assignments, ``<meta name=... content=...>`` fields and
    the sites its links point to (scripts, styles and comments removed first)."""
    for count, matched in enumerate(_JS_ASSIGN.finditer(text)):
        if count >= _MAX_FIELDS_SEEN:
            break
        found.add([], matched.group(1), matched.group(2) or matched.group(3) or "")
    source = text[:_MAX_HTML_SOURCE]
    for count, matched in enumerate(_META.finditer(source)):
        if count >= 64:
            break
        found.add([], matched.group(1), matched.group(2) or matched.group(3) or "")
    for count, matched in enumerate(_HREF.finditer(_visible(source))):
        if count >= 64:
            break
        found.add([], "weburl", matched.group(1))


def _visible(text: str) -> str:
    """``text`` without its scripts, styles and comments (an unclosed one ends it)."""
    parts: list[str] = []
    pos = 0
    lowered = text.lower()
    while (opening := _HIDDEN.search(text, pos)) is not None:
        parts.append(text[pos : opening.start()])
        end = lowered.find(_HIDDEN_END[opening.group(0).lower()], opening.end())
        if end < 0:
            return "".join(parts)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _shape(text: str) -> str:
    start = text[:1]
    if start in ("{", "["):
        return "json"
    if start == "<":
        return "html" if _HTML.search(text[:2048]) else "xml"
    return "lines"


def body_fields(text: str) -> list[tuple[str, str]]:
    """``(evidence key, value)`` of every device-describing field of a decoded body
    (see the module docstring for the rules); [] for anything else. Never raises."""
    found = _Found()
    body = text.lstrip("\ufeff \t\r\n")
    shape = _shape(body)
    if shape == "json":
        _from_json(body, found)
    elif shape == "xml":
        _from_xml(body, found)
    elif shape == "html":
        _from_html(body, found)
    else:
        _from_lines(body, found)
    names = _names_value(found.names, found.root) if shape in ("json", "xml") else None
    return found.pairs() + ([(NAMES_KEY, names)] if names else [])
