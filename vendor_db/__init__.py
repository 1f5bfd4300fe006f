"""camcensus.vendor_db: pure vendor-origin data and matching (no sockets, SQLite or UI).

Public API (evidence itself is ``camcensus.base.evidence.Evidence``)::

    identify(evidence, policy=None) -> Identification
    lookup_mac(mac, tables=None) -> MacInfo
    load_vendors() -> VendorTable (of Vendor)
    Policy.named(name) / Policy.names() / Policy.default() / Policy.load(text) -> Policy
"""

if __name__ != "camcensus.vendor_db":  # a checkout's bare `vendor_db/` folder, imported by mistake
    raise ImportError(
        f"{__name__!r} is camcensus's own folder: import camcensus.vendor_db instead "
        "(a second copy would bring a second error tree)"
    )

from camcensus.vendor_db.identify import Claim, Identification, evidence_from_mapping, identify
from camcensus.vendor_db.oui import MacInfo, lookup_mac
from camcensus.vendor_db.policy import FlagDecision, Policy
from camcensus.vendor_db.vendors import Vendor, VendorTable, load_vendors

__all__ = [
    "Claim",
    "FlagDecision",
    "Identification",
    "MacInfo",
    "Policy",
    "Vendor",
    "VendorTable",
    "evidence_from_mapping",
    "identify",
    "load_vendors",
    "lookup_mac",
]
