"""The reverse check: camcensus scans servers nobody in this project wrote, each run in a
lab device namespace, and records what they announce.

The lab's devices here are of the ``intel-laptop`` profile, which the emulator serves no
port for, so every answer the scan hears comes from the third-party server started in
that namespace (tests/conformance/reverse_servers.py): python-ws-discovery's publisher,
python-zeroconf's service registration, async-upnp-client's UPnP server (SSDP responder
and description) and python's http.server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest
from conformance_util import HERE, lab_only, require, serving

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance

pytestmark = pytest.mark.lab

SERVERS = [sys.executable, str(HERE / "reverse_servers.py")]
QUIET_PROFILE = "intel-laptop"  # answers ARP only: the emulator binds no port for it

WSD_SCOPES = (
    "onvif://www.onvif.org/type/video_encoder",
    "onvif://www.onvif.org/Profile/Streaming",
    "onvif://www.onvif.org/hardware/DS-2CD2143G2-I",
    "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I",
    "onvif://www.onvif.org/location/city/hangzhou",
)
MDNS_HOST = "axis-b8a44f1a2b3c"
MDNS_INSTANCE = "AXIS M3106-L Mk II - B8A44F1A2B3C"  # Axis's "<model> - <MAC>" form
MDNS_TYPE = "_http._tcp.local."
MDNS_MAC = "B8A44F1A2B3C"
UPNP = {"manufacturer": "Dahua", "model": "IPC-HDW2431T-AS-S2", "serial": "6J0A1B2PAZ00001"}
LIGHTTPD_TAG = "DNVRS-Webs"  # Hikvision recorders' Server header (recog http_servers.xml)
HTTP_SERVER = "App-webs/"  # the Server header Hikvision's web server sends (recog, nmap)
UPNP_PORT = 49152


Evidence = dict[str, dict[str, list[str]]]
"""Per device IP, the values the scan recorded under each evidence key."""


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrev", devices=5, mix={QUIET_PROFILE: 1})


@pytest.fixture(scope="module")
def roles(lab: Lab) -> dict[str, DeviceInstance]:
    devices = sorted(lab.devices, key=lambda d: d.index)
    assert all(d.profile_id == QUIET_PROFILE for d in devices)
    lab_only([d.ip for d in devices])
    return dict(zip(("wsd", "mdns", "upnp", "http", "lighttpd"), devices, strict=True))


@pytest.fixture(scope="module")
def scanned(
    lab: Lab, roles: dict[str, DeviceInstance], tmp_path_factory: pytest.TempPathFactory
) -> Evidence:
    """One scan of the lab while all five servers run."""
    wsd, mdns, upnp, http = roles["wsd"], roles["mdns"], roles["upnp"], roles["http"]
    web = roles["lighttpd"]
    require("lighttpd")
    with ExitStack() as stack:
        stack.enter_context(serving(lab, wsd, [*SERVERS, "wsd", wsd.ip, *WSD_SCOPES]))
        stack.enter_context(
            serving(
                lab, mdns,
                [*SERVERS, "mdns", mdns.ip, MDNS_HOST, MDNS_INSTANCE, MDNS_TYPE, "80",
                 f"macaddress={MDNS_MAC}"],
            )
        )  # fmt: skip
        stack.enter_context(
            serving(
                lab, upnp,
                [*SERVERS, "upnp", upnp.ip, str(UPNP_PORT), UPNP["manufacturer"],
                 UPNP["model"], UPNP["serial"]],
            )
        )  # fmt: skip
        stack.enter_context(serving(lab, http, [*SERVERS, "http", http.ip, "80", HTTP_SERVER]))
        stack.enter_context(serving(lab, web, [*SERVERS, "lighttpd", web.ip, "80", LIGHTTPD_TAG]))
        evidence = _scan(lab, tmp_path_factory.mktemp("reverse") / "inv.db")
    return evidence  # the servers stopped: the control test scans the same devices quiet


def _scan(lab: Lab, db: Path) -> Evidence:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         "198.18.0.0/24", "--scope", "lab", "--db", str(db), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"camcensus scan failed: {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    evidence: Evidence = {}
    for device in result["devices"]:
        by_key = evidence.setdefault(device["ip"], {})
        for item in device["evidence"]:
            by_key.setdefault(item["key"], []).append(item["value"])
        by_key["_identified"] = [str(device["maker"]), str(device["model"])]
    return evidence


def _of(scanned: Evidence, device: DeviceInstance, server: str) -> tuple[dict[str, list[str]], str]:
    """What camcensus recorded for *device*, and the message of a failed assertion."""
    assert device.ip in scanned, f"camcensus did not record {device.ip}, where {server} runs"
    seen = scanned[device.ip]
    return seen, f"camcensus misread {server}: {seen}"


def test_wsdiscovery_publisher_types_and_scopes_are_recorded(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["wsd"], "python-ws-discovery's publisher")
    assert seen.get("wsd.types") == ["dn:NetworkVideoTransmitter tds:Device"], why
    assert seen.get("wsd.xaddrs") == [f"http://{roles['wsd'].ip}/onvif/device_service"], why
    assert seen.get("wsd.scope.type") == ["video_encoder"], why
    assert seen.get("wsd.scope.profile") == ["Streaming"], why
    assert seen.get("wsd.scope.hardware") == ["DS-2CD2143G2-I"], why
    assert seen.get("wsd.scope.name") == ["HIKVISION DS-2CD2143G2-I"], why
    assert seen.get("wsd.scope.location") == ["city/hangzhou"], why
    (endpoint,) = seen.get("wsd.endpoint", [""])
    assert endpoint.startswith("urn:uuid:"), why
    assert seen["_identified"] == ["Hikvision", "DS-2CD2143G2-I"], why


def test_zeroconf_registration_service_and_txt_are_recorded(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["mdns"], "python-zeroconf's registration")
    assert MDNS_TYPE in seen.get("mdns.service", []), why
    assert seen.get("mdns.name") == [MDNS_INSTANCE], why
    assert seen.get("mdns.txt.macaddress") == [MDNS_MAC], why
    # the model comes from the Axis instance name alone (no other protocol answers)
    assert seen["_identified"] == ["Axis Communications", "M3106-L Mk II"], why


def test_async_upnp_client_device_description_is_recorded(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["upnp"], "async-upnp-client's UPnP server")
    assert seen.get("ssdp.server", [""])[0].startswith("async-upnp-client/"), why
    assert any(u.endswith("::upnp:rootdevice") for u in seen.get("ssdp.usn", [])), why
    assert seen.get("upnp.manufacturer") == [UPNP["manufacturer"]], why
    assert seen.get("upnp.model_name") == [UPNP["model"]], why
    assert seen.get("upnp.serial") == [UPNP["serial"]], why
    assert seen["_identified"] == ["Dahua", UPNP["model"]], why


def test_http_server_header_is_recorded(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["http"], "python's http.server")
    assert seen.get("tcp.ports") == ["80"], why
    assert seen.get("http.server") == [HTTP_SERVER], why
    assert seen.get("http.title") == ["Login"], why
    # http.server's own header order (RFC 9110 leaves it free), read as sent
    assert seen.get("http.header_names") == ["Server, Date, Content-Type, Content-Length"], why
    assert seen["_identified"][0] == "Hikvision", why


def test_lighttpd_server_tag_is_recorded(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["lighttpd"], "Debian lighttpd")
    assert seen.get("tcp.ports") == ["80"], why
    assert seen.get("http.server") == [LIGHTTPD_TAG], why
    # "/" gives the page; the ISAPI path camcensus also asks for gets lighttpd's own 404
    assert sorted(seen.get("http.title", [])) == ["404 Not Found", "NVR"], why
    # lighttpd's header order (Server last), read as sent
    names = seen.get("http.header_names", [])
    assert names, why
    assert all(n.endswith("Connection, Date, Server") for n in names), why
    assert seen["_identified"][0] == "Hikvision", why


def test_without_the_servers_the_same_namespaces_answer_nothing_but_arp(
    lab: Lab, scanned: Evidence, tmp_path: Path
) -> None:
    # The control: the servers stopped, the same devices give ARP only, so the evidence
    # the other tests read is the third-party servers' own, not the lab emulator's.
    quiet = _scan(lab, tmp_path / "quiet.db")
    assert sorted(quiet) == sorted(d.ip for d in lab.devices)
    for ip, seen in quiet.items():
        assert set(seen) - {"_identified"} == {"ip", "mac"}, (
            f"{ip} answered without a server: {seen}"
        )
