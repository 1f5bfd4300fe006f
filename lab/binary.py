"""The makers' binary TCP login handshakes, as far as public material documents them.

Two services a profile's ``[binary]`` table turns on (lab credentials only, lab-made):

* ``netip``: Xiongmai's DVRIP/"Sofia" port 34567. Every message is a 20-byte header
  (little-endian: head flag 0xFF, version, two reserved bytes, session id u32, sequence
  u32, two bytes (total/current packet), message id u16, data length u32) and JSON
  ending in ``\\n\\0``. A login (message 1000: ``UserName``, ``PassWord`` as the
  8-character "Sofia" MD5 digest, ``EncryptType`` MD5, ``LoginType`` DVRIP-Web) is
  answered with message 1001 and ``Ret`` (100 OK; 203 password incorrect, 106 user or
  password incorrect), ``SessionID`` (hex), ``AliveInterval``, ``ChannelNum``,
  ``"DeviceType "`` (with its trailing space) and ``ExtraChannel``; KeepAlive (1006) is
  answered by 1007. Sources: OpenIPC/python-dvr dvrip.py (header layout, message ids,
  the Sofia hash, the Ret codes) and the login-reply fields a Xiongmai-compatible
  device server documents in its comment (found in the public code index: "AliveInterval"
  20, "ChannelNum" 1, "DeviceType " "IPC", "ExtraChannel" 0, "Ret" 100, "SessionID"
  "0x00000002", reply message id 0x03E9).
* ``dvrip``: Dahua's port 37777. A 32-byte header (byte 0 the command, bytes 4-7 the
  payload length little-endian, bytes 16-19 the session id) then the payload. A login
  request (command 0xA0) without credentials gets the challenge: command 0xB0, bytes
  8-11 ``01 0E 01 00`` and ``Realm:Login to <32 hex>\\r\\nRandom:<digits>\\r\\n\\r\\n``;
  a login whose payload is ``<user>&&<hash>`` with the hash of that realm and random
  gets 0xB0 with byte 8 = 0 and a session id. The hash is MD5(user:random:MD5(user:
  realm:password)) followed by MD5(user:random:<8-character password digest>), both in
  upper-case hex. Sources: r4bit999/dvrip-analysis@2819e5931f03
  dvripNetzobInferring-output-example.txt (a captured login: the request and both
  replies, byte for byte), hashCreator.py@94748712565d (the hash) and mcw0/Tools'
  Dahua JSON Debug Console (0xA0 05 "send login details", 0xB0 "receive").
  Not documented at hand, so the lab's own choice: a failed login's bytes 8-9
  (``01 01`` here), the realm's 32 hex digits (MD5 of the serial here).

Anything else sent first (no 0xFF head flag; no 0xA0 command), as nmap's probes are,
closes the connection: no public capture says what the real services answer to
foreign bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Awaitable, Callable
from typing import Any, Final

__all__ = [
    "DVRIP_HEADER",
    "NETIP_HEADER",
    "dvrip_handler",
    "dvrip_hash",
    "netip_handler",
    "sofia_hash",
]

IDLE_TIMEOUT_S: Final = 10.0
NETIP_HEADER: Final = struct.Struct("<BBxxIIxxHI")
NETIP_LOGIN: Final = 1000
NETIP_LOGIN_REPLY: Final = 1001
NETIP_KEEPALIVE: Final = 1006
NETIP_KEEPALIVE_REPLY: Final = 1007
NETIP_OK: Final = 100
NETIP_BAD_PASSWORD: Final = 203
NETIP_BAD_USER: Final = 106
NETIP_MAX_DATA: Final = 64 * 1024
DVRIP_HEADER: Final = 32
DVRIP_LOGIN: Final = 0xA0
DVRIP_REPLY: Final = 0xB0
DVRIP_MAX_PAYLOAD: Final = 4096
_SOFIA_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def sofia_hash(password: str) -> str:
    """The 8-character digest Xiongmai's login carries (and Dahua's older one): the MD5
    digest's bytes summed in pairs, modulo 62, as 0-9A-Za-z (python-dvr sofia_hash)."""
    digest = hashlib.md5(password.encode("utf-8")).digest()  # noqa: S324 - the protocol's
    return "".join(
        _SOFIA_ALPHABET[(a + b) % 62] for a, b in zip(digest[::2], digest[1::2], strict=True)
    )


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("latin-1")).hexdigest().upper()  # noqa: S324


def dvrip_hash(user: str, password: str, realm: str, random: str) -> str:
    """What a Dahua 37777 login carries after ``<user>&&`` (hashCreator.py)."""
    gen2 = _md5_upper(f"{user}:{random}:{_md5_upper(f'{user}:{realm}:{password}')}")
    return gen2 + _md5_upper(f"{user}:{random}:{sofia_hash(password)}")


