"""Drive onvif-zeep-async (PyPI) in a lab's admin namespace and print what each device's
device service answered as JSON.

    onvif_client.py DEVICES_JSON     ([{"ip", "port", "username", "password"}, ...])

Per device: GetSystemDateAndTime, GetDeviceInformation, GetScopes, GetCapabilities and
GetHostname, through the library's own WSDLs and zeep's parser.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from onvif import ONVIFCamera


async def one(device: dict[str, Any]) -> dict[str, Any]:
    cam = ONVIFCamera(
        device["ip"], int(device["port"]), device["username"], device["password"], adjust_time=True
    )
    try:
        await cam.update_xaddrs()  # GetCapabilities, after GetSystemDateAndTime (adjust_time)
        mgmt = await cam.create_devicemgmt_service()
        clock = await mgmt.GetSystemDateAndTime()
        info = await mgmt.GetDeviceInformation()
        scopes = await mgmt.GetScopes()
        capabilities = await mgmt.GetCapabilities({"Category": "All"})
        hostname = await mgmt.GetHostname()
        utc = clock.UTCDateTime
        return {
            "ip": device["ip"],
            "utc_year": utc.Date.Year,
            "manufacturer": info.Manufacturer,
            "model": info.Model,
            "firmware": info.FirmwareVersion,
            "serial": info.SerialNumber,
            "hardware_id": info.HardwareId,
            "scopes": [[s.ScopeDef, s.ScopeItem] for s in scopes],
            "capabilities": sorted(
                name
                for name in ("Analytics", "Device", "Events", "Imaging", "Media", "PTZ")
                if getattr(capabilities, name, None) is not None
            ),
            "device_xaddr": capabilities.Device.XAddr,
            "xaddrs": {str(k): str(v) for k, v in cam.xaddrs.items()},
            "hostname": hostname.Name,
        }
    finally:
        await cam.close()


async def run(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(one(d) for d in devices)))


def main(argv: list[str]) -> int:
    print(json.dumps(asyncio.run(run(json.loads(argv[0]))), default=str))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
