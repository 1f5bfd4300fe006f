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
    head = (
        "HTTP/1.1 404 Not Found\r\nServer: webserver\r\n"
        f"Content-Type: text/html\r\nContent-Length: {len(body.encode())}\r\n\r\n"
    )
    result = identify(parse_http((head + body).encode(), "192.168.1.20"))
    assert result.maker is None, (path, name, [c.rule for c in result.chain])
    assert not result.flag.flagged
