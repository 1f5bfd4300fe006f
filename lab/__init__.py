"""The camcensus lab: an emulated camera network in Linux network namespaces."""

if __name__ != "camcensus.lab":  # a checkout's bare `lab/` folder, imported by mistake
    raise ImportError(
        f"{__name__!r} is camcensus's own folder: import camcensus.lab instead "
        "(a second copy would bring a second error tree)"
    )
