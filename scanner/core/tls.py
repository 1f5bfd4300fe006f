"""TLS certificate facts: subject and issuer of a device's certificate, RFC 4514 strings."""

from __future__ import annotations

from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.scanner.core.limits import MAX_CERT_BYTES

__all__ = ["NMAP_ATTRIBUTE_NAMES", "SOURCE", "parse_certificate", "parse_certificate_file"]

SOURCE: Final = "tls"
NMAP_ATTRIBUTE_NAMES: Final = (
    ("commonName", "CN"),
    ("organizationName", "O"),
    ("organizationalUnitName", "OU"),
    ("localityName", "L"),
    ("stateOrProvinceName", "ST"),
    ("countryName", "C"),
)
"""The attribute names nmap's ssl-cert spells out (its subject and issuer tables, and
``organizationName=Acme/countryName=US`` in its output) and their RFC 4514 short names,
most specific first."""
_PEM_BEGIN: Final = b"-----BEGIN CERTIFICATE-----"


def parse_certificate(der: bytes, address: str, source: str = SOURCE) -> list[Evidence]:
    """``tls.subject`` and ``tls.issuer`` from a DER certificate (as the peer sent it).

    Raises ReplyTooLargeError over MAX_CERT_BYTES and MalformedReplyError when the
    bytes are not a DER X.509 certificate or its names cannot be decoded.
    """
    if len(der) > MAX_CERT_BYTES:
        raise ReplyTooLargeError(f"TLS certificate: {len(der)} bytes, cap is {MAX_CERT_BYTES}")
    try:
        certificate = x509.load_der_x509_certificate(der)
        subject = certificate.subject.rfc4514_string()
        issuer = certificate.issuer.rfc4514_string()
    except ValueError as exc:
        raise MalformedReplyError(f"TLS certificate: not a DER X.509 certificate ({exc})") from exc
    found = EvidenceList(source, address)
    found.add("tls.subject", subject)
    found.add("tls.issuer", issuer)
    return found.items()


def parse_certificate_file(data: bytes, address: str, source: str = SOURCE) -> list[Evidence]:
    """The first certificate of a PEM text (``-----BEGIN CERTIFICATE-----``), else of DER
    bytes: what an admin saved with ``openssl s_client`` or a browser."""
    if _PEM_BEGIN not in data:
        return parse_certificate(data, address, source)
    if len(data) > 2 * MAX_CERT_BYTES:
        raise ReplyTooLargeError(f"TLS certificate: {len(data)} bytes of PEM")
    try:
        certificate = x509.load_pem_x509_certificate(data[data.index(_PEM_BEGIN) :])
    except ValueError as exc:
        raise MalformedReplyError(f"TLS certificate: unreadable PEM ({exc})") from exc
    return parse_certificate(certificate.public_bytes(Encoding.DER), address, source)
