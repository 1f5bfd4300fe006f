"""The bottom layer: what every other layer may import, importing nothing of camcensus.

``errors``    the one exception tree (``CamcensusError`` and its subclasses)
``evidence``  the typed ``Evidence`` record and its key vocabulary (``fields.txt``)
``types``     device types
``version``   the version of camcensus
"""
