"""The recorder probe over a replay transport: one challenge, one login, never retried.

The recorder below is the lab's own (``lab.recorder.RecorderService``: its Digest check
is written apart from the scanner's), answering over the replay transport.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from replay import CAMERA, context, http_reply, sent

from camcensus.base.evidence import Evidence
from camcensus.lab.recorder import Channel as LabChannel
from camcensus.lab.recorder import RecorderService
from camcensus.scanner.core.recorder import RecorderCredential, RecorderCredentials
from camcensus.scanner.probes import recorder
from camcensus.scanner.probes.context import HostBudget, HostInfo
from camcensus.scanner.probes.transport import ReplayTransport

SADP = (Evidence("sadp.digital_channels", "2", "sadp", CAMERA),)
CAMERAS = [
    LabChannel(
        1, "198.19.2.11", "", "HIKVISION", "Camera 01", "", "DS-2CD2143G2-I", "V5.7.3", "S1"
    ),
    LabChannel(2, "198.19.2.12", "", "ONVIF", "Camera 02", "", "M3106-L Mk II", "10.12", "S2"),
]


def _nvr(tmp_path: Path, *, status: int | None = None) -> tuple[ReplayTransport, RecorderService]:
    section = {"api": "isapi", "username": "admin", "password": "right", "realm": "Hikvision"}
    service = RecorderService(section, CAMERAS, tmp_path / "failures")

    def answer(ip: str, port: int, request: bytes) -> bytes:
        head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target = head[0].split()[:2]
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        if status is not None and "authorization" in headers:
            return http_reply(f"{status} Locked", [], b"<statusString>userLocked</statusString>")
        if not service.handles(target):
            return http_reply("404 Not Found")
        code, fields, body = service.respond(method, target, headers)
        reason = "OK" if code == 200 else "Unauthorized"
        return http_reply(f"{code} {reason}", [f"{k}: {v}" for k, v in fields.items()], body)

    return ReplayTransport(tcp=answer, open_ports={CAMERA: frozenset({80})}), service


def _ctx(transport: ReplayTransport, password: str | None, warnings: list[str]):  # type: ignore[no-untyped-def]
    creds = (
        None if password is None else RecorderCredentials((RecorderCredential("admin", password),))
    )
    return context(
        transport,
        recorder_credentials=creds,
        budget=HostBudget(1, recorder.REQUESTS_EACH),
        warn=warnings.append,
    )


def _authorised(transport: ReplayTransport) -> list[bool]:
    return [
        b"\r\nAuthorization: Digest " in request for _ip, _port, request in sent(transport, "tcp")
    ]


async def test_without_credentials_nothing_is_sent(tmp_path: Path) -> None:
    transport, _ = _nvr(tmp_path)
    found = await recorder.run_host(_ctx(transport, None, []), HostInfo(CAMERA, (80,), SADP))
    assert sent(transport, "tcp") == []
    assert [(e.key, e.value) for e in found] == [
        ("recorder.unlisted", "2 cameras behind it, not listed: credentials needed")
    ]


async def test_with_credentials_one_challenge_and_one_login_list_the_cameras(
    tmp_path: Path,
) -> None:
    transport, service = _nvr(tmp_path)
    found = await recorder.run_host(_ctx(transport, "right", []), HostInfo(CAMERA, (80,), SADP))
    assert _authorised(transport) == [False, True]
    assert service.failures == 0
    own = {(e.key, e.value) for e in found if e.address == CAMERA}
    assert own == {("recorder.login", "ok"), ("recorder.listed", "2")}
    models = [e.value for e in found if e.key == "recorder.model"]
    assert models == ["DS-2CD2143G2-I", "M3106-L Mk II"]
    assert {e.address for e in found} == {CAMERA, "198.19.2.11", "198.19.2.12"}


async def test_a_wrong_password_is_one_attempt_and_a_warning(tmp_path: Path) -> None:
    transport, service = _nvr(tmp_path)
    warnings: list[str] = []
    found = await recorder.run_host(
        _ctx(transport, "wrong", warnings), HostInfo(CAMERA, (80,), SADP)
    )
    assert _authorised(transport) == [False, True]
    assert service.failures == 1
    assert (tmp_path / "failures").read_text() == "1"
    assert len(warnings) == 1
    assert "rejected the login" in warnings[0]
    assert "not retried" in warnings[0]
    assert "wrong" not in warnings[0]
    assert ("recorder.login", "failed") in {(e.key, e.value) for e in found}
    assert all(e.address == CAMERA for e in found)


@pytest.mark.parametrize("status", [401, 403])
async def test_a_locked_account_is_named(tmp_path: Path, status: int) -> None:
    transport, _ = _nvr(tmp_path, status=status)
    warnings: list[str] = []
    found = await recorder.run_host(
        _ctx(transport, "right", warnings), HostInfo(CAMERA, (80,), SADP)
    )
    assert _authorised(transport) == [False, True]
    assert ("recorder.login", "locked") in {(e.key, e.value) for e in found}
    assert "locked" in warnings[0]


async def test_a_host_that_is_no_recorder_gets_nothing(tmp_path: Path) -> None:
    transport, _ = _nvr(tmp_path)
    camera = (Evidence("sadp.digital_channels", "0", "sadp", CAMERA),)
    found = await recorder.run_host(_ctx(transport, "right", []), HostInfo(CAMERA, (80,), camera))
    assert found == []
    assert sent(transport, "tcp") == []


async def test_a_routed_recorder_is_known_by_its_identification(tmp_path: Path) -> None:
    transport, _ = _nvr(tmp_path)
    said = (Evidence("http.server", "DNVRS-Webs", "http", CAMERA),)  # a Hikvision NVR's server
    found = await recorder.run_host(_ctx(transport, "right", []), HostInfo(CAMERA, (80,), said))
    assert _authorised(transport) == [False, True]
    assert ("recorder.listed", "2") in {(e.key, e.value) for e in found}


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<InputProxyChannelList><InputProxyChannel><id>1</id><name>&b;</name>"
    b"</InputProxyChannel></InputProxyChannelList>"
)


@pytest.mark.parametrize("body", [BOMB, b"\x00\xff garbage", b"<a>" * 200_000])
async def test_a_hostile_channel_list_costs_only_its_cameras(body: bytes) -> None:
    def answer(ip: str, port: int, request: bytes) -> bytes:
        if b"Authorization:" not in request:
            return http_reply("401 Unauthorized", ['WWW-Authenticate: Digest realm="r", nonce="n"'])
        return http_reply("200 OK", ["Content-Type: application/xml"], body)

    transport = ReplayTransport(tcp=answer, open_ports={CAMERA: frozenset({80})})
    warnings: list[str] = []
    found = await recorder.run_host(
        _ctx(transport, "right", warnings), HostInfo(CAMERA, (80,), SADP)
    )
    assert _authorised(transport) == [False, True]
    assert [e.key for e in found] == ["recorder.login", "recorder.unlisted"]
    assert all(e.address == CAMERA for e in found)
    assert found[-1].value == "0 cameras listed: reply not understood"
    assert len(warnings) == 1
    assert warnings[0].startswith(f"recorder {CAMERA}: its channel list is not one (")
