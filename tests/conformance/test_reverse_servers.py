"""The reverse check: camcensus scans servers nobody in this project wrote, each run in a
lab device namespace, and records what they announce.

The lab's devices here are of the ``intel-laptop`` profile, which the emulator serves no
port for, so every answer the scan hears comes from the third-party server started in
that namespace (tests/conformance/reverse_servers.py): python-ws-discovery's publisher,
python-zeroconf's service registration, async-upnp-client's UPnP server (SSDP responder
and description), python's http.server, Debian lighttpd, and Debian gst-rtsp-server
(tests/conformance/gst_rtsp_server.py, run with Debian's own python3).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest
from conformance_util import HERE, in_admin, lab_only, require, serving

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
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's: PyGObject is there, not in the venv
GST_SERVER = [SYSTEM_PYTHON, str(HERE / "gst_rtsp_server.py")]
RTSP_OPEN_PATH = "/Streaming/Channels/101"  # open to anyone: DESCRIBE gives the SDP
# Digest only; camcensus DESCRIBEs it with the query "?channel=1&subtype=0", which
# gst-rtsp-server leaves out when it matches a mount point
RTSP_AUTH_PATH = "/cam/realmonitor"
RTSP_USER = "admin"
GST_SERVER_HEADER = "GStreamer RTSP server"  # what gst-rtsp-server 1.22 sends, unasked
GST_REALM = "GStreamer RTSP Server"  # its default Digest realm


Evidence = dict[str, dict[str, list[str]]]
"""Per device IP, the values the scan recorded under each evidence key."""


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrev", devices=6, mix={QUIET_PROFILE: 1})


@pytest.fixture(scope="module")
def roles(lab: Lab) -> dict[str, DeviceInstance]:
    devices = sorted(lab.devices, key=lambda d: d.index)
    assert all(d.profile_id == QUIET_PROFILE for d in devices)
    lab_only([d.ip for d in devices])
    roles = ("wsd", "mdns", "upnp", "http", "lighttpd", "rtsp")
    return dict(zip(roles, devices, strict=True))


@pytest.fixture(scope="module")
def rtsp_password() -> str:
    """A fresh lab-only password for gst-rtsp-server's Digest mount (environment only)."""
    return secrets.token_urlsafe(12)


def _require_gst() -> None:
    """gst-rtsp-server for Debian's python3; `make install` (sysdeps) installs it."""
    check = (
        'import gi; gi.require_version("GstRtspServer", "1.0"); '
        "from gi.repository import GstRtspServer"
    )
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", check], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, (
        f"gst-rtsp-server is missing for {SYSTEM_PYTHON}: `make install` (sysdeps) installs "
        f"it: {done.stderr[-500:]}"
    )


def _gst_server(
    lab: Lab, device: DeviceInstance, password: str
) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
    _require_gst()
    argv = [*GST_SERVER, device.ip, "554", RTSP_OPEN_PATH, RTSP_AUTH_PATH, RTSP_USER]
    return serving(lab, device, argv, env={"RTSP_LAB_PASSWORD": password})


