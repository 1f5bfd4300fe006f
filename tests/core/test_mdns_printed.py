"""mDNS services as browsing tools print them (``identify --reply mdns``): avahi-browse
``-r`` as read and as ``-p`` prints it, ``dns-sd -L``. Names and values are illustrative;
the layouts are the tools' own (avahi 0.8, mDNSResponder's dns-sd)."""

from __future__ import annotations

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core.mdns import PrintedService, printed_services
from camcensus.scanner.core.replies import parse_reply

AVAHI = """\
+   eth0 IPv4 AXIS M3045-V - ACCC8E123456                    _axis-video._tcp     local
+   eth0 IPv4 AXIS M3045-V - ACCC8E123456                    Web Site             local
=   eth0 IPv4 AXIS M3045-V - ACCC8E123456                    _axis-video._tcp     local
   hostname = [axis-accc8e123456.local]
   address = [198.18.0.20]
   port = [80]
   txt = ["macaddress=ACCC8E123456"]
=   eth0 IPv4 AXIS M3045-V - ACCC8E123456                    Web Site             local
   hostname = [axis-accc8e123456.local]
   address = [198.18.0.20]
   port = [80]
   txt = ["path=/"]
=   eth0 IPv4 Office Printer                                 Internet Printer     local
   hostname = [printer.local]
   address = [198.18.0.99]
   port = [631]
   txt = ["ty=Office Printer"]
"""
CAMERA = "AXIS M3045-V - ACCC8E123456"


def test_avahi_browse_resolved_services_of_the_first_address() -> None:
    assert printed_services(AVAHI) == [
        PrintedService("_axis-video._tcp", CAMERA, [("macaddress", "ACCC8E123456")], "198.18.0.20"),
        PrintedService("_http._tcp", CAMERA, [("path", "/")], "198.18.0.20"),
    ]


@pytest.mark.parametrize(
    "printed",
    [
        "=;eth0;IPv4;AXIS\\032M3045-V\\032-\\032ACCC8E123456;_axis-video._tcp;local;"
        'axis-accc8e123456.local;198.18.0.20;80;"macaddress=ACCC8E123456"\n',
        "Lookup AXIS M3045-V - ACCC8E123456._axis-video._tcp.local\n"
        "DATE: ---Fri 04 Dec 2026---\n 1:00:00.000  ...STARTING...\n"
        " 1:00:00.001  AXIS\\032M3045-V\\032-\\032ACCC8E123456._axis-video._tcp.local. can be"
        " reached at axis-accc8e123456.local.:80 (interface 4)\n macaddress=ACCC8E123456\n",
        # browsed, not resolved: the name and type alone
        "+   eth0 IPv4 AXIS M3045-V - ACCC8E123456          _axis-video._tcp     local\n",
    ],
)
def test_parsable_avahi_dns_sd_and_browse_only_lines(printed: str) -> None:
    (service,) = printed_services(printed)
    assert (service.service_type, service.name) == ("_axis-video._tcp", CAMERA)
    if not printed.startswith("+"):
        assert service.properties == [("macaddress", "ACCC8E123456")]


def test_printed_services_are_evidence_and_other_text_is_an_error() -> None:
    found = {(ev.key, ev.value) for ev in parse_reply("mdns", AVAHI.encode())}
    assert ("mdns.name", CAMERA) in found
    assert ("mdns.txt.macaddress", "ACCC8E123456") in found
    assert not any("Office Printer" in value for _, value in found)  # another host's
    with pytest.raises(MalformedReplyError):
        parse_reply("mdns", b"Failed to create client object: Daemon not running")
    logged = b'service: {"service": "_http._tcp.local.", "name": "cam._http._tcp.local."}'
    assert ("mdns.name", "cam") in {(e.key, e.value) for e in parse_reply("mdns", logged)}


def test_a_browsed_name_of_a_host_that_did_not_resolve_is_not_the_devices() -> None:
    # avahi-browse -ar: the Axis resolved; another host's entry only browsed (its resolve
    # timed out), so nothing ties it to the address
    printed = AVAHI + (
        "+   eth0 IPv4 HIKVISION DS-7608NI-K2                    _http._tcp           local\n"
        "Failed to resolve service 'HIKVISION DS-7608NI-K2' of type '_http._tcp' in domain"
        " 'local': Timeout reached\n"
    )
    names = {service.name for service in printed_services(printed)}
    assert names == {CAMERA}
    # browsed only, several hosts' names: none is the device's
    two = (
        "+   eth0 IPv4 cam-a                                 _http._tcp           local\n"
        "+   eth0 IPv4 HIKVISION DS-7608NI-K2                _http._tcp           local\n"
    )
    assert printed_services(two) == []