def _netip_packet(session: int, sequence: int, message: int, document: dict[str, Any]) -> bytes:
    data = json.dumps(document, separators=(", ", " : ")).encode("utf-8") + b"\n\x00"
    return NETIP_HEADER.pack(0xFF, 0, session, sequence, message, len(data)) + data


async def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
        await writer.wait_closed()


def netip_handler(username: str, password: str, session_base: int) -> Handler:
    """Xiongmai's port 34567 for one device: login and keep-alive (see the module)."""
    sessions = iter(range(session_base, session_base + 1_000_000))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = 0
        try:
            while True:
                head = await asyncio.wait_for(reader.readexactly(NETIP_HEADER.size), IDLE_TIMEOUT_S)
                flag, _version, _sid, sequence, message, length = NETIP_HEADER.unpack(head)
                if flag != 0xFF or length > NETIP_MAX_DATA:
                    return
                data = await asyncio.wait_for(reader.readexactly(length), IDLE_TIMEOUT_S)
                try:
                    request = json.loads(data.rstrip(b"\x00\n").decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    request = {}
                if not isinstance(request, dict):
                    request = {}
                if message == NETIP_LOGIN:
                    user = str(request.get("UserName", ""))
                    given = str(request.get("PassWord", ""))
                    if not hmac.compare_digest(user, username):
                        answer: dict[str, Any] = {"Ret": NETIP_BAD_USER, "SessionID": "0x00000000"}
                    elif not hmac.compare_digest(given, sofia_hash(password)):
                        answer = {"Ret": NETIP_BAD_PASSWORD, "SessionID": "0x00000000"}
                    else:
                        session = next(sessions)
                        answer = {
                            "AliveInterval": 20,
                            "ChannelNum": 1,
                            "DeviceType ": "IPC",
                            "ExtraChannel": 0,
                            "Ret": NETIP_OK,
                            "SessionID": f"0x{session:08X}",
                        }
                    writer.write(_netip_packet(session, sequence, NETIP_LOGIN_REPLY, answer))
                elif message == NETIP_KEEPALIVE and session:
                    answer = {"Name": "KeepAlive", "Ret": NETIP_OK, "SessionID": f"0x{session:08X}"}
                    writer.write(_netip_packet(session, sequence, NETIP_KEEPALIVE_REPLY, answer))
                else:
                    continue  # nothing published says what other messages get unlogged
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            await _close(writer)

    return handle


def _dvrip_reply(payload: bytes, status: bytes, session: int) -> bytes:
    """0xB0 and the captured reply's fixed bytes, *status* at 8-11, *session* at 16-19."""
    head = bytearray(DVRIP_HEADER)
    head[0:4] = bytes((DVRIP_REPLY, 0x00, 0x00, 0x78))
    head[4:8] = struct.pack("<I", len(payload))
    head[8:12] = status
    head[16:20] = struct.pack("<I", session)
    head[20:32] = bytes.fromhex("010000000600f90000000002")
    return bytes(head) + payload


def dvrip_handler(username: str, password: str, serial: str, session_base: int) -> Handler:
    """Dahua's port 37777 for one device: the login challenge and its answer."""
    realm = "Login to " + hashlib.md5(serial.encode("utf-8")).hexdigest()  # noqa: S324
    sessions = iter(range(session_base, session_base + 1_000_000))

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        random = ""
        try:
            while True:
                head = await asyncio.wait_for(reader.readexactly(DVRIP_HEADER), IDLE_TIMEOUT_S)
                (length,) = struct.unpack_from("<I", head, 4)
                if head[0] != DVRIP_LOGIN or length > DVRIP_MAX_PAYLOAD:
                    return
                payload = await asyncio.wait_for(reader.readexactly(length), IDLE_TIMEOUT_S)
                user, sep, given = payload.decode("latin-1").partition("&&")
                if not sep or not random:
                    random = str(secrets.randbelow(900_000_000) + 100_000_000)
                    text = f"Realm:{realm}\r\nRandom:{random}\r\n\r\n".encode("latin-1")
                    writer.write(_dvrip_reply(text, bytes.fromhex("010e0100"), 0))
                else:
                    expected = dvrip_hash(username, password, realm, random)
                    if hmac.compare_digest(user, username) and hmac.compare_digest(
                        given.strip().upper(), expected
                    ):
                        writer.write(_dvrip_reply(b"", bytes.fromhex("00080100"), next(sessions)))
                    else:
                        writer.write(_dvrip_reply(b"", bytes.fromhex("01010000"), 0))
                    random = ""
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            await _close(writer)

    return handle
