"""registered_name: the label a host registers (shared by bodyfields' site and
identify's scope and namespace URI owners)."""

from __future__ import annotations

import pytest

from camcensus.base.domains import registered_name


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("http://www.hp.com/schemas/imaging/con/dictionaries/1.0/", "hp"),
        ("https://www.hikvision.com.cn/en/", "hikvision"),
        ("http://www.example.co.uk/", "example"),
        ("http://www.tvt.cn", "tvt"),
        ("onvif://www.axis.com/x", "axis"),
        ("http://www.sony.com:8080/", "sony"),
        ("www.hanwhavision.com", "hanwhavision"),
        ("http://192.168.1.108/", None),
        ("http://localhost:8080/", None),
        ("http://www.com/", None),
        ("urn:schemas-upnp-org:device:Basic:1", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_registered_name(address: str, name: str | None) -> None:
    assert registered_name(address) == name


def test_registered_name_of_hostile_text_is_none() -> None:
    # the time it takes: bench/hostile.py
    for text in ("http://" + "a-" * 500_000, "http://" + "a." * 500_000 + "x", "a" * 1_000_000):
        assert registered_name(text) is None
