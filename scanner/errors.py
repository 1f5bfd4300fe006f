"""The one exception tree of camcensus.

ScannerError
├── ScopeError            a target outside the authorised scope, or a bad scope file
├── MalformedReplyError   a device reply that does not parse (devices are hostile input)
├── ReplyTooLargeError    a device reply over its size cap
├── CredentialsError      credentials missing, unreadable, or in an unsafe file
├── InventoryError        the SQLite inventory cannot be opened or migrated
├── VendorDataError       a vendor_db data file (table, fingerprints, OUI import) is invalid
└── LabError              the emulated lab cannot be brought up or down

Expected failures are raised as one of these; third-party errors are translated once,
at the edge, with ``raise ... from exc``.  Bugs are not caught.
"""

from __future__ import annotations

__all__ = [
    "CredentialsError",
    "InventoryError",
    "LabError",
    "MalformedReplyError",
    "ReplyTooLargeError",
    "ScannerError",
    "ScopeError",
    "VendorDataError",
]


class ScannerError(Exception):
    """Base of every error camcensus raises on purpose."""


class ScopeError(ScannerError):
    """A target lies outside the authorised scope, or the scope itself is invalid."""


class MalformedReplyError(ScannerError):
    """A device sent a reply that does not parse."""


class ReplyTooLargeError(MalformedReplyError):
    """A device sent more bytes than the cap for that reply."""


class CredentialsError(ScannerError):
    """Credentials are missing, unreadable, or stored in an unsafe file."""


class InventoryError(ScannerError):
    """The SQLite inventory cannot be opened, migrated or written."""


class VendorDataError(ScannerError):
    """A vendor_db data file (vendor table, fingerprints, OUI import) is invalid."""


class LabError(ScannerError):
    """The emulated lab cannot be brought up, torn down or inspected."""
