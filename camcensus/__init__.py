"""camcensus: inventory the IP cameras and recorders on a network you own.

One import namespace, its layers from the bottom up (import-linter enforces the order,
see ``pyproject.toml``):

``camcensus.base``       the error tree, the evidence type and vocabulary, device types
``camcensus.vendor_db``  pure data and matching: vendors, OUI, fingerprints, identify, policy
``camcensus.scanner.core``    pure protocol builders and parsers, the merge, the device schema
``camcensus.scanner.probes``  async I/O behind an injectable transport
``camcensus.scanner.runner`` / ``.store`` / ``.export``  one scan; the SQLite inventory; CSV/JSON
``camcensus.tui``, ``camcensus.cli``  the terminal UI and the command line

``camcensus.lab`` stands beside the product: the emulated camera network the tests,
demo and benchmarks scan.  It imports nothing of the product but ``camcensus.base``.
"""

from camcensus.base.version import __version__

__all__ = ["__version__"]
