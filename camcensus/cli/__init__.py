"""The ``camcensus`` command line.

Each sub-command lives in its own module here with a ``register(subparsers)``
function that adds its parser and sets ``func``; heavy packages (the lab, the TUI,
Textual) are imported inside the command, never at start-up.

Exit codes: 0 clean, 1 flagged devices found (only with ``--fail-on-flagged``),
2 error, 130 interrupted (Ctrl-C, as a shell reports SIGINT). A bug (any other
exception) is reported as an internal error with its traceback on stderr and also
exits 2, so it can never pass for "flagged devices".
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from camcensus.base.errors import CamcensusError
from camcensus.base.version import __version__
from camcensus.scanner.core.text import escape_controls

__all__ = ["EXIT_ERROR", "EXIT_FLAGGED", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser", "main"]

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Build the full parser; every sub-command module registers itself here."""
    from camcensus.cli import (  # here: keeps start-up light
        demo_cmd,
        export_cmd,
        import_nmap_cmd,
        import_pcap_cmd,
        lab_cmd,
        merge_cmd,
        report_cmd,
        scan_cmd,
        tui_cmd,
        vendors_cmd,
    )

    parser = argparse.ArgumentParser(
        prog="camcensus",
        description=(
            "Inventory IP cameras and recorders on a network you own, name their real "
            "maker and flag vendors of concern, with evidence and sources."
        ),
    )
    parser.add_argument("--version", action="version", version=f"camcensus {__version__}")
    _add_verbosity(parser, default=0)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (
        demo_cmd,
        export_cmd,
        import_nmap_cmd,
        import_pcap_cmd,
        lab_cmd,
        merge_cmd,
        report_cmd,
        scan_cmd,
        tui_cmd,
        vendors_cmd,
    ):
        module.register(sub)
    _add_verbosity_everywhere(sub)
    return parser


def _add_verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "-v", "--verbose", action="count", default=default, help="more log output (-vv: debug)"
    )
    parser.add_argument(
        "-q", "--quiet", action="count", default=default, help="errors and warnings only"
    )


def _add_verbosity_everywhere(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``-v``/``-q`` after any sub-command too (``camcensus scan -vv ...``, as nmap
    takes them); left unset there unless given, so ``camcensus -v scan`` still counts."""
    for parser in sub.choices.values():
        _add_verbosity(parser, default=argparse.SUPPRESS)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_verbosity_everywhere(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2) if not args.quiet else logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    func: Command = args.func
    try:
        return func(args)
    except CamcensusError as exc:
        print(f"camcensus: error: {escape_controls(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("camcensus: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `camcensus vendors | head`: the reader left; not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so, keep the traceback, never exit 1
        text = escape_controls(exc)
        print(f"camcensus: internal error: {type(exc).__name__}: {text}", file=sys.stderr)
        logging.getLogger("camcensus").exception("internal error")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
