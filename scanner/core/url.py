"""Where a link or redirect on a device's page points, when it stays on that device."""

from __future__ import annotations

import urllib.parse

__all__ = ["same_origin_path"]


def same_origin_path(href: str, base_url: str) -> str | None:
    """The path (with query) to GET for ``href`` found at ``base_url`` when it stays on
    that URL's scheme, host and port (a port left out is the scheme's default); None for
    anything elsewhere, or a port that is no number."""
    base = urllib.parse.urlsplit(base_url)
    target = urllib.parse.urlsplit(urllib.parse.urljoin(base_url, href))
    try:
        same = (
            target.scheme == base.scheme
            and target.hostname == base.hostname
            and (target.port or _default_port(target.scheme))
            == (base.port or _default_port(base.scheme))
        )
    except ValueError:  # a port that is no number
        return None
    if not same:
        return None
    path = target.path or "/"
    return path + (f"?{target.query}" if target.query else "")


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80
