"""nmap XML reports: nmap's verdicts and the device's words its default scripts kept,
read with the keys (and so the fingerprints) a camcensus scan uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import self_signed_der

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.nmap_report import MAX_SCRIPT_CHARS, parse_nmap_xml
from camcensus.vendor_db.identify import identify

FIXTURES = Path(__file__).parent.parent / "fixtures" / "nmap"
PROBES = Path("/usr/share/nmap/nmap-service-probes")


def _by_host(evidence: list[Evidence]) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for e in evidence:
        out.setdefault(e.address, set()).add((e.key, e.value))
    return out


def _report(ports: str, ip: str = "198.18.0.50") -> bytes:
    return (
        '<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun scanner="nmap"><host>'
        f'<status state="up" reason="syn-ack"/><address addr="{ip}" addrtype="ipv4"/>'
        f"<ports>{ports}</ports></host></nmaprun>"
    ).encode()


def test_default_scripts_give_the_scan_keys() -> None:
    hosts = _by_host(parse_nmap_xml((FIXTURES / "scripts.xml").read_bytes()))
    web = hosts["198.18.0.40"]
    assert {("http.server", "Webs"), ("http.server", "App-webs/")} <= web
    assert ("http.title", "Document Error: Unauthorized") in web
    assert ("http.favicon.md5", "89b932fcc47cf4ca3faadb0cfdef89cf") in web
    assert ("ftp.banner", "Welcome to the camera FTP service") in web
    axis = hosts["198.18.0.41"]
    assert ("tls.subject", "CN=M3106-L,O=Axis Communications AB,C=SE") in axis
    assert ("tls.issuer", "CN=M3106-L\\, camera") in axis  # a comma in a value is escaped
    assert ("snmp.sysdescr", "Linux M3106-L 4.9.206-axis5 #1 PREEMPT armv7l") in axis
    assert ("upnp.manufacturer", "AXIS") in axis
    assert ("upnp.model_name", "AXIS M3106-L") in axis
    assert ("http.server", "Linux/4.9, UPnP/1.0, Portable SDK for UPnP devices/1.6.18") in axis
    assert not any(k == "upnp.friendly_name" and "Location" in v for k, v in axis)


def test_the_scripts_identify_as_a_scan_would() -> None:
    evidence = parse_nmap_xml((FIXTURES / "scripts.xml").read_bytes())
    web = identify([e for e in evidence if e.address == "198.18.0.40"])
    assert (web.maker, web.flag.level) == ("Hikvision", "flagged")  # App-webs and the icon
    axis = identify([e for e in evidence if e.address == "198.18.0.41"])
    assert (axis.maker, axis.flag.level) == ("Axis Communications", "no")


def test_nmap_verdict_alone_names_the_maker_without_a_mac() -> None:
    """A routed host nmap called "Hikvision IP camera httpd" (its match line for the
    App-webs server) was named no one before: nmap.product was not read."""
    report = _report(
        '<port protocol="tcp" portid="80"><state state="open"/>'
        '<service name="http" product="Hikvision IP camera httpd"/></port>'
    )
    result = identify(parse_nmap_xml(report))
    assert (result.maker, result.flag.level) == ("Hikvision", "flagged")


@pytest.mark.parametrize(
    ("cpe", "maker"),
    [("cpe:/h:axis:m1054", "Axis Communications"), ("cpe:/a:apache:http_server:2.4.39", None),
     ("cpe:/o:linux:linux_kernel", None)],
)  # fmt: skip
def test_only_a_hardware_cpe_names_the_maker(cpe: str, maker: str | None) -> None:
    report = _report(
        f'<port protocol="tcp" portid="80"><state state="open"/><service name="http">'
        f"<cpe>{cpe}</cpe></service></port>"
    )
    assert identify(parse_nmap_xml(report)).maker == maker


def test_a_certificate_pem_goes_through_the_tls_parser() -> None:
    import base64

    der = self_signed_der("IPC-HFW2431S", "Dahua")
    pem = "-----BEGIN CERTIFICATE-----&#xa;" + base64.b64encode(der).decode()
    pem += "&#xa;-----END CERTIFICATE-----&#xa;"
    report = _report(
        '<port protocol="tcp" portid="443"><state state="open"/><service name="https"/>'
        f'<script id="ssl-cert" output="x"><elem key="pem">{pem}</elem>'
        '<table key="subject"><elem key="commonName">ignored</elem></table></script></port>'
    )
    values = _by_host(parse_nmap_xml(report))["198.18.0.50"]
    assert ("tls.subject", "CN=IPC-HFW2431S,O=Dahua,C=CN") in values
    assert ("tls.subject", "CN=ignored") not in values


def test_a_named_favicon_and_a_title_nmap_could_not_read() -> None:
    report = _report(
        '<port protocol="tcp" portid="80"><state state="open"/><service name="http"/>'
        '<script id="http-favicon" output="Hikvision DVR"/>'
        '<script id="http-title" output="Site doesn\'t have a title (text/html)."/></port>'
    )
    values = _by_host(parse_nmap_xml(report))["198.18.0.50"]
    assert ("nmap.favicon", "Hikvision DVR") in values
    assert not any(k == "http.title" for k, _ in values)


def test_a_banner_on_another_port_is_not_read_as_ftp_or_telnet() -> None:
    report = _report(
        '<port protocol="tcp" portid="8000"><state state="open"/><service name="http-alt"/>'
        '<script id="banner" output="220 looks like ftp"/></port>'
    )
    assert not any(e.key.startswith("ftp.") for e in parse_nmap_xml(report))


def test_hostile_script_output_is_capped() -> None:
    huge = "A" * (MAX_SCRIPT_CHARS * 4)
    scripts = "".join(f'<script id="http-server-header" output="{huge}"/>' for _ in range(200))
    report = _report(f'<port protocol="tcp" portid="80"><state state="open"/>{scripts}</port>')
    servers = [e for e in parse_nmap_xml(report) if e.key == "http.server"]
    assert servers
    assert all(len(e.value) <= MAX_SCRIPT_CHARS for e in servers)


@pytest.mark.skipif(not PROBES.exists(), reason="Debian's nmap is not installed")
def test_nmap_products_flag_only_the_maker_they_name() -> None:
    """Every product name in the installed nmap's match lines, as nmap.product: a flag
    needs the flagged maker's own name in the product ("Lorex IP camera rtspd" names the
    brand, so Dahua as its maker is at most possible)."""
    products = set()
    for line in PROBES.read_text("latin-1").splitlines():
        found = (
            re.search(r" p([/|])(.+?)\1", line)
            if line.startswith(("match ", "softmatch "))
            else None
        )
        if found:
            products.add(re.sub(r"\$\d", "X", found.group(2)))
    assert len(products) > 3000
    wrong = []
    for product in sorted(products):
        result = identify([Evidence("nmap.product", f"80/tcp {product}", "nmap", "198.18.0.5")])
        first = (result.maker or "").split()[0].casefold() if result.maker else ""
        if result.flag.level == "flagged" and first not in product.casefold():
            wrong.append((product, result.maker))
    assert wrong == []


def _xml_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace("\n", "&#xa;")
    )


def test_an_unknown_service_fingerprint_is_read_by_its_replies() -> None:
    """nmap's servicefp as -oX writes it: the fingerprint of its book's example
    (https://nmap.org/book/vscan-community.html), an FTP greeting on port 21."""
    from test_nmapfp import BOOK_FTP

    report = _report(
        '<port protocol="tcp" portid="21"><state state="open"/><service name="ftp" '
        f'servicefp="{_xml_attribute(BOOK_FTP.decode())}"/></port>'
    )
    banners = [e.value for e in parse_nmap_xml(report) if e.key == "ftp.banner"]
    assert banners
    assert banners[0].startswith("stage FTP server")


def test_fingerprint_strings_in_xml_are_read_as_rtsp() -> None:
    """The fingerprint-strings output of a camera's RTSP server
    (https://github.com/Ullaakut/cameradar/issues/181) as -oX writes the script."""
    from test_nmapfp import CAMERADAR_181

    lines = CAMERADAR_181.decode().splitlines()
    start = lines.index("| fingerprint-strings:") + 1
    block = "\n".join(line[2:] for line in lines[start : start + 20])
    report = _report(
        '<port protocol="tcp" portid="554"><state state="open"/><service name="rtsp"/>'
        f'<script id="fingerprint-strings" output="&#xa;{_xml_attribute(block)}"/></port>'
    )
    evidence = parse_nmap_xml(report)
    assert ("rtsp.server", "ALi feng/2.1.0_rc1") in {(e.key, e.value) for e in evidence}
    assert not any(e.key.startswith("http.") for e in evidence)  # RTSP replies to HTTP probes
