"""The scanner's pure protocol core: build probe payloads, parse replies into Evidence.

No sockets, asyncio, clocks, environment or database here (an import-linter contract
keeps it so): probes in ``scanner.probes`` do the I/O and call these functions. Every
parser treats its input as hostile: XML through defusedxml with DTDs forbidden, sizes
capped (``scanner.core.limits``), garbage raised as ``MalformedReplyError``.

Protocols: ``wsd`` (ONVIF WS-Discovery), ``sadp`` (Hikvision), ``dhip`` (Dahua),
``netip`` (Xiongmai), ``ssdp`` (SSDP/UPnP), ``http``, ``rtsp``, ``onvif`` (device
service SOAP), ``isapi`` (Hikvision HTTP API), ``tls``, ``ftp``, ``telnet``, ``mdns``,
``snmp``; ``replies`` reads one captured reply of any of these kinds.
The rest: ``schema`` (the one device record), ``merge`` (evidence into devices),
``scope`` (what may be scanned), ``mac``, ``limits``, ``text`` (escaping for output).
"""
