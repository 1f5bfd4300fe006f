"""Device types: what a device is, as identification and the inventory name it."""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["CLAIMABLE_DEVICE_TYPES", "DEVICE_TYPES", "DeviceType"]

DeviceType = Literal["camera", "nvr", "other", "unknown"]

DEVICE_TYPES: Final[tuple[DeviceType, ...]] = ("camera", "nvr", "other", "unknown")
"""Every device type, ``unknown`` last (no evidence said what the device is)."""

CLAIMABLE_DEVICE_TYPES: Final[frozenset[DeviceType]] = frozenset({"camera", "nvr", "other"})
"""The types evidence may claim (a fingerprint, a lab profile's truth)."""
