"""camcensus.scanner: pure protocol core, async probes, the runner, the inventory, export."""

if __name__ != "camcensus.scanner":  # a checkout's bare `scanner/` folder, imported by mistake
    raise ImportError(
        f"{__name__!r} is camcensus's own folder: import camcensus.scanner instead "
        "(a second copy would bring a second error tree)"
    )