def test_dns_sd_lookups_of_two_hosts_give_the_first_and_odd_lines_do_not_crash() -> None:
    printed = (
        " 1:00:00.001  cam\\032a._http._tcp.local. can be reached at a.local.:80 (interface 4)\n"
        " path=/\n"
        " 1:00:00.002  HIKVISION._http._tcp.local. can be reached at b.local.:80 (interface 4)\n"
    )
    assert [(s.name, s.address) for s in printed_services(printed)] == [("cam a", "a.local.")]
    assert printed_services("My camera:\n can be reached at cam.local.:80") == []
    with pytest.raises(MalformedReplyError):
        parse_reply("mdns", b" can be reached at cam.local.:80")


def test_avahi_descriptions_are_read_longest_first() -> None:
    printed = (
        "=   eth0 IPv4 Cam                Secure Web Site      local\n   address = [198.18.0.9]\n"
    )
    rtsp = (
        "=   eth0 IPv4 Cam   RTSP Realtime Streaming Server      local\n   address = [198.18.0.9]\n"
    )
    assert [(s.service_type, s.name) for s in printed_services(printed)] == [("_https._tcp", "Cam")]
    assert [s.service_type for s in printed_services(rtsp)] == ["_rtsp._tcp"]


def test_the_first_resolved_host_decides_even_when_its_type_cannot_be_read() -> None:
    # avahi-browse -ar without -k: a type with a description camcensus does not map
    # (Apple File Sharing) resolved first, at another address than the Hikvision's
    printed = (
        "=   eth0 IPv4 mynas                          Apple File Sharing   local\n"
        "   hostname = [mynas.local]\n   address = [198.18.0.5]\n   port = [548]\n"
        "=   eth0 IPv4 HIKVISION DS-KD8003            Web Site             local\n"
        "   hostname = [intercom.local]\n   address = [198.18.0.7]\n   port = [80]\n"
        "+   eth0 IPv4 HIKVISION DS-KD8003            Web Site             local\n"
    )
    assert printed_services(printed) == []
    # one host's IPv6 and IPv4 entries are one host's (by its host name)
    both = (
        "=   eth0 IPv6 cam                            _axis-video._tcp     local\n"
        "   hostname = [cam.local]\n   address = [fe80::1]\n"
        "=   eth0 IPv4 cam                            Web Site             local\n"
        "   hostname = [cam.local]\n   address = [198.18.0.9]\n"
    )
    assert [s.service_type for s in printed_services(both)] == ["_axis-video._tcp", "_http._tcp"]


def test_dns_sd_browse_lines_are_names_only_of_one_instance() -> None:
    head = (
        "Browsing for _axis-video._tcp\nDATE: ---Fri 04 Dec 2026---\n 1:00:00.000  ...STARTING...\n"
        "Timestamp     A/R    Flags  if Domain               Service Type         Instance Name\n"
    )
    line = " 1:00:00.001  Add        3   4 local.               _axis-video._tcp.    {}\n"
    assert printed_services(head + line.format(CAMERA)) == [
        PrintedService("_axis-video._tcp", CAMERA, [], None)
    ]
    # a browse of several instances ties none of them to the device
    assert printed_services(head + line.format(CAMERA) + line.format("cam-b")) == []
    # one that was removed again is gone; flags print in hex; names print as they are
    gone = line.replace("Add", "Rmv").format("cam-b")
    assert [s.name for s in printed_services(head + line.format(CAMERA) + line.format("cam-b")
                                             + gone)] == [CAMERA]  # fmt: skip
    hexed = line.replace("  3   4", "  A   4").format("cam\\032b")
    assert [s.name for s in printed_services(head + hexed)] == ["cam\\032b"]
    assert ("mdns.name", CAMERA) in {
        (e.key, e.value) for e in parse_reply("mdns", (head + line.format(CAMERA)).encode())
    }
