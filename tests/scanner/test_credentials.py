"""ONVIF credentials: env or a 0600 file, never anything looser, never in repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from camcensus.base.errors import CredentialsError
from camcensus.cli.scan_cmd import ENV_PASSWORD, ENV_USERNAME, load_credentials


def _file(tmp_path: Path, mode: int, text: str = 'username = "op"\npassword = "s3cret"\n') -> Path:
    path = tmp_path / "creds.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_owner_only_file_is_accepted(tmp_path: Path, mode: int) -> None:
    creds = load_credentials({}, _file(tmp_path, mode))
    assert creds is not None
    assert (creds.username, creds.password) == ("op", "s3cret")
    assert "s3cret" not in repr(creds)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o666])
def test_group_or_world_bits_are_refused(tmp_path: Path, mode: int) -> None:
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_credentials({}, _file(tmp_path, mode))


def test_missing_fields_and_missing_file_are_errors(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="username and password"):
        load_credentials({}, _file(tmp_path, 0o600, 'username = "op"\n'))
    with pytest.raises(CredentialsError, match="cannot read"):
        load_credentials({}, tmp_path / "absent.toml")


def test_environment_is_used_without_a_file() -> None:
    assert load_credentials({}, None) is None
    creds = load_credentials({ENV_USERNAME: "admin", ENV_PASSWORD: "pw"}, None)
    assert creds is not None
    assert (creds.username, creds.password) == ("admin", "pw")


@pytest.mark.parametrize(
    "environ",
    [
        {ENV_USERNAME: "admin"},
        {ENV_USERNAME: "admin", ENV_PASSWORD: ""},
        {ENV_PASSWORD: "pw"},
        {ENV_USERNAME: "", ENV_PASSWORD: "pw"},
    ],
)
def test_half_set_environment_is_an_error_not_an_empty_password(environ: dict[str, str]) -> None:
    with pytest.raises(CredentialsError, match="set both or neither"):
        load_credentials(environ, None)
    assert load_credentials({ENV_USERNAME: "", ENV_PASSWORD: ""}, None) is None


def test_recorder_credentials_from_a_private_file_or_the_environment(tmp_path: Path) -> None:
    from camcensus.cli.scan_cmd import (
        ENV_RECORDER_PASSWORD,
        ENV_RECORDER_USERNAME,
        load_recorder_credentials,
    )

    text = '[[recorder]]\nusername = "nvr"\npassword = "s3cret"\nmaker = "dahua"\n'
    creds = load_recorder_credentials({}, _file(tmp_path, 0o600, text))
    assert creds is not None
    assert (creds.entries[0].username, creds.entries[0].maker) == ("nvr", "dahua")
    assert "s3cret" not in repr(creds)
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_recorder_credentials({}, _file(tmp_path, 0o644, text))
    env = {ENV_RECORDER_USERNAME: "admin", ENV_RECORDER_PASSWORD: "pw"}
    from_env = load_recorder_credentials(env, None)
    assert from_env is not None
    assert from_env.entries[0].hosts == ()
    assert from_env.entries[0].maker is None
    with pytest.raises(CredentialsError, match="set both"):
        load_recorder_credentials({ENV_RECORDER_USERNAME: "admin"}, None)
    assert load_recorder_credentials({}, None) is None
