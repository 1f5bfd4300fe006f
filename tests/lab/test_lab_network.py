"""The lab, end to end: every service a profile declares answers from the admin namespace.

These tests talk to the emulated devices the way a scanner would, but with plain
sockets, so they check the lab itself rather than camcensus' probes.  All traffic
stays inside the lab's namespaces (sockets are opened in a thread that has entered
the admin namespace).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from capture import RootCapture

from camcensus.lab import netns
from camcensus.lab.api import Lab
from camcensus.lab.profiles import Profile, render

pytestmark = pytest.mark.lab

ADMIN_IP = "198.18.0.1"
BROADCAST = "198.18.1.255"
LAB = "cctnet"


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    # mix "all" with one device per profile: every profile, hostile ones included.
    from camcensus.lab.profiles import builtin_mix

    count = len(builtin_mix("all"))
    return make_lab(LAB, devices=count, mix="all")


@pytest.fixture(scope="module")
def profiles(lab: Lab) -> dict[str, Profile]:
    return lab.profiles()


def in_admin(lab: Lab, func: Callable[[], Any]) -> Any:
    return netns.call_in(lab.admin_ns, func, timeout_s=60)


def with_section(lab: Lab, profiles: dict[str, Profile], name: str) -> dict[str, Any]:
    """ip -> device for every device whose profile has section *name*."""
    return {d.ip: d for d in lab.devices if profiles[d.profile_id].section(name) is not None}


def replaying(lab: Lab, profiles: dict[str, Profile], kind: str) -> dict[str, Any]:
    """ip -> device for every replay device that answers *kind* (wsd, ssdp) with a
    captured reply."""
    return {
        d.ip: d
        for d in lab.devices
        if kind in (profiles[d.profile_id].section("replay") or {}).get("udp", {})
    }


def udp_exchange(
    payload: bytes,
    dest: tuple[str, int],
    *,
    bind_port: int = 0,
    group: str | None = None,
    broadcast: bool = False,
    wait_s: float = 2.0,
) -> list[tuple[str, bytes]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if broadcast:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.bind(("0.0.0.0", bind_port))
    if group:
        mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(ADMIN_IP))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ADMIN_IP))
    sock.sendto(payload, dest)
    sock.settimeout(0.2)
    replies: list[tuple[str, bytes]] = []
    end = time.monotonic() + wait_s
    while time.monotonic() < end:
        try:
            data, addr = sock.recvfrom(65535)
        except TimeoutError:
            continue
        if addr[0] != ADMIN_IP:
            replies.append((addr[0], data))
    sock.close()
    return replies


def http_get(ip: str, port: int, path: str = "/", body: bytes | None = None) -> bytes:
    method = "POST" if body is not None else "GET"
    head = f"{method} {path} HTTP/1.1\r\nHost: {ip}\r\nConnection: close\r\n"
    if body is not None:
        head += f"Content-Type: application/soap+xml\r\nContent-Length: {len(body)}\r\n"
    with socket.create_connection((ip, port), timeout=5) as sock:
        sock.sendall(head.encode() + b"\r\n" + (body or b""))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# --- topology and safety ---------------------------------------------------------------


def test_no_lab_namespace_has_a_route_out(lab: Lab) -> None:
    lab_ns = set(lab.namespaces())
    assert len(lab_ns) == len(lab.devices) + 2
    for ns in lab_ns:
        routes = subprocess.run(
            ["ip", "-n", ns, "-4", "route", "show", "table", "all"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "default" not in routes, f"{ns} has a default route:\n{routes}"
        for line in routes.splitlines():
            dev = line.split(" dev ", 1)[1].split()[0] if " dev " in line else ""
            assert dev in {"ccadm0", "ccdev0", "lo", "ccbr0"}, f"{ns}: unexpected route {line}"
        links = json.loads(
            subprocess.run(
                ["ip", "-n", ns, "-j", "-d", "link", "show"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for link in links:
            # A veth whose peer lives in another namespace names it; it must be ours.
            peer_ns = link.get("link_netnsid")
            if peer_ns is not None:
                ids = json.loads(
                    subprocess.run(
                        ["ip", "-n", ns, "-j", "netns", "list-id"],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    or "[]"
                )
                names = {entry["nsid"]: entry.get("name", "?") for entry in ids}
                assert names.get(peer_ns) in lab_ns, f"{ns}:{link['ifname']} leads outside the lab"
    bridge_addrs = subprocess.run(
        ["ip", "-n", lab.bridge_ns, "-4", "addr", "show"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "inet " not in bridge_addrs.replace("inet 127.0.0.1", ""), (
        "bridge namespace has an address"
    )


def test_lab_traffic_never_reaches_the_host_interfaces(lab: Lab) -> None:
    """Capture in the root namespace while the admin probes the whole lab."""
    lab_macs = {bytes.fromhex(d.mac.replace(":", "")) for d in lab.devices}
    with RootCapture() as capture:
        in_admin(lab, lambda: udp_exchange(b"ping", (BROADCAST, 9), broadcast=True, wait_s=0.3))
        in_admin(lab, lambda: udp_exchange(_wsd_probe(), ("239.255.255.250", 3702)))
        in_admin(lab, lambda: [_nudge(d.ip) for d in lab.devices])
        # A marker on the host's loopback proves the capture itself works.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as marker:
            marker.sendto(b"camcensus-capture-marker", ("127.0.0.1", 9))
        time.sleep(0.5)
    assert any(b"camcensus-capture-marker" in f for f in capture.frames), "capture saw nothing"
    leaks = capture.lab_frames(lab_macs)
    assert not leaks, f"{len(leaks)} lab frames seen on the host's interfaces: {leaks[:3]}"


def _nudge(ip: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"", (ip, 9))


# --- discovery ---------------------------------------------------------------------


def test_arp_returns_each_profiles_mac(lab: Lab, profiles: dict[str, Profile]) -> None:
    def nudge_all() -> None:
        for device in lab.devices:
            _nudge(device.ip)
        time.sleep(1.0)

    in_admin(lab, nudge_all)
    table = json.loads(
        subprocess.run(
            ["ip", "-n", lab.admin_ns, "-j", "neigh", "show", "dev", "ccadm0"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    learnt = {e["dst"]: e.get("lladdr") for e in table}
    for device in lab.devices:
        assert learnt.get(device.ip) == device.mac, device.profile_id
        prefix = profiles[device.profile_id].mac_prefix
        assert device.mac.replace(":", "").startswith(prefix)


def _wsd_probe(message_id: str = "uuid:00000000-0000-4000-8000-000000000001") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
        f"<e:Header><w:MessageID>{message_id}</w:MessageID>"
        "<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
        "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
        "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body>"
        "</e:Envelope>"
    ).encode()


def test_ws_discovery_multicast_gets_every_onvif_device(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    expected = with_section(lab, profiles, "wsd")
    replayed = replaying(lab, profiles, "wsd")
    assert len(expected) >= 15
    assert replayed
    message_id = f"uuid:{uuid.uuid4()}"
    replies = in_admin(lab, lambda: udp_exchange(_wsd_probe(message_id), ("239.255.255.250", 3702)))
    by_ip = {ip: data for ip, data in replies}
    assert set(by_ip) == set(expected) | set(replayed)
    for ip in replayed:
        relates = f"RelatesTo>{message_id}</".encode()
        assert relates in by_ip[ip], "a replayed match must relate to our probe"
    for ip, device in expected.items():
        wsd = profiles[device.profile_id].section("wsd") or {}
        if "raw" in wsd:
            continue  # hostile raw replies are checked by the scanner's tests
        assert message_id.encode() in by_ip[ip], "RelatesTo must echo our MessageID"
        assert f"uuid:{device.uuid}</".encode() in by_ip[ip]  # urn:uuid: or uuid: by dialect
        hardware = [s for s in wsd.get("scopes", []) if "/hardware/" in s]
        for scope in hardware:
            assert scope.encode() in by_ip[ip]


def test_ws_discovery_unicast_probe_is_answered(lab: Lab, profiles: dict[str, Profile]) -> None:
    ip = next(iter(with_section(lab, profiles, "wsd")))
    # a fresh MessageID: a device answers each MessageID once (retransmissions are dropped)
    probe = _wsd_probe(f"uuid:{uuid.uuid4()}")
    replies = in_admin(lab, lambda: udp_exchange(probe, (ip, 3702), wait_s=1.0))
    assert [r[0] for r in replies] == [ip]


def test_mdns_browse_lists_advertised_services(lab: Lab, profiles: dict[str, Profile]) -> None:
    expected: set[tuple[str, str]] = set()
    for device, profile in _realistic(lab, profiles):
        for svc in profile.data.get("mdns", []):
            expected.add((device.ip, str(svc["type"])))
    types = sorted({t for _, t in expected})
    assert len(expected) >= 5

    async def browse() -> set[tuple[str, str]]:
        from zeroconf import BadTypeInNameException, IPVersion, ServiceStateChange
        from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

        azc = AsyncZeroconf(interfaces=[ADMIN_IP], ip_version=IPVersion.V4Only)
        names: set[tuple[str, str]] = set()

        def on_change(
            zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange
        ) -> None:
            names.add((service_type, name))

        browser = AsyncServiceBrowser(azc.zeroconf, types, handlers=[on_change])
        await asyncio.sleep(3.0)
        found: set[tuple[str, str]] = set()
        for service_type, name in names:
            try:
                info = AsyncServiceInfo(service_type, name)
            except BadTypeInNameException:
                continue  # the hostile profile's escape sequences: zeroconf refuses them
            if await info.async_request(azc.zeroconf, 3000):
                for address in info.parsed_addresses():
                    found.add((address, service_type))
        await browser.async_cancel()
        await azc.async_close()
        return found

    found = in_admin(lab, lambda: asyncio.run(browse()))
    assert expected <= found, f"missing: {sorted(expected - found)[:5]}"


def test_sadp_inquiry_is_answered_on_the_multicast_group(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    expected = with_section(lab, profiles, "sadp")
    assert len(expected) >= 4
    inquiry = (
        '<?xml version="1.0" encoding="utf-8"?><Probe>'
        f"<Uuid>{str(uuid.uuid4()).upper()}</Uuid><Types>inquiry</Types></Probe>"
    ).encode()
    replies = in_admin(
        lab,
        lambda: udp_exchange(
            inquiry, ("239.255.255.250", 37020), bind_port=37020, group="239.255.255.250"
        ),
    )
    matches = {ip: data for ip, data in replies if b"ProbeMatch" in data}
    assert set(matches) == set(expected)
    for ip, device in expected.items():
        sadp = profiles[device.profile_id].section("sadp") or {}
        model = sadp.get("fields", {}).get("DeviceDescription")
        if model and "raw" not in sadp:
            assert f"<DeviceDescription>{model}</DeviceDescription>".encode() in matches[ip]
            assert device.mac.replace(":", "-").encode() in matches[ip]


def test_dhip_search_is_answered(lab: Lab, profiles: dict[str, Profile]) -> None:
    expected = with_section(lab, profiles, "dhip")
    assert len(expected) >= 4
    body = b'{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'
    packet = b"\x20\x00\x00\x00DHIP" + b"\x00" * 8 + struct.pack("<II", len(body), 0) * 2 + body
    replies = in_admin(lab, lambda: udp_exchange(packet, ("239.255.255.251", 37810)))
    assert {ip for ip, _ in replies} == set(expected)
    for ip, data in replies:
        assert data[4:8] == b"DHIP"
        info = json.loads(data[data.index(b"{") :])["params"]["deviceInfo"]
        device = expected[ip]
        want = profiles[device.profile_id].section("dhip") or {}
        for key in ("DeviceType", "Vendor"):
            if key in want.get("device_info", {}):
                assert info[key] == want["device_info"][key]


def test_netip_broadcast_search_is_answered(lab: Lab, profiles: dict[str, Profile]) -> None:
    expected = with_section(lab, profiles, "netip")
    assert expected
    packet = struct.pack("<BBHIIHHI", 0xFF, 0, 0, 0, 0, 0, 1530, 0)
    replies = in_admin(
        lab,
        lambda: udp_exchange(packet, (BROADCAST, 34569), bind_port=34569, broadcast=True),
    )
    answered = {ip for ip, data in replies if struct.unpack("<H", data[14:16])[0] == 1531}
    assert answered == set(expected)


def test_ssdp_msearch_is_answered_and_description_served(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    expected = with_section(lab, profiles, "ssdp")
    replayed = replaying(lab, profiles, "ssdp")
    assert expected
    assert replayed
    msearch = (
        b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\n'
        b"MX: 1\r\nST: ssdp:all\r\n\r\n"
    )
    replies = in_admin(lab, lambda: udp_exchange(msearch, ("239.255.255.250", 1900)))
    assert {ip for ip, _ in replies} == set(expected) | set(replayed)
    ip, data = next((ip, data) for ip, data in replies if ip in expected)
    location = next(
        line.split(":", 1)[1].strip()
        for line in data.decode().split("\r\n")
        if line.upper().startswith("LOCATION:")
    )
    host_port, path = location.removeprefix("http://").split("/", 1)
    host, port = host_port.split(":")
    assert host == ip
    description = in_admin(lab, lambda: http_get(host, int(port), "/" + path))
    assert description.startswith(b"HTTP/1.1 200")
    assert b"<root" in description


def test_ssdp_needs_man_discover_and_a_multicast_mx_and_a_matching_st(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    expected = with_section(lab, profiles, "ssdp")
    group = ("239.255.255.250", 1900)

    def search(man: str, mx: str, st: str) -> set[str]:
        lines = ["M-SEARCH * HTTP/1.1", "HOST: 239.255.255.250:1900", man, mx, f"ST: {st}"]
        payload = ("\r\n".join(line for line in lines if line) + "\r\n\r\n").encode()
        return {ip for ip, _ in in_admin(lab, lambda: udp_exchange(payload, group))}

    assert search('MAN: "ssdp:discover"', "MX: 1", "upnp:rootdevice") == set(expected)
    # UDA 1.1 1.3.2/1.3.3: MAN is required (quoted); a multicast search needs MX
    assert search("", "MX: 1", "ssdp:all") == set()
    assert search("MAN: ssdp:discover", "MX: 1", "ssdp:all") == set()
    assert search('MAN: "ssdp:discover"', "", "ssdp:all") == set()
    assert search('MAN: "ssdp:discover"', "MX: 1", "urn:example-com:device:None:1") == set()
    # the unicast form (HOST: the device, no MX) is answered at once
    ip = next(iter(expected))
    unicast = (
        f'M-SEARCH * HTTP/1.1\r\nHOST: {ip}:1900\r\nMAN: "ssdp:discover"\r\n'
        "ST: upnp:rootdevice\r\n\r\n"
    ).encode()
    replies = in_admin(lab, lambda: udp_exchange(unicast, (ip, 1900), wait_s=0.5))
    assert [a for a, _ in replies] == [ip]


# --- banners ---------------------------------------------------------------------------


def _realistic(lab: Lab, profiles: dict[str, Profile]) -> Iterator[tuple[Any, Profile]]:
    for device in lab.devices:
        profile = profiles[device.profile_id]
        if not profile.hostile:
            yield device, profile


def test_http_and_rtsp_banners_match_the_profile(lab: Lab, profiles: dict[str, Profile]) -> None:
    checked_http = checked_rtsp = 0
    for device, profile in _realistic(lab, profiles):
        http = profile.section("http")
        if http is not None and "server" in http:
            port = int(http.get("ports", [80])[0])
            reply = in_admin(lab, lambda d=device, p=port: http_get(d.ip, p, "/"))
            server = render(str(http["server"]), device.values())
            assert f"\r\nServer: {server}\r\n".encode() in reply, device.profile_id
            checked_http += 1
        rtsp = profile.section("rtsp")
        if rtsp is not None:

            def options(d: Any = device, r: Any = rtsp) -> bytes:
                port = int(r.get("port", 554))
                with socket.create_connection((d.ip, port), timeout=5) as sock:
                    sock.sendall(f"OPTIONS rtsp://{d.ip}/ RTSP/1.0\r\nCSeq: 7\r\n\r\n".encode())
                    return sock.recv(4096)

            reply = in_admin(lab, options)
            assert reply.startswith(b"RTSP/1.0 200 OK\r\nCSeq: 7\r\n"), device.profile_id
            if "server" in rtsp:
                assert f"Server: {rtsp['server']}".encode() in reply
            checked_rtsp += 1
    assert checked_http >= 8
    assert checked_rtsp >= 8


def test_tls_certificate_subject_matches_the_profile(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    from cryptography import x509

    checked = 0
    for device, profile in _realistic(lab, profiles):
        tls = profile.section("tls")
        if tls is None:
            continue

        def fetch(d: Any = device, t: Any = tls) -> bytes:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            port = int(t.get("ports", [443])[0])
            with (
                socket.create_connection((d.ip, port), timeout=5) as raw,
                context.wrap_socket(raw) as sock,
            ):
                der = sock.getpeercert(binary_form=True)
            assert der is not None
            return der

        cert = x509.load_der_x509_certificate(in_admin(lab, fetch))
        subject = {a.oid._name: a.value for a in cert.subject}
        for key, value in tls.get("subject", {}).items():
            name = {"CN": "commonName", "O": "organizationName"}.get(key)
            if name:
                assert subject[name] == render(str(value), device.values())
        checked += 1
    assert checked >= 2


ONVIF_PATH = "/onvif/device_service"


def _soap(operation: str, token: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        f"<s:Header>{token}</s:Header><s:Body>"
        f'<{operation} xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
    ).encode()


def _username_token(username: str, password: str) -> str:
    nonce = os.urandom(16)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode(), usedforsecurity=False).digest()
    ).decode()
    return (
        '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>'
        f"<Username>{username}</Username><Password>{digest}</Password>"
        f"<Nonce>{base64.b64encode(nonce).decode()}</Nonce>"
        f'<Created xmlns="http://docs.oasis-open.org/wss/2004/01/'
        f'oasis-200401-wss-wssecurity-utility-1.0.xsd">{created}</Created>'
        "</UsernameToken></Security>"
    )


def test_onvif_device_service_with_and_without_credentials(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    open_seen = locked_seen = 0
    for device, profile in _realistic(lab, profiles):
        onvif = profile.section("onvif")
        http = profile.section("http")
        if onvif is None or http is None:
            continue
        port = int(http.get("ports", [80])[0])
        clock = in_admin(
            lab,
            lambda d=device, p=port: http_get(d.ip, p, ONVIF_PATH, _soap("GetSystemDateAndTime")),
        )
        assert b"<tt:UTCDateTime>" in clock, "GetSystemDateAndTime never needs auth"
        info = in_admin(
            lab,
            lambda d=device, p=port: http_get(d.ip, p, ONVIF_PATH, _soap("GetDeviceInformation")),
        )
        if onvif.get("username"):
            assert b"ter:NotAuthorized" in info
            token = _username_token(str(onvif["username"]), str(onvif["password"]))
            info = in_admin(
                lab,
                lambda d=device, p=port, t=token: http_get(
                    d.ip, p, ONVIF_PATH, _soap("GetDeviceInformation", t)
                ),
            )
            wrong = _username_token(str(onvif["username"]), "not-the-password")
            refused = in_admin(
                lab,
                lambda d=device, p=port, t=wrong: http_get(
                    d.ip, p, ONVIF_PATH, _soap("GetDeviceInformation", t)
                ),
            )
            assert b"ter:NotAuthorized" in refused
            locked_seen += 1
        else:
            open_seen += 1
        assert f"<tds:Model>{onvif['model']}</tds:Model>".encode() in info, device.profile_id
    assert open_seen >= 3
    assert locked_seen >= 3


# --- hostile devices ---------------------------------------------------------------------


def _hostile(lab: Lab, profiles: dict[str, Profile], kind: str) -> Any:
    for device in lab.devices:
        hostile = profiles[device.profile_id].section("hostile") or {}
        if hostile.get("http") == kind:
            return device, profiles[device.profile_id]
    raise AssertionError(f"no hostile profile with http = {kind!r}")


def test_hostile_reset_device_resets_connections(lab: Lab, profiles: dict[str, Profile]) -> None:
    device, profile = _hostile(lab, profiles, "reset")
    port = int((profile.section("http") or {}).get("ports", [80])[0])
    with pytest.raises(ConnectionResetError):
        in_admin(lab, lambda: http_get(device.ip, port, "/"))


def test_hostile_huge_device_sends_its_declared_size(
    lab: Lab, profiles: dict[str, Profile]
) -> None:
    device, profile = _hostile(lab, profiles, "huge")
    port = int((profile.section("http") or {}).get("ports", [80])[0])
    reply = in_admin(lab, lambda: http_get(device.ip, port, "/"))
    head, body = reply.split(b"\r\n\r\n", 1)
    size = int((profile.section("hostile") or {}).get("huge_bytes", 10_000_000))
    assert f"Content-Length: {size}".encode() in head
    assert len(body) == size


def test_hostile_trickle_device_trickles(lab: Lab, profiles: dict[str, Profile]) -> None:
    device, profile = _hostile(lab, profiles, "trickle")
    port = int((profile.section("http") or {}).get("ports", [80])[0])

    def read_for(seconds: float) -> bytes:
        with socket.create_connection((device.ip, port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(0.2)
            got = b""
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    got += sock.recv(1024)
                except TimeoutError:
                    continue
            return got

    got = in_admin(lab, lambda: read_for(2.5))
    head, _, _body = got.partition(b"\r\n")
    assert head == b"HTTP/1.1 200 OK"
    assert b"\r\n\r\n" not in got, "a trickling device never finishes its headers"


def test_up_is_idempotent_and_down_leaves_nothing(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab("cctidem", devices=3, mix="default")
    first = lab.devices
    lab.up(devices=3, mix="default")  # a second up replaces the first cleanly
    assert [d.mac for d in lab.devices] == [d.mac for d in first]
    assert lab.status().up
    lab.down()
    lab.down()
    assert lab.namespaces() == []
    assert not lab.status().up


def test_crashed_lab_does_not_block_the_next_up(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab("cctcrash", devices=3, mix="default")
    pid = lab.emulator_pid()
    assert pid is not None
    os.kill(pid, 9)  # the emulator dies; namespaces and state stay behind
    time.sleep(0.2)
    assert not lab.status().up
    lab.up(devices=4, mix="default")
    assert lab.status().up
    assert len(lab.devices) == 4


def test_profiles_from_outside_the_repo_join_the_mix(
    make_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    """`lab up --profiles DIR`: an admin's own device file, no code."""
    (tmp_path / "acme-cam-1.toml").write_text(
        """
[device]
id = "acme-cam-1"
description = "a device an admin captured"
mac_prefix = "00:40:8C"
sources = ["test"]
[truth]
maker = "Axis"
brand = "Axis"
model = "ACME-1"
firmware = ""
device_type = "camera"
flagged = false
[http]
ports = [8081]
server = "acme-httpd/{index}"
""",
        encoding="utf-8",
    )
    lab = make_lab("cctextra", devices=2, mix={"axis-m3106-l-mk-ii": 1}, profile_dirs=[tmp_path])
    (extra,) = [d for d in lab.devices if d.profile_id == "acme-cam-1"]
    assert extra.mac.startswith("00:40:8c:")
    reply = in_admin(lab, lambda: http_get(extra.ip, 8081, "/"))
    assert f"\r\nServer: acme-httpd/{extra.index}\r\n".encode() in reply
