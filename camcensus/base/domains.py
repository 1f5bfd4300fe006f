"""The name a web or scope address is registered under: its owner, when anyone's."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["registered_name"]

_HOST: Final = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]{0,30}://)?([a-z0-9][a-z0-9.-]{0,200})(?::\d{1,5})?(?:[/?#]|$)"
)
_SECOND_LEVEL: Final = frozenset({"com", "co", "net", "org", "ac", "gov", "edu", "ne", "or"})
"""Second-level labels under a country's domain that a company registers beneath
(hikvision.com.cn, example.co.uk, sony.co.jp)."""


def registered_name(address: str) -> str | None:
    """The label a host registers, lower case: ``http://www.hp.com/schemas/`` -> ``hp``,
    ``https://www.hikvision.com.cn/en/`` -> ``hikvision``, ``http://www.tvt.cn`` -> ``tvt``;
    ``address`` is a URI of any scheme or a bare host. None for an IP address, a host of
    one label (``localhost``), or text that is no address."""
    matched = _HOST.match(address.strip())
    if matched is None:
        return None
    labels = [label for label in matched.group(1).lower().split(".") if label]
    if len(labels) < 2 or not labels[-1].isalpha():
        return None  # one label, or an IPv4 address
    country_second = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
    name = labels[-3] if country_second else labels[-2]
    return None if name == "www" or not 2 <= len(name) <= 40 else name
