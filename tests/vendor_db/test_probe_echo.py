"""A generic web server that echoes the scanner's own request names no maker.

The banner probe GETs each maker family's device-information path (banner.API_PATHS) on
every host's first web port. Common servers write the requested path back into the
answer: Apache's 404 page ("The requested URL /ISAPI/System/deviceInfo was not found"),
its redirect page (the new URL, query kept, of an http -> https redirect), Express
("Cannot GET /path"), Jetty's error table, Spring Boot's JSON error ("path"), an error
page quoting the full URL. Such an echo is our own request, not the device's API: no
fingerprint may name a maker (let alone flag one) from it.
"""

from __future__ import annotations

import html

import pytest

from camcensus.scanner.core.http import parse_http
from camcensus.scanner.probes.banner import API_PATHS
from camcensus.vendor_db import identify


def _echoes(path: str) -> dict[str, str]:
    """Reply bodies of common servers that quote the request (shapes of their stock pages)."""
    bare = path.split("?", 1)[0]  # most 404 pages quote the path without its query
    return {
        "apache-404": (
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            "<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
            f"<p>The requested URL {bare} was not found on this server.</p>\n<hr>\n"
            "<address>Apache/2.4.57 (Debian) Server at 192.168.1.20 Port 80</address>\n"
            "</body></html>\n"
        ),
        "apache-301": (
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            "<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n"
            f'<p>The document has moved <a href="https://192.168.1.20{path}">here</a>.</p>\n'
            "</body></html>\n"
        ),
        "express": (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            "<title>Error</title>\n</head>\n<body>\n"
            f"<pre>Cannot GET {bare}</pre>\n</body>\n</html>\n"
        ),
        # finalhandler quotes the whole URL, query and all, HTML-escaped
        "express-query": (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            "<title>Error</title>\n</head>\n<body>\n"
            f"<pre>Cannot GET {html.escape(path, quote=False)}</pre>\n</body>\n</html>\n"
        ),
        "spring-query": f'{{"status":404,"error":"Not Found","path":"{path}"}}',
        # botnets probe other makers' paths; the 404 quotes them, URL-encoded
        "express-probed": (
            "<pre>Cannot GET /cgi-bin/main-cgi?json=%7B%22cmd%22:%20116%7D</pre>"
            if path == API_PATHS[0]
            else f"<pre>Cannot GET {bare}</pre>"
        ),
        "jetty": (
            "<html>\n<head>\n<title>Error 404 Not Found</title>\n</head>\n<body>"
            f"<h2>HTTP ERROR 404 Not Found</h2>\n<table>\n<tr><th>URI:</th><td>{bare}</td></tr>\n"
            "</table>\n</body>\n</html>\n"
        ),
        "spring": (
            '{"timestamp":"2026-12-02T15:00:00.000+00:00","status":404,'
            f'"error":"Not Found","path":"{bare}"}}'
        ),
        "full-url": f"<html><body><p>Requested URL: http://192.168.1.20:80{path}</p></body></html>",
    }


CASES = [
    pytest.param(path, name, body, id=f"{name}:{path}")
    for path in API_PATHS
    for name, body in _echoes(path).items()
]


@pytest.mark.parametrize(("path", "name", "body"), CASES)
def test_echo_of_our_probe_names_no_maker(path: str, name: str, body: str) -> None:
    status = "301 Moved Permanently" if name == "apache-301" else "404 Not Found"
    location = f"Location: https://192.168.1.20{path}\r\n" if name == "apache-301" else ""
    head = (
        f"HTTP/1.1 {status}\r\nServer: webserver\r\n{location}"
        f"Content-Type: text/html\r\nContent-Length: {len(body.encode())}\r\n\r\n"
    )
    result = identify(parse_http((head + body).encode(), "192.168.1.20"))
    assert result.maker is None, (path, name, [c.rule for c in result.chain])
    assert not result.flag.flagged


# A host that is not the camera (a VMS, an integration's status page, a recorder's channel
# table, a redirect) names camera API paths in full URLs of other addresses: the snapshot
# and stream URLs users paste into ZoneMinder, Blue Iris, Agent DVR or openHAB. A device's
# own web UI names its API by path (relative, or after a script's host variable).
OTHER_DEVICE_URLS = [
    "http://192.168.1.64/ISAPI/Streaming/channels/101/picture",
    "http://admin:secret@192.168.1.64:80/ISAPI/Streaming/channels/102/httpPreview",
    "http://192.168.1.108/cgi-bin/configManager.cgi?action=getConfig&name=Snap",
    "http://[fe80::1]/cgi-bin/magicBox.cgi?action=getSystemInfo",
    "http://192.168.1.30/LAPI/V1.0/Channels/0/Media/Video/Streams/0/LiveStreamURL",
    "http://192.168.1.50/cgi-bin/api.cgi?cmd=Snap&channel=0&rs=wuuPhkmUCeI9WG7C",
    "http://cam-yard.local/ipcam/httpstream.cgi?streamtype=main",
]


@pytest.mark.parametrize("url", OTHER_DEVICE_URLS)
def test_camera_url_of_another_host_names_no_maker(url: str) -> None:
    body = (
        "<html><head><title>Cameras</title></head><body><table>\n"
        f"<tr><td>Front door</td><td>Online</td><td>{url}</td></tr>\n"
        "</table></body></html>\n"
    )
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    result = identify(parse_http((head + body).encode(), "192.168.1.20"))
    assert result.maker is None, (url, [c.rule for c in result.chain])
    assert not result.flag.flagged


@pytest.mark.parametrize(
    ("script", "maker"),
    [
        ('$.ajax({ url: m_szHost + ":" + m_iPort + "/ISAPI/Security/userCheck" });', "Hikvision"),
        ("xhr.open('GET', '../ISAPI/System/Network/interfaces');", "Hikvision"),
        ('fetch("/cgi-bin/magicBox.cgi?action=getSoftwareVersion")', "Dahua"),
        ("req.url = '/LAPI/V1.0/Channels/0/Media/Video/Streams/0/LiveStreamURL';", "Uniview"),
    ],
)
def test_own_api_path_in_a_script_still_names_its_maker(script: str, maker: str) -> None:
    body = f"<html><head><script>{script}</script></head><body></body></html>"
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    result = identify(parse_http((head + body).encode(), "192.168.1.20"))
    assert result.maker == maker, [c.rule for c in result.chain]
