"""Cross-module checks: public names are declared, and every emitted key is in fields.txt."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest

import camcensus.scanner.core
from camcensus.base.evidence import Evidence, known_keys
from camcensus.scanner.core import dhip, http, netip, onvif, rtsp, sadp, ssdp, wsd

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(camcensus.scanner.core.__path__)
    if not m.name.startswith("_")
)


def _top_level_names(tree: ast.Module) -> set[str]:
    """Names a module itself defines at top level: functions, classes, assignments."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names - {"__all__"}


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_every_public_definition(name: str) -> None:
    module = importlib.import_module(f"camcensus.scanner.core.{name}")
    source = Path(str(module.__file__)).read_text(encoding="utf-8")
    public = {n for n in _top_level_names(ast.parse(source)) if not n.startswith("_")}
    assert public == set(module.__all__)


def _allowed(key: str) -> bool:
    keys = known_keys()
    return key in keys or any(k.endswith("*") and key.startswith(k[:-1]) for k in keys)


def test_every_fixture_key_is_in_the_vocabulary(capture: Callable[[str], bytes]) -> None:
    address = "198.18.0.11"
    found: list[Evidence] = [
        *sadp.parse_reply(capture("sadp_probematch.xml"), address),
        *dhip.parse_reply(capture("dhip_notifydevinfo.bin"), address),
        *netip.parse_reply(capture("netip_reply.bin"), address),
        *wsd.parse_probe_matches(capture("wsd_probematches.xml"), address),
        *ssdp.parse_response(capture("ssdp_response.txt"), address)[0],
        *ssdp.parse_description(capture("upnp_description.xml"), address),
        *onvif.parse_device_information(capture("onvif_device_information.xml"), address),
        *onvif.parse_network_interfaces(capture("onvif_network_interfaces.xml"), address),
        *http.parse_http(capture("http_uc_httpd.txt"), address),
        *http.parse_http(capture("http_401_digest.txt"), address),
        *rtsp.parse_rtsp(capture("rtsp_options_200.txt"), address),
        *rtsp.parse_rtsp(capture("rtsp_describe_401.txt"), address),
    ]
    assert len({e.key for e in found}) >= 40
    unknown = sorted({e.key for e in found if not _allowed(e.key)})
    assert unknown == []
