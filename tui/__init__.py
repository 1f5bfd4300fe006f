"""camcensus terminal UI over the SQLite inventory."""

if __name__ != "camcensus.tui":  # a checkout's bare `tui/` folder, imported by mistake
    raise ImportError(
        f"{__name__!r} is camcensus's own folder: import camcensus.tui instead "
        "(a second copy would bring a second error tree)"
    )
