"""HTTP of the lab as curl and nmap's http-headers see it: the method is honoured (HEAD
without a body, 405/501 for what an embedded server does not do), a Date header, the
profile's header order, a fresh Digest nonce per challenge."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import pytest
from conformance_util import devices_with, in_admin, lab_only, require

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfh", devices=26, mix="default")


def _web(lab: Lab) -> list[tuple[DeviceInstance, Profile]]:
    return [(d, p) for d, p in devices_with(lab, "http") if p.section("replay") is None]


def _base(device: DeviceInstance, profile: Profile) -> str:
    port = int((profile.section("http") or {}).get("ports", [80])[0])
    return f"http://{device.ip}:{port}"


def _curl(lab: Lab, *args: str) -> str:
    require("curl")
    url = args[-1]
    lab_only([url.split("/")[2].split(":")[0]])
    return in_admin(lab, ["curl", "-s", "-m", "5", "-D", "-", "-o", "/dev/null", *args]).stdout


def _headers(raw: str) -> list[tuple[str, str]]:
    lines = raw.split("\n\n", 1)[0].split("\n")[1:]
    return [(n.strip(), v.strip()) for n, _, v in (line.partition(":") for line in lines) if v]


def test_curl_head_gets_the_get_headers_without_a_body(lab: Lab) -> None:
    for device, profile in _web(lab):
        url = f"{_base(device, profile)}/"
        get = in_admin(lab, ["curl", "-s", "-m", "5", "-i", url]).stdout
        head = in_admin(lab, ["curl", "-s", "-m", "5", "-i", "--head", url]).stdout
        # (text mode: curl's CRLFs read as "\n")
        get_head, _, get_body = get.partition("\n\n")
        assert head.endswith("\n\n"), device.profile_id
        assert head.count("\n\n") == 1, device.profile_id
        assert head.split("\n", 1)[0] == get_head.split("\n", 1)[0]
        names = [n for n, _ in _headers(head)]
        assert names == [n for n, _ in _headers(get_head)]
        length = len(get_body.replace("\n", "\r\n").encode())
        assert dict(_headers(head))["Content-Length"] == str(length)
        date = parsedate_to_datetime(dict(_headers(head))["Date"])
        assert date.tzinfo is not None


def test_curl_methods_an_embedded_server_does_not_do(lab: Lab) -> None:
    device, profile = _web(lab)[0]
    url = f"{_base(device, profile)}/"
    deleted = _curl(lab, "-X", "DELETE", url)
    assert deleted.startswith("HTTP/1.1 405 ")
    assert "Allow: GET, HEAD, POST" in deleted
    assert _curl(lab, "-X", "BREW", url).startswith("HTTP/1.1 501 ")


def test_header_order_is_the_profiles(lab: Lab) -> None:
    for device, profile in _web(lab):
        order = (profile.section("http") or {}).get("header_order")
        if not order:
            continue
        # nmap's service probes ask in HTTP/1.0: these servers answer in kind
        raw = _curl(lab, "--http1.0", f"{_base(device, profile)}/")
        assert raw.startswith("HTTP/1.0 "), device.profile_id
        names = [n for n, _ in _headers(raw) if n in order]
        assert names == [n for n in order if n in names]


def test_digest_nonce_is_fresh_for_every_challenge(lab: Lab) -> None:
    checked = 0
    for device, profile in _web(lab):
        for route in (profile.section("http") or {}).get("paths", []):
            challenge = str(route.get("headers", {}).get("WWW-Authenticate", ""))
            if "{nonce}" not in challenge:
                continue
            url = f"{_base(device, profile)}{route['path']}"
            nonces = {
                re.search(r'nonce="([^"]+)"', _curl(lab, url)).group(1)  # type: ignore[union-attr]
                for _ in range(3)
            }
            assert len(nonces) == 3, device.profile_id
            checked += 1
    assert checked >= 2


def test_nmap_http_headers_reads_server_and_date_of_every_web_device(lab: Lab) -> None:
    require("nmap")
    # http-headers runs on ports nmap takes for HTTP without -sV (80, 8080, ...), as on
    # a real network; TP-Link's 2020 is not one of them
    web = [(d, p) for d, p in _web(lab) if _base(d, p).endswith((":80", ":8080"))]
    assert len(web) >= 10
    ips = sorted({d.ip for d, _ in web})
    lab_only(ips)
    ports = sorted({_base(d, p).rsplit(":", 1)[1] for d, p in web})
    out = in_admin(
        lab,
        ["nmap", "-Pn", "-p", ",".join(ports), "--script", "http-headers", *ips],
        timeout_s=120,
    ).stdout
    for device, profile in web:
        section = out.split(f"Nmap scan report for {device.ip}\n", 1)[1]
        section = section.split("Nmap scan report for", 1)[0]
        assert "|   Date: " in section, device.profile_id
        server = (profile.section("http") or {}).get("server")
        if server and "{" not in str(server):
            assert f"|   Server: {server}" in section, device.profile_id
