"""Favicons: the page's icon link, the path a scan asks, and the icon's MD5."""

from __future__ import annotations

import base64
import hashlib

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core import favicon, http
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db.identify import identify

ICO = b"\x00\x00\x01\x00\x01\x00\x10\x10" + bytes(range(64))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
MD5 = hashlib.md5(ICO, usedforsecurity=False).hexdigest()


def _reply(status: str, headers: list[str], body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    ("page", "href"),
    [
        ('<link rel="icon" href="/favicon.ico">', "/favicon.ico"),
        ("<LINK REL='Shortcut Icon' HREF='images/fav.ico?v=1&amp;x=2'>", "images/fav.ico?v=1&x=2"),
        ('<link href="/a.png" type="image/png" rel=icon />', "/a.png"),
        ('<link rel="stylesheet" href="/s.css"><link rel="icon" href="/i.ico">', "/i.ico"),
        ('<link rel="apple-touch-icon" href="/t.png">', None),  # another token, not "icon"
        ('<link rel="icon">', None),
        ("<html><head><title>no icon</title></head></html>", None),
    ],
)
def test_the_first_icon_link_of_a_page(page: str, href: str | None) -> None:
    assert favicon.icon_href(page) == href


@pytest.mark.parametrize(
    ("href", "page_url", "path"),
    [
        (None, "http://198.18.0.5/", "/favicon.ico"),
        (
            "/doc/images/favicon.ico",
            "http://198.18.0.5/doc/page/login.asp",
            "/doc/images/favicon.ico",
        ),
        (
            "../images/f.ico?v=2",
            "http://198.18.0.5:8080/doc/page/login.asp",
            "/doc/images/f.ico?v=2",
        ),
        ("http://198.18.0.5:80/f.ico", "http://198.18.0.5/", "/f.ico"),
        ("http://198.18.0.6/f.ico", "http://198.18.0.5/", None),  # another host
        ("http://198.18.0.5:81/f.ico", "http://198.18.0.5/", None),  # another port
        ("https://198.18.0.5/f.ico", "http://198.18.0.5/", None),  # another scheme
        ("//cdn.example/f.ico", "http://198.18.0.5/", None),
        ("http://198.18.0.5:x/f.ico", "http://198.18.0.5/", None),  # a port that is no number
        ("data:image/png;base64,AAAA", "http://198.18.0.5/", None),
    ],
)
def test_the_path_a_scan_asks_stays_on_the_page_host(
    href: str | None, page_url: str, path: str | None
) -> None:
    assert favicon.icon_path(href, page_url) == path


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (ICO, None, True),
        (PNG, None, True),
        (b"GIF89a\x01\x00\x01\x00", None, True),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, True),
        (b"BM" + b"\x46\x00\x00\x00" + b"\x00\x00\x00\x00" + bytes(8), None, True),
        (b"BMW owners club", "text/plain", False),  # "BM" then text: no bitmap
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', None, True),
        (b"<html><body>404</body></html>", "image/x-icon", False),  # a page under an image type
        (b"\x01\x02\x03", "image/vnd.microsoft.icon", True),  # unknown bytes, image type
        (b"", "image/x-icon", False),
    ],
)
def test_what_counts_as_an_icon(data: bytes, content_type: str | None, expected: bool) -> None:
    assert favicon.is_icon(data, content_type) is expected


def test_an_icon_is_hashed_as_the_file_in_every_published_form() -> None:
    uri = "data:image/x-icon;base64," + base64.b64encode(ICO).decode()
    assert favicon.icon_md5(ICO) == MD5
    assert favicon.icon_md5(uri.encode()) == MD5
    assert favicon.icon_md5(MD5.upper().encode() + b"\n") == MD5  # another tool's printout
    for published in (ICO, ICO.hex().encode(), base64.b64encode(ICO), MD5.encode()):
        (item,) = parse_reply("favicon", published, "198.18.0.5")
        assert (item.key, item.value) == ("http.favicon.md5", MD5)
    reply = _reply("200 OK", ["Content-Type: image/x-icon", "Transfer-Encoding: chunked"], b"")
    chunked = reply + f"{len(ICO):x}\r\n".encode() + ICO + b"\r\n0\r\n\r\n"
    (item,) = parse_reply("favicon", chunked)
    assert item.value == MD5


@pytest.mark.parametrize(
    "reply",
    [
        _reply("404 Not Found", ["Content-Type: text/html"], b"<html>404</html>"),
        _reply("302 Found", ["Location: /login.asp"], b""),
        _reply("200 OK", ["Content-Type: text/html"], b"<html>please log in</html>"),
        _reply("200 OK", ["Content-Type: image/x-icon"], b""),
    ],
)
def test_no_icon_at_the_path_is_a_clear_error(reply: bytes) -> None:
    with pytest.raises(MalformedReplyError, match="favicon"):
        http.parse_icon_reply(reply, "198.18.0.5")
    with pytest.raises(MalformedReplyError, match="favicon"):
        parse_reply("favicon", reply)


@pytest.mark.parametrize(
    "data",
    [
        b"<html>nothing</html>",
        b"data:image/png;base64,@@@@",
        b"\x00\x00\x01\x00" + bytes(300 * 1024),  # over the body cap
    ],
)
def test_what_is_not_an_icon_is_refused(data: bytes) -> None:
    with pytest.raises(MalformedReplyError, match="favicon"):
        favicon.icon_md5(data)


def test_a_page_gives_its_icon_link_and_an_inline_icon_its_hash() -> None:
    page = _reply("200 OK", ["Content-Type: text/html"], b'<link rel="icon" href="/i.ico">')
    keys = {(e.key, e.value) for e in http.parse_http(page, "198.18.0.5")}
    assert ("http.icon", "/i.ico") in keys
    inline = '<link rel="icon" href="data:image/x-icon;base64,' + base64.b64encode(ICO).decode()
    page = _reply("200 OK", ["Content-Type: text/html"], (inline + '">').encode())
    found = {(e.key, e.value) for e in http.parse_http(page, "198.18.0.5")}
    assert ("http.favicon.md5", MD5) in found
    assert not [k for k, _v in found if k == "http.icon"]  # a data: URI is no path


def test_an_image_reply_is_hashed_not_read_as_a_page() -> None:
    reply = _reply("200 OK", ["Content-Type: image/x-icon", "Server: lighttpd"], ICO)
    found = {(e.key, e.value) for e in parse_reply("http", reply)}
    assert ("http.favicon.md5", MD5) in found
    assert ("http.server", "lighttpd") in found
    assert not [k for k, _v in found if k == "http.body"]


def test_a_known_icon_names_its_maker_and_an_unknown_one_no_one() -> None:
    hik = parse_reply("favicon", b"89b932fcc47cf4ca3faadb0cfdef89cf")
    assert identify(hik).maker == "Hikvision"  # recog and nmap both list this hash
    assert identify(parse_reply("favicon", ICO)).maker is None


def test_base64_text_with_blanks_is_read_and_blanks_before_junk_refused() -> None:
    # blanks around and inside the base64 text (a wrapped printout) are no part of it;
    # blanks and then no base64 are a clear error (bench/hostile.py times 200,000 of them)
    wrapped = b"\n  " + base64.encodebytes(ICO) + b"  \n"
    (item,) = parse_reply("favicon", wrapped)
    assert item.value == MD5
    with pytest.raises(MalformedReplyError, match="favicon"):
        parse_reply("favicon", b" " * 3000 + b"!")
