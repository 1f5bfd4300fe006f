from __future__ import annotations

import pytest
from builders import self_signed_der

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import tls

ADDRESS = "198.18.0.11"


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
