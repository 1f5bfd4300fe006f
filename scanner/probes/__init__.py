"""Probes: one module a job, async, each typed by a Protocol (see ``context``).

Listed here explicitly, in the order the runner uses them: ``DISCOVERY`` probes run
concurrently over the whole target set, ``SWEEP`` then finds open ports on the live
hosts, and ``HOST_PROBES`` talk to one live host at a time.
"""

from __future__ import annotations

from typing import Final

from scanner.probes import arp, banner, dhip, mdns, netip, onvif, ports, sadp, ssdp, wsd
from scanner.probes.context import DiscoveryProbe, HostProbe

__all__ = ["DISCOVERY", "HOST_PROBES", "SWEEP"]

DISCOVERY: Final[tuple[DiscoveryProbe, ...]] = (arp, wsd, mdns, sadp, dhip, netip, ssdp)
SWEEP: Final[DiscoveryProbe] = ports
HOST_PROBES: Final[tuple[HostProbe, ...]] = (banner, onvif, wsd)
