"""The cameras behind one recorder (NVR): its channel list, read with the operator's
credentials over the recorder's HTTP API (``scanner.core.recorder``).

Runs after the other host probes, on hosts that announced digital channels (SADP,
DHIP) or were identified as a Hikvision- or Dahua-family NVR.  Without credentials for
the recorder it sends nothing and records ``recorder.unlisted`` ("8 cameras behind it,
not listed: credentials needed") when the recorder told its channel count.  With them:

1. ``GET`` of the channel list without credentials: its 401 carries the Digest
   challenge (no login is attempted; a recorder that answers 200 lists its cameras
   without one);
2. the same ``GET`` once with the answer to that challenge: the one login attempt.  A
   401 or 403 there is a failed login: never retried (Hikvision locks an account
   after a few failures), with a warning naming the recorder and the account.

Each camera it lists comes back as evidence bound to the camera's own address on the
recorder's network (``recorder.channel_evidence``); the runner makes it a child device
of the recorder.  The two requests are the recorder's own allowance
(``REQUESTS_EACH``), on top of the host's budget for the other probes, and go through
the probes' guard like every other request.
"""

from __future__ import annotations

import os
from typing import Final

from camcensus.base.errors import MalformedReplyError, RequestBudgetExceededError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import http
from camcensus.scanner.core import recorder as core
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import HostInfo, ProbeContext
from camcensus.vendor_db.identify import identify

__all__ = ["NAME", "REQUESTS_EACH", "run_host"]

NAME: Final[str] = "recorder"
REQUESTS_EACH: Final = 2
"""Requests a recorder gets: the challenge and the one login."""


def _api(host: HostInfo, ctx: ProbeContext) -> core.Api | None:
    counts = core.channel_counts(host.evidence)
    if counts is not None or ctx.recorder_credentials is None or _port(host) is None:
        return core.recorder_api(host.evidence, None, "unknown")
    found = identify(host.evidence)  # no SADP/DHIP (a routed recorder): is it an NVR?
    return core.recorder_api(host.evidence, found.maker, found.device_type)


def _port(host: HostInfo) -> int | None:
    return 80 if 80 in host.ports else None


async def _get(
    ctx: ProbeContext, ip: str, path: str, authorization: str | None = None
) -> tuple[int, http.Headers, bytes] | None:
    request = http.build_request(ip, path, authorization)
    reply = await _io.exchange(ctx, ip, 80, [request])
    if not reply.messages:
        return None
    head = http.parse_message_head(reply.messages[0])
    status = http.parse_response_head(reply.messages[0]).status
    return status, head.headers, http.decode_body(head.headers, head.body).encode("utf-8")


def _listed(
    api: core.Api, ip: str, body: bytes, found: list[Evidence], ctx: ProbeContext
) -> list[Evidence]:
    try:
        channels = core.parse_channels(api, body)
    except MalformedReplyError as exc:
        ctx.warn(f"recorder {ip}: its channel list is not one ({exc}): cameras not listed")
        found.append(
            Evidence("recorder.unlisted", "0 cameras listed: reply not understood", NAME, ip)
        )
        return found
    found.append(Evidence("recorder.listed", str(len(channels)), NAME, ip))
    for channel in channels:
        found.extend(core.channel_evidence(channel, ip))
    return found


async def run_host(ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
    """The recorder's own ``recorder.*`` evidence, then that of each camera it listed."""
    api = _api(host, ctx)
    if api is None:
        return []
    ip = host.ip
    counts = core.channel_counts(host.evidence)
    digital = counts[0] if counts is not None else None
    found: list[Evidence] = []

    def unlisted(reason: str) -> list[Evidence]:
        if digital is not None:
            text = core.unlisted_text(digital, reason)
        else:
            text = f"cameras behind it not listed: {reason}"
        found.append(Evidence("recorder.unlisted", text, NAME, ip))
        return found

    credential = (
        core.choose_credential(ctx.recorder_credentials, ip, api)
        if ctx.recorder_credentials is not None
        else None
    )
    if credential is None:
        return unlisted("credentials needed") if digital else found
    if _port(host) is None:
        return unlisted("no HTTP port open")
    path = core.LIST_PATHS[api]
    try:
        first = await _get(ctx, ip, path)
        if first is None:
            return unlisted("no answer")
        status, headers, body = first
        if status == 200:
            found.append(Evidence("recorder.login", "none needed", NAME, ip))
            return _listed(api, ip, body, found, ctx)
        challenge_text = next(
            (v for v in headers.get_all("WWW-Authenticate") if v.lower().startswith("digest")),
            None,
        )
        if status != 401 or challenge_text is None:
            return unlisted(f"the channel list answered {status}, no Digest challenge")
        challenge = core.parse_challenge(challenge_text)
        authorization = core.digest_authorization(
            "GET", path, credential.username, credential.password, challenge, os.urandom(8).hex()
        )
        second = await _get(ctx, ip, path, authorization)  # the one login attempt
    except (OSError, RequestBudgetExceededError, MalformedReplyError, ValueError) as exc:
        return unlisted(f"error: {exc}")
    if second is None:
        found.append(Evidence("recorder.login", "no answer", NAME, ip))
        return unlisted("no answer to the login")
    status, _headers, body = second
    if status in (401, 403):
        locked = status == 403 or b"lock" in body.lower()
        state = "locked" if locked else "failed"
        ctx.warn(
            f"recorder {ip} rejected the login of user {credential.username!r}"
            + (" and says the account is locked" if locked else "")
            + ": not retried (recorders lock accounts after repeated failures); "
            "its cameras are not listed"
        )
        found.append(Evidence("recorder.login", state, NAME, ip))
        return unlisted("account locked" if locked else "login failed")
    if status != 200:
        found.append(Evidence("recorder.login", "ok", NAME, ip))
        return unlisted(f"the channel list answered {status}")
    found.append(Evidence("recorder.login", "ok", NAME, ip))
    return _listed(api, ip, body, found, ctx)
