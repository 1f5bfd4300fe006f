"""The ONVIF device service of the lab, as onvif-zeep-async (PyPI, with zeep and the
ONVIF WSDLs it ships) sees it: GetSystemDateAndTime, GetDeviceInformation, GetScopes,
GetCapabilities and GetHostname against every ONVIF device."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from conformance_util import devices_with, lab_only, python_client

from camcensus.lab.api import Lab
from camcensus.lab.profiles import render

pytestmark = pytest.mark.lab

FIXED = ("type", "profile", "hardware", "mac")  # ONVIF Core Specification: set by the device


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfo", devices=40, mix="default")


def test_onvif_zeep_async_reads_every_onvif_device(lab: Lab) -> None:
    targets = [(d, p) for d, p in devices_with(lab, "onvif") if not p.hostile]
    assert len({p.id for _, p in targets}) >= 10
    lab_only([d.ip for d, _ in targets])
    request = [
        {
            "ip": d.ip,
            "port": int((p.section("http") or {}).get("ports", [80])[0]),
            "username": str((p.section("onvif") or {}).get("username", "")),
            "password": str((p.section("onvif") or {}).get("password", "")),
        }
        for d, p in targets
    ]
    answers = {a["ip"]: a for a in python_client(lab, "onvif_client.py", json.dumps(request))}
    hostnames = set()
    for device, profile in targets:
        got = answers[device.ip]
        onvif = profile.section("onvif") or {}
        values = device.values()

        def text(
            key: str, onvif: dict[str, object] = onvif, values: dict[str, str] = values
        ) -> str:
            return render(str(onvif.get(key, "")), values)

        assert got["utc_year"] == datetime.now(UTC).year
        assert (got["manufacturer"], got["model"], got["firmware"], got["hardware_id"]) == (
            text("manufacturer"), text("model"), text("firmware"), text("hardware_id"),
        ), profile.id  # fmt: skip
        assert got["serial"] == render(str(onvif.get("serial", "{serial}")), values)
        scopes = [render(str(s), values) for s in (profile.section("wsd") or {})["scopes"]]
        assert [item for _, item in got["scopes"]] == scopes  # GetScopes: the Probe's scopes
        for scope_def, item in got["scopes"]:
            kind = unquote(item).removeprefix("onvif://www.onvif.org/").split("/")[0].lower()
            assert scope_def == ("Fixed" if kind in FIXED else "Configurable")
        # only the device service exists in the lab: no Media (or other) capability
        assert got["capabilities"] == ["Device"]
        assert got["device_xaddr"] == f"http://{device.ip}/onvif/device_service"
        assert got["xaddrs"] == {"http://www.onvif.org/ver10/device/wsdl": got["device_xaddr"]}
        assert got["hostname"]
        assert got["hostname"] != "ipcam"
        hostnames.add(got["hostname"])
    assert len(hostnames) == len(targets)  # one host name a device
    axis = [answers[d.ip] for d, p in targets if p.id == "axis-m3106-l-mk-ii"]
    for got in axis:  # Axis factory host name: axis-<mac>
        assert got["hostname"] == f"axis-{got['serial'].lower()}"
