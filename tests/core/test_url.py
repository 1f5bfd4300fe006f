"""Links and redirects that stay on the device answering (camcensus.scanner.core.url):
what the banner probe may GET next without leaving the host (its redirect and icon)."""

from __future__ import annotations

import pytest

from camcensus.scanner.core.url import same_origin_path

PAGE = "http://192.0.2.64:80/doc/page/login.asp"


@pytest.mark.parametrize(
    ("href", "path"),
    [
        ("../images/favicon.ico?v=2", "/doc/images/favicon.ico?v=2"),
        ("/favicon.ico", "/favicon.ico"),
        ("http://192.0.2.64/x.png", "/x.png"),  # port 80 left out: the default
        ("http://user:secret@192.0.2.64/x.png", "/x.png"),  # credentials never kept
        ("http://192.0.2.64:80", "/"),
        ("\\\\198.51.100.7\\x.png", "/doc/page/\\\\198.51.100.7\\x.png"),  # still a path here
    ],
)
def test_a_link_on_the_same_host_gives_its_path(href: str, path: str) -> None:
    assert same_origin_path(href, PAGE) == path


@pytest.mark.parametrize(
    "href",
    [
        "//198.51.100.7/favicon.ico",  # scheme-relative: another host
        "http://198.51.100.7/favicon.ico",
        "http://192.0.2.64@198.51.100.7/favicon.ico",  # the host after the userinfo
        "https://192.0.2.64/favicon.ico",  # another scheme (and port)
        "http://192.0.2.64:8080/favicon.ico",
        "http://192.0.2.64:http/favicon.ico",  # a port that is no number
        "ftp://192.0.2.64/favicon.ico",
    ],
)
def test_a_link_elsewhere_gives_none(href: str) -> None:
    assert same_origin_path(href, PAGE) is None
