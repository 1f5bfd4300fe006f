"""RTSP of the lab as ffprobe (Debian ffmpeg) and nmap's rtsp-methods see it: 401
only on a real stream path (404 on others), DESCRIBE/SETUP/PLAY with credentials, the
Public list, a request without CSeq refused."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import pytest
from conformance_util import devices_with, in_admin, lab_only, require

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfr", devices=26, mix="default")


def _streams(lab: Lab) -> list[tuple[DeviceInstance, Profile]]:
    return [(d, p) for d, p in devices_with(lab, "rtsp") if p.data["rtsp"].get("stream_paths")]


def _url(device: DeviceInstance, profile: Profile, path: str, user: str = "") -> str:
    lab_only([device.ip])
    port = int(profile.data["rtsp"].get("port", 554))
    return f"rtsp://{user}{device.ip}:{port}{path}"


def test_ffprobe_plays_each_stream_path_with_the_profiles_credentials(lab: Lab) -> None:
    require("ffprobe")
    streams = _streams(lab)
    assert len(streams) >= 5
    for device, profile in streams:
        rtsp = profile.data["rtsp"]
        user = f"{rtsp['username']}:{rtsp['password']}@"
        url = _url(device, profile, str(rtsp["stream_paths"][0]), user)
        done = in_admin(
            lab,
            ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "3000000",
             "-show_streams", "-of", "json", url],
            timeout_s=30,
        )  # fmt: skip
        (stream,) = json.loads(done.stdout)["streams"]
        assert stream["codec_name"] == "h264", device.profile_id
        wrong = in_admin(
            lab,
            ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "3000000",
             _url(device, profile, str(rtsp["stream_paths"][0]), "admin:wrong@")],
            timeout_s=30, check=False,
        )  # fmt: skip
        assert wrong.returncode != 0
        assert "401 Unauthorized" in wrong.stderr


def test_ffprobe_describe_is_404_off_the_stream_paths_and_401_on_them(lab: Lab) -> None:
    require("ffprobe")
    for device, profile in _streams(lab):
        for path, status in (
            ("/", "404 Not Found"),
            (str(profile.data["rtsp"]["stream_paths"][0]), "401 Unauthorized"),
        ):
            done = in_admin(
                lab,
                ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "3000000",
                 _url(device, profile, path)],
                timeout_s=30, check=False,
            )  # fmt: skip
            assert done.returncode != 0
            assert f"DESCRIBE failed: {status}" in done.stderr, (device.profile_id, path)


def test_nmap_rtsp_methods_reads_the_public_list(lab: Lab) -> None:
    require("nmap")
    devices = [(d, p) for d, p in devices_with(lab, "rtsp") if p.section("replay") is None]
    ips = [d.ip for d, p in devices if int(p.data["rtsp"].get("port", 554)) == 554]
    lab_only(ips)
    out = in_admin(
        lab, ["nmap", "-Pn", "-p", "554", "--script", "rtsp-methods", *ips], timeout_s=120
    ).stdout
    for device, profile in devices:
        if device.ip not in ips:
            continue
        section = out.split(f"Nmap scan report for {device.ip}\n", 1)[1].split("Nmap scan", 1)[0]
        public = str(profile.data["rtsp"].get("public", "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"))
        assert f"rtsp-methods: {public}" in section, device.profile_id


def test_a_request_without_cseq_gets_400_and_no_cseq(lab: Lab) -> None:
    device, profile = _streams(lab)[0]
    url = _url(device, profile, "/")
    script = (
        "import socket,sys;s=socket.create_connection((sys.argv[1],554),3);"
        "s.sendall(('OPTIONS '+sys.argv[2]+' RTSP/1.0\\r\\n\\r\\n').encode());"
        "print(s.recv(4096).decode())"
    )
    done = in_admin(lab, [sys.executable, "-c", script, device.ip, url])
    assert done.stdout.startswith("RTSP/1.0 400 ")
    assert "CSeq" not in done.stdout