@pytest.fixture(scope="module")
def scanned(
    lab: Lab,
    roles: dict[str, DeviceInstance],
    rtsp_password: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Evidence:
    """One scan of the lab while all six servers run."""
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
        stack.enter_context(_gst_server(lab, roles["rtsp"], rtsp_password))
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
        named = device["identification"]
        by_key["_named"] = [str(named[field]) for field in ("maker", "brand", "model")]
        by_key["_flagged"] = [str(device["flagged"])]
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
    # the TXT pair with the service that announced it (issue 12's known miss)
    assert seen.get("mdns.txt_record") == [f"{MDNS_TYPE}: macaddress={MDNS_MAC}"], why
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


def test_gst_rtsp_server_announcements_are_recorded_and_name_no_maker(
    scanned: Evidence, roles: dict[str, DeviceInstance]
) -> None:
    seen, why = _of(scanned, roles["rtsp"], "Debian gst-rtsp-server")
    assert seen.get("tcp.ports") == ["554"], why
    assert seen.get("rtsp.server") == [GST_SERVER_HEADER], why
    (public,) = seen.get("rtsp.public", [""])
    assert {"OPTIONS", "DESCRIBE", "SETUP", "PLAY"} <= set(public.split(", ")), why
    # "/" is 404 there (test_ffprobe_...): the realm is the Digest mount's, the SDP the
    # open mount's, both read on the stream paths
    assert seen.get("rtsp.realm") == [GST_REALM], why
    assert seen.get("rtsp.sdp.session") == ["Session streamed with GStreamer"], why
    assert seen.get("rtsp.sdp.info") == ["rtsp-server"], why
    assert seen.get("rtsp.sdp.tool") == ["GStreamer"], why
    assert seen.get("rtsp.sdp.origin") == ["-"], why
    # every attribute of its SDP is a registered one (RFC 8866, 7273, 5576)
    assert "rtsp.sdp.attribute" not in seen, why
    # a media server on a laptop's MAC: no camera maker, not flagged, whatever the paths
    assert seen["_named"] == ["None", "None", "None"], why
    assert seen["_flagged"] == ["False"], why


def _ffprobe(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [
        require("ffprobe"),
        "-v",
        "error",
        "-timeout",
        "5000000",
        "-show_streams",
        "-of",
        "json",
    ]
    return in_admin(lab, [*argv, *args], timeout_s=40, check=False)


def _ffprobe_with_credentials(
    lab: Lab, url: str, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """ffprobe of an URL with credentials, read from a 0600 concat list, not from argv."""
    listing = tmp_path / "stream.ffconcat"
    listing.touch(mode=0o600)
    listing.write_text(f"ffconcat version 1.0\nfile '{url}'\n", encoding="utf-8")
    try:
        return _ffprobe(
            lab, "-f", "concat", "-safe", "0",
            "-protocol_whitelist", "file,rtsp,rtp,tcp,udp", str(listing),
        )  # fmt: skip
    finally:
        listing.unlink()


def _mjpeg(done: subprocess.CompletedProcess[str]) -> tuple[str, int, int]:
    assert done.returncode == 0, done.stderr[-2000:]
    (stream,) = json.loads(done.stdout)["streams"]
    return stream["codec_name"], stream["width"], stream["height"]


def test_ffprobe_plays_gst_rtsp_server_404_on_root_401_only_on_the_protected_mount(
    lab: Lab, roles: dict[str, DeviceInstance], rtsp_password: str, tmp_path: Path
) -> None:
    # the sanity check of the server itself, by a client nobody here wrote either
    device = roles["rtsp"]
    lab_only([device.ip])
    base = f"rtsp://{device.ip}:554"
    auth_url = f"{base}{RTSP_AUTH_PATH}?channel=1&subtype=0"
    with _gst_server(lab, device, rtsp_password):
        tcp = ("-rtsp_transport", "tcp")
        assert _mjpeg(_ffprobe(lab, *tcp, base + RTSP_OPEN_PATH)) == ("mjpeg", 320, 240)
        for url, status in ((f"{base}/", "404 Not Found"), (auth_url, "401 Unauthorized")):
            done = _ffprobe(lab, *tcp, url)
            assert done.returncode != 0, url
            assert f"DESCRIBE failed: {status}" in done.stderr, (url, done.stderr)
        user = f"rtsp://{RTSP_USER}:{rtsp_password}@{device.ip}:554"
        authed = _ffprobe_with_credentials(lab, auth_url.replace(base, user), tmp_path)
        assert _mjpeg(authed) == ("mjpeg", 320, 240)
        wrong = f"rtsp://{RTSP_USER}:not-{rtsp_password}@{device.ip}:554"
        refused = _ffprobe_with_credentials(lab, auth_url.replace(base, wrong), tmp_path)
        assert refused.returncode != 0
        assert "401 Unauthorized" in refused.stderr, refused.stderr[-2000:]


def test_without_the_servers_the_same_namespaces_answer_nothing_but_arp(
    lab: Lab, scanned: Evidence, tmp_path: Path
) -> None:
    # The control: the servers stopped, the same devices give ARP only, so the evidence
    # the other tests read is the third-party servers' own, not the lab emulator's.
    quiet = _scan(lab, tmp_path / "quiet.db")
    assert sorted(quiet) == sorted(d.ip for d in lab.devices)
    for ip, seen in quiet.items():
        assert {k for k in seen if not k.startswith("_")} == {"ip", "mac"}, (
            f"{ip} answered without a server: {seen}"
        )
