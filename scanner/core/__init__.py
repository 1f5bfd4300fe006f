"""The scanner's pure protocol core: build probe payloads, parse replies into Evidence.

No sockets, asyncio, clocks, environment or database here (an import-linter contract
keeps it so): probes in ``scanner.probes`` do the I/O and call these functions. Every
parser treats its input as hostile: XML through defusedxml with DTDs forbidden, sizes
capped (``scanner.core.limits``), garbage raised as ``MalformedReplyError``.

Modules: ``wsd`` (ONVIF WS-Discovery), ``sadp`` (Hikvision), ``dhip`` (Dahua),
``netip`` (Xiongmai), ``ssdp`` (SSDP/UPnP), ``http``, ``rtsp``, ``onvif`` (device
service SOAP), ``tls``, ``mac``, ``scope`` (what may be scanned), ``limits``.
"""
