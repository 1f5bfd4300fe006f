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
document). A JSON object with a channel or remote-address field (``"channel": 1``,
``"ip": ...``: ``_REMOTE_MARKERS``) is a record about another device, even at the top
level: its own fields name no one. An XML attribute is a field of its element
(``<DeviceInfo model="X">``).

HTML pages are read for JavaScript ``var`` assignments, ``<meta name=... content=...>``
and the site their links point to (``site``: the registered name of the web addresses in
``href``, as of a ``WebURL``/``manufacturerURL`` field; scripts, styles and comments are
removed first; plugin, browser and library sites left out; links to two different sites
name none). Copyright notices are not read here: identify() reads them in ``http.body``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core._json import _check_depth
from camcensus.scanner.core.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH

__all__ = ["CONTAINERS", "FIELD_KEYS", "SYNONYMS", "body_fields", "site_name"]

SYNONYMS: Final[dict[str, frozenset[str]]] = {
    "manufacturer": frozenset(
        {"manufacturer", "manufacture", "manufacturername", "vendor", "vendorname", "brand",
         "brandname", "make", "mfr", "mfg", "devicevendor", "devicemanufacturer",
         "devicebrand"}
    ),
    "model": frozenset(
        {"model", "modelname", "modelnumber", "modelno", "devicemodel", "prodnbr",
         "productmodel", "hardwaremodel", "displaymodelname", "systeminfomodelname", "modelid",
         "devmodel"}
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
"""Normalised field names per meaning (lower case, ``_-.`` and blanks removed)."""

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
_REMOTE_MARKERS: Final = frozenset(
    {"channel", "channelid", "channelno", "chn", "chnid", "cameraid", "camid", "remoteip",
     "remoteaddress", "ip", "ipaddress", "ipaddr", "proxyprotocol"}
)  # fmt: skip
"""Field names of a record about ANOTHER device (a recorder's channel, a camera it pulls
from): an object that has one describes that device, not the one answering."""
_NAME_TO_MEANING: Final = {name: meaning for meaning, names in SYNONYMS.items() for name in names}
_MAX_VALUE: Final = {"product": 128, "firmware": 128}
_MAX_VALUE_DEFAULT: Final = 80
_MAX_PER_MEANING: Final = 3
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
_URL_HOST: Final = re.compile(r"^(?:https?://)?([a-z0-9][a-z0-9.-]{0,120})(?::\d+)?(?:[/?#]|$)")
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
    "https://www.hikvision.com.cn" -> "hikvision"), or None for an IP address, a bare
    host, or a site in ``_NOT_A_SITE``."""
    matched = _URL_HOST.match(url.strip().lower())
    if matched is None:
        return None
    labels = [label for label in matched.group(1).strip(".").split(".") if label]
    if len(labels) < 2 or labels[-1].isdigit():
        return None
    # a country's second level (hikvision.com.cn, example.co.uk) moves the name one left
    name_at = -3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else -2
    name = labels[name_at]
    if name in _NOT_A_SITE or len(name) < 2 or name == "www":
        return None
    trimmed = _SITE_SUFFIX.sub("", name)  # dahuasecurity -> dahua, hanwhavision -> hanwha
    return trimmed if len(trimmed) >= 4 else name


class _Found:
    """Values per meaning, in document order, bounded."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}

    def add(self, path: list[str], raw_name: str, value: str) -> None:
        name = _norm(raw_name)
        parent = path[-1] if path else None
        meaning = _meaning(name, parent)
        if meaning is None or not _device_level(path, name):
            return
        text = _clean(meaning, value)
        if text is None:
            return
        seen = self.values.setdefault(meaning, [])
        if text.casefold() not in (v.casefold() for v in seen) and len(seen) < _MAX_PER_MEANING:
            seen.append(text)

    def pairs(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for meaning in SYNONYMS:
            values = self.values.get(meaning, [])
            if meaning in ("manufacturer", "site") and len(values) > 1:
                continue  # two makers at device level: a listing, not one device
            out.extend((FIELD_KEYS[meaning], v) for v in values)
        return out


def _json_walk(doc: object, found: _Found) -> None:
    stack: list[tuple[object, list[str]]] = [(doc, [])]
    budget = _MAX_FIELDS_SEEN
    while stack and budget > 0:
        node, path = stack.pop()
        budget -= 1
        if isinstance(node, dict):
            children: list[tuple[object, list[str]]] = []
            items = list(node.items())[:_MAX_FIELDS_SEEN]
            remote = any(_norm(str(key)) in _REMOTE_MARKERS for key, _value in items)
            for key, value in items:
                name = str(key)
                if remote and not isinstance(value, dict | list):
                    continue  # a channel or remote-device record: another device's fields
                if isinstance(value, str):
                    found.add(path, name, value)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    found.add(path, name, str(value))
                elif isinstance(value, dict | list):
                    children.append((value, [*path, _norm(name)]))
            stack.extend(reversed(children))
        elif isinstance(node, list) and not path:
            # a batch of answers at the root (Reolink's api.cgi): each answer's own fields
            # are not the device's, only those in its containers ("value": {"DevInfo": ..})
            stack.extend((item, [_ANSWER]) for item in reversed(node[:64]))


def _from_json(text: str, found: _Found) -> None:
    if len(text) > MAX_JSON_BYTES:
        return
    try:
        _check_depth(text, MAX_JSON_DEPTH, "HTTP body")
        doc, _end = json.JSONDecoder(strict=False).raw_decode(text)
    except (MalformedReplyError, ValueError, RecursionError):
        return
    _json_walk(doc, found)


def _from_xml(text: str, found: _Found) -> None:
    path: list[str] = []  # normalised local names of the open elements
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
    return found.pairs()
