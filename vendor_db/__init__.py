"""vendor_db: pure vendor-origin data and matching (no sockets, SQLite or UI).

Public API::

    identify(evidence, policy=None) -> Identification
    lookup_mac(mac, tables=None) -> MacInfo
    load_vendors() -> VendorTable (of Vendor)
    Policy.default() / Policy.load(text) -> Policy
"""

from vendor_db.evidence import Evidence
from vendor_db.identify import Claim, Identification, evidence_from_mapping, identify
from vendor_db.oui import MacInfo, lookup_mac
from vendor_db.policy import FlagDecision, Policy
from vendor_db.vendors import Vendor, VendorTable, load_vendors

__all__ = [
    "Claim",
    "Evidence",
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
