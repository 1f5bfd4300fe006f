"""The camcensus lab: an emulated camera network in Linux network namespaces."""
