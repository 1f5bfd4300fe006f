"""A profile's ``[tls]`` choices: checked when the profile loads, and the certificate and
server context the emulator makes from them (the lab test tests/conformance/
test_tls_clients.py reads the same with openssl s_client)."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from camcensus.base.errors import LabError
from camcensus.lab.emulator import make_tls_context
from camcensus.lab.profiles import TlsChoice, load_profile, tls_choice

BASE = """
[device]
id = "tls-test"
mac_prefix = "00:11:22"
sources = ["test"]
[truth]
maker = ""
brand = ""
model = ""
firmware = ""
device_type = "camera"
flagged = false
[tcp]
open = [443]
[tls]
ports = [443]
subject = { CN = "{ip}" }
"""


def _load(extra: str) -> TlsChoice:
    profile = load_profile(BASE + extra, "profiles/tls-test.toml")
    return tls_choice(profile.section("tls") or {})


def test_defaults_are_ecdsa_p256_tls_1_3_ten_years_self_signed() -> None:
    assert _load("") == TlsChoice("ecdsa-p256", "1.3", 3650, None)


def test_each_choice_is_read() -> None:
    choice = _load(
        'key = "rsa2048"\nmax_version = "1.2"\nvalid_days = 10951\n'
        'issuer = { CN = "NVR", O = "ZheJiang Dahua Technology CO.,LTD." }\n'
    )
    assert choice == TlsChoice(
        "rsa2048", "1.2", 10951, {"CN": "NVR", "O": "ZheJiang Dahua Technology CO.,LTD."}
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('key = "rsa1024"\n', "key must be one of ecdsa-p256, rsa2048"),
        ('max_version = "1.1"\n', "max_version must be one of 1.2, 1.3"),
        ("max_version = 1.2\n", "max_version must be one of"),
        ("valid_days = 0\n", "valid_days must be a whole number"),
        ("valid_days = true\n", "valid_days must be a whole number"),
        ('valid_days = "30"\n', "valid_days must be a whole number"),
        ('issuer = { SN = "x" }\n', "issuer must be a table of non-empty strings"),
        ('issuer = { CN = "" }\n', "issuer must be a table of non-empty strings"),
        ("issuer = {}\n", "issuer must be a table"),
    ],
)
def test_a_choice_the_lab_cannot_serve_fails_the_profile(extra: str, message: str) -> None:
    with pytest.raises(LabError, match=f"tls-test.toml: \\[tls\\]: {message}"):
        _load(extra)


def test_rsa_tls_1_2_certificate_signed_by_a_device_ca(tmp_path: Path) -> None:
    issuer = {"CN": "NVR", "O": "ZheJiang Dahua Technology CO.,LTD.", "C": "CN"}
    context = make_tls_context(
        {"CN": "198.18.0.11", "C": "CN"}, tmp_path, "k1", TlsChoice("rsa2048", "1.2", 10951, issuer)
    )
    assert context.maximum_version == ssl.TLSVersion.TLSv1_2
    cert = x509.load_pem_x509_certificate((tmp_path / "k1.crt").read_bytes())
    public = cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert cert.subject.rfc4514_string() == "C=CN,CN=198.18.0.11"
    assert cert.issuer.rfc4514_string() == "C=CN,O=ZheJiang Dahua Technology CO.\\,LTD.,CN=NVR"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=10951)


def test_default_choice_is_a_self_signed_p256_certificate(tmp_path: Path) -> None:
    context = make_tls_context({"CN": "axis-accc8e000001"}, tmp_path, "k2")
    assert context.maximum_version == ssl.TLSVersion.TLSv1_3
    cert = x509.load_pem_x509_certificate((tmp_path / "k2.crt").read_bytes())
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)  # signed by its own key
