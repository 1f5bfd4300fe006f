"""The nested tier (bodyfields' ``http.field.nested.*``) alone names a maker of concern
only as "possible": one record below device level, its manufacturer and model together,
is also what a VMS's, an integration's or a router's page holds about ONE other device.

Every layout below is built here; the vendor and model names are put into it, none is a
claim about a product (the models are model.toml's own examples' shapes)."""

from __future__ import annotations

import pytest

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db.identify import identify


def http_json(body: str, server: str = "nginx") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\nServer: {server}\r\nContent-Type: application/json\r\n\r\n{body}"
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        # a VMS's one camera by its display name: the model field names the maker twice
        '{"array": [{"displayName": "Cam1", "model": "Hikvision DS-2CD2143G2-I"}]}',
        # an ONVIF device manager's one discovered camera, maker and model fields
        '{"result": {"discovered": [{"manufacturer": "Uniview", "model": "IPC322LB"}]}}',
        # a home gateway's page about the ISP's terminal upstream of it
        '{"wan": {"ont": {"vendor": "Huawei", "model": "HG8245H"}}}',
    ],
)
def test_one_nested_record_names_a_maker_of_concern_only_as_possible(body: str) -> None:
    result = identify(parse_reply("http", http_json(body)))
    assert result.flag.level != "flagged", [c.to_dict() for c in result.chain]


def test_nested_claims_still_add_to_other_evidence() -> None:
    nested = [
        Evidence("http.field.nested.manufacturer", "Hikvision", "http", ""),
        Evidence("http.field.nested.model", "DS-2CD2143G2-I", "http", ""),
    ]
    alone = identify(nested)
    assert alone.maker == "Hikvision"
    assert alone.flag.level == "possible"
    beside = identify([*nested, Evidence("http.server", "App-webs/", "http", "")])
    assert beside.maker == "Hikvision"
    assert beside.confidence > identify(nested[1:]).confidence


def test_a_brand_named_weakly_with_no_maker_is_only_possible() -> None:
    # HiSilicon is a brand-kind entry (Huawei's chip maker): a nested field naming it
    # gives a brand and no maker; it must be as weak as a maker named so
    weak = identify([Evidence("http.field.nested.manufacturer", "HiSilicon", "http", "")])
    assert weak.maker is None
    assert weak.brand == "HiSilicon"
    assert weak.flag.level == "possible"
    strong = identify([Evidence("http.field.manufacturer", "HiSilicon", "http", "")])
    assert strong.flag.level == "flagged"
