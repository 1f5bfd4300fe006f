"""Recorders (scanner.core.recorder): credentials, Digest, channel lists, child devices."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from camcensus.base.errors import CredentialsError, MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import recorder
from camcensus.scanner.core.recorder import Channel, RecorderCredential
from camcensus.scanner.core.schema import Device, device_key_for, site_of_key
from camcensus.vendor_db.identify import identify

NVR = "198.18.0.11"


def test_digest_answer_is_rfc_2617s_worked_example() -> None:
    # RFC 2617 section 3.5: the response to this challenge is 6629fae49393a05397450978507c4ef1
    challenge = recorder.parse_challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    value = recorder.digest_authorization(
        "GET", "/dir/index.html", "Mufasa", "Circle Of Life", challenge, "0a4f113b"
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value
    assert "qop=auth," in value
    assert "nc=00000001" in value


@pytest.mark.parametrize(
    "header",
    [
        'Basic realm="x"',
        'Digest nonce="abc"',  # no realm
        'Digest realm="x"',  # no nonce
        'Digest realm="x", nonce="n", algorithm=SHA-512-256',
        "Digest realm=" + "r" * 300 + ", nonce=n",
    ],
)
def test_unusable_challenges_are_refused(header: str) -> None:
    with pytest.raises(MalformedReplyError):
        recorder.parse_challenge(header)


def test_hikvision_channel_list(capture: Callable[[str], bytes]) -> None:
    channels = recorder.parse_isapi_channels(capture("isapi_inputproxy_channels.xml"))
    assert channels == [
        Channel(
            1,
            "192.168.254.2",
            "HIKVISION",
            "garden",
            "",
            "DS-2CD2386G2-IU",
            "V5.7.15 build 240201",
            "DS-2CD2386G2-IU00000000AAWRK00000000",
        ),
        Channel(
            3, "192.168.254.4", "ONVIF", "road", "", "M3106-L Mk II", "10.12.153", "ACCC8E000001"
        ),
    ]  # channel 4 has no address: an offline slot, left out


def test_dahua_remote_devices(capture: Callable[[str], bytes]) -> None:
    channels = recorder.parse_dahua_remote_devices(capture("dahua_remotedevice.txt"))
    assert [(c.number, c.address, c.vendor, c.model, c.mac) for c in channels] == [
        (1, "192.168.1.108", "Private", "IPC-HDW2431T-AS-S2", "3c:ef:8c:11:22:33"),
        (3, "192.168.1.110", "Bosch", "FLEXIDOME IP 5000i", ""),
    ]  # channel 2 is disabled, channel 4 has 0.0.0.0
    assert all("should-never-be-kept" not in repr(c) for c in channels)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"<ResponseStatus><statusCode>4</statusCode></ResponseStatus>", MalformedReplyError),
        (b"not xml", MalformedReplyError),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><InputProxyChannelList/>',
            MalformedReplyError,
        ),
        (b"<InputProxyChannelList>" + b" " * (recorder.MAX_LIST_BYTES + 1), ReplyTooLargeError),
    ],
)
def test_hostile_isapi_lists_are_refused(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        recorder.parse_isapi_channels(data)


def test_hostile_dahua_lists_are_refused_or_capped() -> None:
    with pytest.raises(MalformedReplyError):
        recorder.parse_dahua_remote_devices(b"Error\r\nBad Request!\r\n")
    with pytest.raises(ReplyTooLargeError):
        recorder.parse_dahua_remote_devices(b"x" * (recorder.MAX_LIST_BYTES + 1))
    many = "".join(
        f"table.RemoteDevice[{n}].Address=10.0.{n // 250}.{n % 250 + 1}\r\n" for n in range(1000)
    ).encode()
    assert len(recorder.parse_dahua_remote_devices(many)) == recorder.MAX_CHANNELS


def _credentials(text: str) -> recorder.RecorderCredentials:
    return recorder.parse_recorder_credentials(text)


def test_credentials_per_host_then_maker_then_default() -> None:
    creds = _credentials(
        '[[recorder]]\nusername = "a"\npassword = "pa"\n\n'
        '[[recorder]]\nusername = "h"\npassword = "ph"\nmaker = "Hikvision"\n\n'
        '[[recorder]]\nusername = "n"\npassword = "pn"\nhosts = ["10.0.0.0/24"]\n'
    )
    assert recorder.choose_credential(creds, "10.0.0.7", "isapi") == creds.entries[2]
    assert recorder.choose_credential(creds, "10.0.1.7", "isapi") == creds.entries[1]
    assert recorder.choose_credential(creds, "10.0.1.7", "dahua") == creds.entries[0]
    assert "pa" not in repr(creds)
    assert "ph" not in repr(creds.entries[1])
    only_hosts = _credentials(
        '[[recorder]]\nusername = "n"\npassword = "p"\nhosts = ["10.0.0.1"]\n'
    )
    assert recorder.choose_credential(only_hosts, "10.0.0.2", "dahua") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ('[[recorder]]\nusername = "a"\n', "username and password"),
        ('[[recorder]]\nusername = "a"\npassword = ""\n', "without a password"),
        ('[[recorder]]\nusername = "a b"\npassword = "p"\n', "spaces"),
        ('[[recorder]]\nusername = "a\\"b"\npassword = "p"\n', "quotes"),
        ('[[recorder]]\nusername = "a"\npassword = "p"\nmaker = "axis"\n', "maker must be"),
        ('[[recorder]]\nusername = "a"\npassword = "p"\nhosts = ["x"]\n', "entry 1"),
        ("[[recorder]\n", "not readable TOML"),
    ],
)
def test_bad_credentials_are_refused_without_quoting_secrets(text: str, message: str) -> None:
    with pytest.raises(CredentialsError, match=message) as caught:
        _credentials(text)
    assert '"p"' not in str(caught.value)


def test_channel_counts_and_which_api() -> None:
    sadp = [Evidence("sadp.digital_channels", "8", "sadp", NVR), Evidence("sadp.model", "x")]
    dhip = [Evidence("dhip.remote_channels", "16", "dhip", NVR), Evidence("dhip.video_inputs", "4")]
    assert recorder.channel_counts(sadp) == (8, 0)
    assert recorder.channel_counts(dhip) == (16, 4)
    assert recorder.recorder_api(sadp, None, "unknown") == "isapi"
    assert recorder.recorder_api(dhip, None, "unknown") == "dahua"
    camera = [Evidence("sadp.digital_channels", "0", "sadp", NVR)]
    assert recorder.recorder_api(camera, "Hikvision", "camera") is None
    assert recorder.recorder_api([], "Dahua", "nvr") == "dahua"
    assert recorder.recorder_api([], "Axis Communications", "nvr") is None
    assert recorder.unlisted_text(8, "credentials needed") == (
        "8 cameras behind it, not listed: credentials needed"
    )


def _recorder_device(site: str | None) -> Device:
    items = [Evidence("sadp.model", "DS-7608NI-K2/8P", "sadp", NVR)]
    return Device(
        device_key=device_key_for("4c:bd:8f:00:00:02", NVR, site),
        ip=NVR,
        mac="4c:bd:8f:00:00:02",
        identification=identify(items),
        evidence=tuple(items),
    )


@pytest.mark.parametrize("site", [None, "Utrecht-CS"])
def test_children_are_keyed_by_channel_until_a_mac_is_known(site: str | None) -> None:
    nvr = _recorder_device(site)
    channels = [
        Channel(3, "192.168.254.4", "ONVIF", "road", "", "M3106-L Mk II", "10.12.153", "AC1"),
        Channel(
            1,
            "192.168.254.2",
            "Private",
            "",
            "Private",
            "IPC-HDW2431T-AS-S2",
            "",
            "",
            "3C-EF-8C-11-22-33",
        ),
    ]
    items = [e for c in channels for e in recorder.channel_evidence(c, NVR)]
    axis, dahua = recorder.child_devices(nvr, items)
    assert axis.device_key == f"{nvr.device_key}/ch:3"
    assert dahua.device_key == device_key_for("3c:ef:8c:11:22:33", "192.168.254.2", site)
    for child in (axis, dahua):
        assert site_of_key(child.device_key) == site
        assert child.parent == nvr.device_key
        assert child.ip == child.evidence[0].address
        assert child.evidence[0].value.startswith(f"via recorder {NVR} channel ")
        assert {e.source for e in child.evidence} == {recorder.SOURCE}
    assert (axis.maker, axis.flagged) == ("Axis Communications", False)
    assert (dahua.maker, dahua.flagged) == ("Dahua", True)


def test_a_mac_listed_twice_keys_the_second_by_channel() -> None:
    nvr = _recorder_device(None)
    twin = [Channel(n, f"10.1.1.{n}", mac="3c:ef:8c:11:22:33") for n in (1, 2)]
    items = [e for c in twin for e in recorder.channel_evidence(c, NVR)]
    first, second = recorder.child_devices(nvr, items)
    assert first.device_key == "mac:3c:ef:8c:11:22:33"
    assert second.device_key == f"{nvr.device_key}/ch:2"
    assert second.mac is None


def test_env_style_default_entry_applies_to_every_recorder() -> None:
    creds = recorder.RecorderCredentials((RecorderCredential("admin", "x"),))
    assert recorder.choose_credential(creds, "10.9.9.9", "dahua") == creds.entries[0]


def test_a_camera_moved_to_another_recorder_keeps_its_key_by_mac() -> None:
    first = _recorder_device(None)
    second = Device(
        device_key="mac:4c:bd:8f:00:00:09",
        ip="198.18.0.12",
        mac="4c:bd:8f:00:00:09",
        identification=first.identification,
    )
    moved = Channel(5, "192.168.254.9", mac="bc:ad:28:0a:0b:0c")
    keys = [
        recorder.child_devices(nvr, recorder.channel_evidence(moved, nvr.ip))[0].device_key
        for nvr in (first, second)
    ]
    assert keys == ["mac:bc:ad:28:0a:0b:0c"] * 2
    unknown = Channel(5, "192.168.254.9")
    assert [
        recorder.child_devices(nvr, recorder.channel_evidence(unknown, nvr.ip))[0].device_key
        for nvr in (first, second)
    ] == [f"{first.device_key}/ch:5", f"{second.device_key}/ch:5"]
