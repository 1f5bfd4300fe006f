"""Safe, namespace-agnostic XML reading for device replies (private helper)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core.limits import MAX_XML_BYTES

__all__ = [
    "child",
    "child_text",
    "children",
    "descendants",
    "local_name",
    "parse_xml",
    "soap_body",
    "standard_uri",
    "vendor_namespace_prefixes",
    "vendor_namespaces",
]


def parse_xml(data: bytes, what: str, max_bytes: int = MAX_XML_BYTES) -> Element:
    """Parse untrusted XML: DTDs, entities and external references are refused.

    Raises ReplyTooLargeError over ``max_bytes`` and MalformedReplyError on anything
    that is not well-formed XML (a billion-laughs document included), and for an
    encoding declaration expat cannot use (``hex``, ``rot13``, ``utf-32``, ``idna`` ...).
    """
    if len(data) > max_bytes:
        raise ReplyTooLargeError(f"{what}: {len(data)} bytes of XML, cap is {max_bytes}")
    try:
        root: Element = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise MalformedReplyError(f"{what}: forbidden XML construct ({exc!r})") from exc
    except ParseError as exc:
        raise MalformedReplyError(f"{what}: not well-formed XML ({exc})") from exc
    except (ValueError, LookupError) as exc:  # UnicodeError is a ValueError
        raise MalformedReplyError(f"{what}: unusable XML encoding ({exc})") from exc
    return root


def local_name(tag: object) -> str:
    """``{namespace}Name`` -> ``Name``; comments and processing instructions -> ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    """Direct children whose local name is ``name`` (any namespace)."""
    return (c for c in element if local_name(c.tag) == name)


def child(element: Element, name: str) -> Element | None:
    """The first direct child with local name ``name``, or None."""
    return next(children(element, name), None)


def descendants(element: Element, name: str) -> Iterator[Element]:
    """All descendants (and element itself) with local name ``name``, document order."""
    return (e for e in element.iter() if local_name(e.tag) == name)


def child_text(element: Element, name: str) -> str | None:
    """Text of the first direct child named ``name``; None when absent."""
    found = child(element, name)
    if found is None:
        return None
    return "".join(found.itertext())


def soap_body(root: Element, what: str) -> Element:
    """The Body of a SOAP Envelope; MalformedReplyError for anything else."""
    if local_name(root.tag) != "Envelope":
        raise MalformedReplyError(f"{what}: root is <{local_name(root.tag)[:40]}>, not Envelope")
    body = child(root, "Body")
    if body is None:
        raise MalformedReplyError(f"{what}: SOAP envelope without Body")
    return body


_XMLNS: Final = re.compile(
    rb"""\bxmlns(?::([A-Za-z_][\w.-]{0,39}))?\s*=\s*["']([^"'<>\s]{1,200})["']"""
)
_XMLNS_HEAD_BYTES: Final = 16 * 1024
_STANDARD_NAMESPACE_HOSTS: Final = frozenset(
    {"www.onvif.org", "onvif.org", "www.w3.org", "docs.oasis-open.org", "schemas.xmlsoap.org",
     "schemas.microsoft.com", "www.ietf.org", "tempuri.org"}
)  # fmt: skip
_STANDARD_URNS: Final = ("urn:oasis:", "urn:ietf:", "urn:schemas-upnp-org:", "urn:onvif")
_MAX_NAMESPACES: Final = 16


def standard_uri(uri: str) -> bool:
    """True for a URI a standard owns (onvif.org, w3.org, OASIS, xmlsoap.org, Microsoft's
    schemas, ``urn:oasis:`` ...): one that names no device's maker."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", uri.casefold()).split("/", 1)[0]
    return host in _STANDARD_NAMESPACE_HOSTS or uri.startswith(_STANDARD_URNS)


def vendor_namespaces(xml: bytes) -> list[str]:
    """The namespaces a SOAP document declares that no standard owns (not onvif.org,
    w3.org, OASIS, xmlsoap.org ...), in order, at most 16.

    Read from the declarations as sent (a parsed tree drops unused ones), first 16 KiB:
    a maker's SOAP stack writes one fixed list of them on every envelope it sends.
    """
    return [uri for _prefix, uri in _private_declarations(xml, by_prefix=False)]


def vendor_namespace_prefixes(xml: bytes) -> list[str]:
    """The prefixes a SOAP document binds to namespaces no standard owns
    (``xmlns:sony="http://..."``: "sony"), in order, at most 16; the default namespace
    has none."""
    return [prefix for prefix, _uri in _private_declarations(xml, by_prefix=True) if prefix]


def _private_declarations(xml: bytes, *, by_prefix: bool) -> list[tuple[str, str]]:
    """(prefix, URI) of each declaration of a namespace no standard owns, first 16 KiB,
    each URI (or with ``by_prefix`` each prefix) once, at most 16."""
    seen: dict[str, tuple[str, str]] = {}
    for match in _XMLNS.finditer(xml[:_XMLNS_HEAD_BYTES]):
        prefix = (match.group(1) or b"").decode("ascii", errors="replace")
        uri = match.group(2).decode("ascii", errors="replace")
        if standard_uri(uri) or (prefix if by_prefix else uri) in seen:
            continue
        seen[prefix if by_prefix else uri] = (prefix, uri)
        if len(seen) >= _MAX_NAMESPACES:
            break
    return list(seen.values())
