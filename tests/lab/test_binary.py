"""lab/binary.py on loopback: python-dvr (a Xiongmai client nobody here wrote) logs in
to the NetIP service; the Dahua 37777 service answers the captured request layout."""

from __future__ import annotations

import asyncio
import hashlib
import struct

from dvrip import DVRIPCam

from camcensus.lab import binary

USER, PASSWORD = "admin", "lab-only-password"


def test_the_sofia_digest_is_python_dvrs() -> None:
    for password in ("", "lab-only-password", "123456", "ünïcode"):
        assert binary.sofia_hash(password) == DVRIPCam("127.0.0.1").sofia_hash(password)


async def _serve(handler: binary.Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_python_dvr_logs_in_and_keeps_alive_with_the_lab_password_only() -> None:
    server, port = await _serve(binary.netip_handler(USER, PASSWORD, 0x110))

    def login(user: str, password: str) -> tuple[bool, int]:
        cam = DVRIPCam("127.0.0.1", user=user, password=password, port=port)
        try:
            cam.connect(timeout=5)
            return bool(cam.login()), cam.session
        finally:
            sock = cam.socket
            cam.close()  # python-dvr leaves the socket open when no login succeeded
            if sock is not None:
                sock.close()

    async with server:
        assert await asyncio.to_thread(login, USER, PASSWORD) == (True, 0x110)
        assert (await asyncio.to_thread(login, USER, "wrong"))[0] is False
        assert (await asyncio.to_thread(login, "nobody", PASSWORD))[0] is False


async def test_netip_login_reply_carries_the_documented_fields() -> None:
    server, port = await _serve(binary.netip_handler(USER, PASSWORD, 0x210))
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        body = (
            b'{"EncryptType": "MD5", "LoginType": "DVRIP-Web", "PassWord": "'
            + binary.sofia_hash(PASSWORD).encode()
            + b'", "UserName": "admin"}\n\x00'
        )
        writer.write(binary.NETIP_HEADER.pack(0xFF, 0, 0, 0, 1000, len(body)) + body)
        head = await reader.readexactly(20)
        flag, _v, session, _seq, message, length = binary.NETIP_HEADER.unpack(head)
        data = await reader.readexactly(length)
        writer.close()
    assert (flag, message, session) == (0xFF, 1001, 0x210)
    assert data.endswith(b"\n\x00")
    text = data[:-2].decode()
    for field in ('"AliveInterval"', '"ChannelNum"', '"DeviceType "', '"ExtraChannel"'):
        assert field in text
    assert '"Ret" : 100' in text
    assert '"SessionID" : "0x00000210"' in text


async def test_foreign_bytes_close_both_services_without_a_reply() -> None:
    for handler in (
        binary.netip_handler(USER, PASSWORD, 1),
        binary.dvrip_handler(USER, PASSWORD, "SERIAL", 1),
    ):
        server, port = await _serve(handler)
        async with server:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.0\r\n\r\n" + b"\x00" * 32)
            assert await asyncio.wait_for(reader.read(), 5) == b""
            writer.close()


async def test_dvrip_challenge_then_session_for_the_published_hash() -> None:
    server, port = await _serve(binary.dvrip_handler(USER, PASSWORD, "SERIAL1", 0x310))
    first = bytes.fromhex("a0050060" + "00" * 28)
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(first)
        head = await reader.readexactly(32)
        (length,) = struct.unpack_from("<I", head, 4)
        text = (await reader.readexactly(length)).decode()
        fields = dict(x.split(":", 1) for x in text.split("\r\n") if x)
        assert fields["Realm"] == "Login to " + hashlib.md5(b"SERIAL1").hexdigest()  # noqa: S324
        payload = f"{USER}&&{binary.dvrip_hash(USER, PASSWORD, fields['Realm'], fields['Random'])}"
        writer.write(first[:4] + struct.pack("<I", len(payload)) + first[8:] + payload.encode())
        ok = await reader.readexactly(32)
        writer.close()
    assert ok[0] == 0xB0
    assert ok[8] == 0
    assert struct.unpack_from("<I", ok, 16) == (0x310,)
