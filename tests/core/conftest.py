"""Shared helpers for the pure-core tests: fixture bytes and hostile inputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

CAPTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ProbeMatch><DeviceDescription>&lol4;</DeviceDescription></ProbeMatch>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ProbeMatch><DeviceDescription>&xxe;</DeviceDescription></ProbeMatch>"""


@pytest.fixture
def billion_laughs() -> bytes:
    """An entity-expansion bomb (must be refused, never expanded)."""
    return BILLION_LAUGHS


@pytest.fixture
def external_entity() -> bytes:
    """An XXE document pointing at a local file (must be refused, never read)."""
    return EXTERNAL_ENTITY


@pytest.fixture
def capture() -> Callable[[str], bytes]:
    """Read one crafted reply from tests/fixtures/captures."""

    def read(name: str) -> bytes:
        return (CAPTURES / name).read_bytes()

    return read
