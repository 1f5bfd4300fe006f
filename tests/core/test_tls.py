from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import tls

ADDRESS = "198.18.0.11"


def self_signed_der(common_name: str, organisation: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def test_subject_and_issuer_rfc4514() -> None:
    found = tls.parse_certificate(self_signed_der("IP Camera", "Hikvision, Inc"), ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        ("tls.subject", "CN=IP Camera,O=Hikvision\\, Inc,C=CN"),
        ("tls.issuer", "CN=IP Camera,O=Hikvision\\, Inc,C=CN"),
    ]
    assert {(e.source, e.address) for e in found} == {("tls", ADDRESS)}


@pytest.mark.parametrize("der", [b"", b"\x30\x03\x02\x01", b"not a certificate"])
def test_garbage_raises_malformed(der: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        tls.parse_certificate(der, ADDRESS)


def test_oversized_refused() -> None:
    with pytest.raises(ReplyTooLargeError):
        tls.parse_certificate(b"\x30" * 10_000_000, ADDRESS)
