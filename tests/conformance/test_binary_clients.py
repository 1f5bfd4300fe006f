"""The makers' binary TCP services, as nmap's service detection (-sV) sees them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conformance_util import devices_with, in_admin, lab_only, nmap_host_section, require

from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfb", devices=30, mix="default")


def test_nmap_names_the_hikvision_sdk_port_instead_of_tcpwrapped(lab: Lab) -> None:
    require("nmap")
    devices = [d for d, p in devices_with(lab, "tcp") if "8000" in p.data["tcp"].get("replies", {})]
    assert len(devices) >= 2
    ips = [d.ip for d in devices]
    lab_only(ips)
    out = in_admin(lab, ["nmap", "-sV", "-Pn", "-p", "8000", *ips], timeout_s=180).stdout
    for device in devices:
        section = nmap_host_section(out, device.ip)
        assert "8000/tcp open  ipcam   Hikvision IPCam control port" in section, section
