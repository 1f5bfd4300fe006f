"""Probes: one module a job, async, each typed by a Protocol (see ``context``).

Listed here explicitly, in the order the runner uses them: ``DISCOVERY`` probes run
concurrently over the on-link targets, ``ROUTED_DISCOVERY`` (unicast searches) over the
routed ones, ``SWEEP`` then finds open ports on the live
hosts, ``FOLLOW_UP`` fills gaps discovery left for one host (a WS-Discovery reply lost
to multicast), and ``HOST_PROBES`` then talk to that host with everything known so far
(the ONVIF probe needs the XAddrs a late WS-Discovery reply brings).  ``RECORDER``
last lists the cameras behind a recorder (it needs what every other probe found to
know one).
"""

from __future__ import annotations

from typing import Final

from camcensus.scanner.probes import (
    arp,
    banner,
    dhip,
    mdns,
    netip,
    onvif,
    ports,
    recorder,
    sadp,
    ssdp,
    unicast,
    wsd,
)
from camcensus.scanner.probes.context import DiscoveryProbe, HostProbe

__all__ = ["DISCOVERY", "FOLLOW_UP", "HOST_PROBES", "RECORDER", "ROUTED_DISCOVERY", "SWEEP"]

DISCOVERY: Final[tuple[DiscoveryProbe, ...]] = (arp, wsd, mdns, sadp, dhip, netip, ssdp)
ROUTED_DISCOVERY: Final[tuple[DiscoveryProbe, ...]] = (unicast,)
SWEEP: Final[DiscoveryProbe] = ports
FOLLOW_UP: Final[tuple[HostProbe, ...]] = (wsd,)
HOST_PROBES: Final[tuple[HostProbe, ...]] = (banner, onvif)
RECORDER: Final[HostProbe] = recorder
