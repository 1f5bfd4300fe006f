"""The top-level ``main``: a bug exits 2 with a traceback, never 1 (``--fail-on-flagged``)."""

from __future__ import annotations

import argparse
import logging

import pytest

from camcensus.base.errors import CamcensusError
from camcensus.cli import EXIT_ERROR, EXIT_FLAGGED, EXIT_INTERRUPTED, EXIT_OK, main, vendors_cmd


def _command(exc: BaseException) -> object:
    def command(args: argparse.Namespace) -> int:
        raise exc

    return command


def test_a_bug_is_an_internal_error_with_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(vendors_cmd, "_cmd_vendors", _command(ZeroDivisionError("boom\x1b[2J")))
    code = main(["vendors"])
    assert code == EXIT_ERROR
    assert code != EXIT_FLAGGED
    err = capsys.readouterr().err
    assert "camcensus: internal error: ZeroDivisionError: boom\\x1b[2J" in err
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None  # logging.exception: the traceback goes to stderr
    assert record.exc_info[0] is ZeroDivisionError


def test_expected_errors_and_interrupts_keep_their_handling(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(vendors_cmd, "_cmd_vendors", _command(CamcensusError("no such file")))
    assert main(["vendors"]) == EXIT_ERROR
    assert capsys.readouterr().err == "camcensus: error: no such file\n"
    monkeypatch.setattr(vendors_cmd, "_cmd_vendors", _command(KeyboardInterrupt()))
    assert main(["vendors"]) == EXIT_INTERRUPTED == 130  # as a shell reports SIGINT
    assert "interrupted" in capsys.readouterr().err


def test_a_clean_command_still_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vendors_cmd, "_cmd_vendors", lambda args: EXIT_OK)
    assert main(["vendors"]) == EXIT_OK
