"""The one exception tree of camcensus.

CamcensusError
├── ScopeError                  a target outside the authorised scope, or a bad scope file
├── MalformedReplyError         a device reply that does not parse (devices are hostile input)
│   └── ReplyTooLargeError      a device reply over its size cap
├── RequestBudgetExceededError  a host's request budget is spent (the request is not sent)
├── CredentialsError            credentials missing, unreadable, or in an unsafe file
├── InventoryError              the SQLite inventory cannot be opened, migrated or written
│   └── BundleError             a site bundle is truncated, changed or not a bundle
├── VendorDataError             a vendor_db data file (table, fingerprints, OUI import) is invalid
├── LabError                    the emulated lab cannot be brought up or down
└── ReportError                 the report cannot be written as asked (no browser to print a PDF)

Every layer raises these and no other classes of its own, so ``except CamcensusError``
catches every expected failure, from any layer.

Expected failures are raised as one of these; third-party errors are translated once,
at the edge, with ``raise ... from exc``.  Bugs are not caught.
"""

from __future__ import annotations

__all__ = [
    "BundleError",
    "CamcensusError",
    "CredentialsError",
    "InventoryError",
    "LabError",
    "MalformedReplyError",
    "ReplyTooLargeError",
    "ReportError",
    "RequestBudgetExceededError",
    "ScopeError",
    "VendorDataError",
]


class CamcensusError(Exception):
    """Base of every error camcensus raises on purpose."""


class ScopeError(CamcensusError):
    """A target lies outside the authorised scope, or the scope itself is invalid."""


class MalformedReplyError(CamcensusError):
    """A device sent a reply that does not parse."""


class ReplyTooLargeError(MalformedReplyError):
    """A device sent more bytes than the cap for that reply."""


class RequestBudgetExceededError(CamcensusError):
    """A host's request budget for this scan is used up (the request is not sent)."""


class CredentialsError(CamcensusError):
    """Credentials are missing, unreadable, or stored in an unsafe file."""


class InventoryError(CamcensusError):
    """The SQLite inventory cannot be opened, migrated or written."""


class BundleError(InventoryError):
    """A site bundle is truncated, changed since it was written, or not a bundle."""


class VendorDataError(CamcensusError):
    """A vendor_db data file (vendor table, fingerprints, OUI import) is invalid."""


class LabError(CamcensusError):
    """The emulated lab cannot be brought up, torn down or inspected."""


class ReportError(CamcensusError):
    """The report cannot be written as asked (the browser that prints its PDF is missing
    or fails)."""
