"""A recorder's details list the cameras behind it; the table shows or hides them ("c")."""

from __future__ import annotations

from pathlib import Path

from tui_fixtures import fixed_clock, make_app, screen_text

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import recorder
from camcensus.scanner.core.merge import merge
from camcensus.scanner.core.recorder import Channel
from camcensus.scanner.store import Inventory
from camcensus.tui.screens import DeviceScreen
from camcensus.tui.table import DeviceTable

NVR = "198.18.0.11"
CAMERAS = [
    Channel(1, "192.168.254.2", "HIKVISION", "gate", model="DS-2CD2143G2-I"),
    Channel(2, "192.168.254.3", "ONVIF", "yard", model="M3106-L Mk II"),
]


def _inventory(path: Path) -> Inventory:
    with Inventory.open(path, clock=fixed_clock) as inventory:
        scan = inventory.begin_scan(operator="test", scope="lab", targets="198.18.0.0/24")
        (nvr,) = merge(
            [
                Evidence("mac", "4c:bd:8f:00:00:02", "arp", NVR),
                Evidence("sadp.model", "DS-7608NI-K2/8P", "sadp", NVR),
                Evidence("sadp.digital_channels", "8", "sadp", NVR),
            ]
        )
        inventory.record_device(scan, nvr)
        behind = [e for c in CAMERAS for e in recorder.channel_evidence(c, NVR)]
        for child in recorder.child_devices(nvr, behind):
            inventory.record_device(scan, child)
        inventory.finish_scan(scan)
    return Inventory.open(path, read_only=True)


async def test_children_toggle_and_the_recorders_detail_lists_them(tmp_path: Path) -> None:
    path = tmp_path / "inventory.db"
    inventory = _inventory(path)
    app = make_app(inventory, path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert len(app.visible_rows) == 3
        await pilot.press("c")
        assert [r.device_key for r in app.visible_rows] == ["mac:4c:bd:8f:00:00:02"]
        assert "[no cameras behind recorders]" in screen_text(app.export_screenshot())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DeviceScreen)
        text = screen_text(app.export_screenshot())
        assert "Cameras behind this recorder (2)" in text
        assert "ch 1  192.168.254.2  Hikvision  DS-2CD2143G2-I" in text
        assert "ch 2  192.168.254.3  Axis Communications  M3106-L Mk II" in text
        await pilot.press("escape", "c")
        assert len(app.visible_rows) == 3
        child = next(r for r in app.visible_rows if r.device_key.endswith("/ch:2"))
        app.query_one("#devices", DeviceTable).cursor_row = app.visible_rows.index(child)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app.export_screenshot())
        assert "Behind recorder: mac:4c:bd:8f:00:00:02" in text
    inventory.close()
