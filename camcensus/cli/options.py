"""What several sub-commands share: the ``--policy NAME|FILE`` option and bounded reads
of the small text files an operator names (scope files, target lists, policies)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from camcensus.base.errors import CamcensusError, VendorDataError

if TYPE_CHECKING:
    from camcensus.vendor_db.policy import Policy

__all__ = [
    "MAX_TEXT_FILE_BYTES",
    "STDIN",
    "add_policy_option",
    "add_site_option",
    "load_policy",
    "load_site",
    "read_text_file",
    "write_atomically",
]

MAX_TEXT_FILE_BYTES: Final = 1 << 20
"""Cap on a scope file, a target list or a policy: far above any real one, far below
what ``/dev/zero`` or a wrong file would make of memory."""
STDIN: Final = "-"


def read_text_file(
    path: Path | str,
    what: str,
    error: type[CamcensusError],
    *,
    max_bytes: int = MAX_TEXT_FILE_BYTES,
) -> str:
    """The UTF-8 text of ``path`` (``-``: stdin), a BOM dropped; ``error`` when it
    cannot be read, is over ``max_bytes`` or is not UTF-8."""
    try:
        if str(path) == STDIN:
            raw = sys.stdin.buffer.read(max_bytes + 1)
        else:
            # at most one byte over the cap: a FIFO or /dev/zero has no size to check
            with open(path, "rb") as stream:
                raw = stream.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    if len(raw) > max_bytes:
        raise error(f"{what} {path} is larger than {max_bytes} bytes")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc


def add_site_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--site NAME``: the site *what* is recorded in (its devices keyed in it)."""
    parser.add_argument(
        "--site",
        metavar="NAME",
        help=f"the site {what} is recorded in: its devices are keyed in that site, "
        "apart from the same addresses elsewhere (default: no site)",
    )


def load_site(name: str | None) -> str | None:
    """``--site``'s name, checked (ScopeError for one that cannot name a site)."""
    from camcensus.scanner.core.scope import check_site_name

    return None if name is None else check_site_name(name)


def add_policy_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--policy NAME|FILE``: a named policy (``camcensus policies`` lists them) or
    a policy TOML file; default: the shipped default, ``nl-cybercheck``."""
    parser.add_argument(
        "--policy",
        metavar="NAME|FILE",
        help="flag policy: a name from `camcensus policies` (default nl-cybercheck) or a "
        "policy TOML file (./NAME for a file that has a policy's name)",
    )


def load_policy(spec: Path | str | None) -> Policy:
    """The named policy ``spec``, the policy in file ``spec``, or the default one;
    VendorDataError when unusable.  A name wins over a file of the same name in the
    working directory (give ``./NAME`` for the file)."""
    from camcensus.vendor_db.policy import Policy

    if spec is None:
        return Policy.default()
    text = str(spec)
    if text in Policy.names():
        return Policy.named(text)
    looks_like_a_file = text == STDIN or "/" in text or text.endswith(".toml")
    if not looks_like_a_file and not Path(text).exists():
        raise VendorDataError(
            f"unknown policy {text!r}: give one of {', '.join(Policy.names())} "
            "(camcensus policies) or a policy TOML file"
        )
    return Policy.load(read_text_file(text, "policy", VendorDataError))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a hidden ``.NAME.partial`` beside it, synced,
    then renamed over it: a failed write (a full disk, Ctrl-C) leaves no half file under
    either name, and an old file at ``path`` stays as it was."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
