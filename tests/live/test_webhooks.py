"""Desk-phone Action URLs and Twilio status callbacks over real HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from crmtui.telephony.listen import ListenConfig, Listeners
from crmtui.telephony.webhooks import twilio_signature

from .conftest import Collected

TOKEN = "twilio-auth-token"
PUBLIC = "https://crm.example.com/hooks"


@pytest.fixture
async def hooks(collected: Collected) -> AsyncIterator[Listeners]:
    config = ListenConfig(http="127.0.0.1:0", twilio_token=TOKEN, twilio_url=PUBLIC)
    listeners = Listeners(config, collected)
    await listeners.start()
    yield listeners
    await listeners.stop()


async def request(
    listeners: Listeners, method: str, target: str, body: bytes = b"", **headers: str
) -> int:
    reader, writer = await asyncio.open_connection(*listeners.addresses["http"])
    lines = [
        f"{method} {target} HTTP/1.1",
        "Host: crm.example.com",
        f"Content-Length: {len(body)}",
        *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_phone_action_urls_follow_one_call(hooks: Listeners, collected: Collected) -> None:
    query = "remote=0612345678&local=201&display=Martin%20SARL&call_id=17"
    for event in ("incoming", "established", "terminated"):
        assert await request(hooks, "GET", f"/phone/{event}?{query}") == 200
    await hooks.pump.drain()
    assert [(e.kind, e.status) for e in collected] == [
        ("ringing", "ringing"),
        ("answered", "answered"),
        ("ended", "answered"),
    ]
    ended = collected[-1]
    assert (ended.source, ended.remote_e164, ended.remote_name, ended.local_party) == (
        "phone",
        "+33612345678",
        "Martin SARL",
        "201",
    )
    assert len({e.source_call_id for e in collected}) == 1


async def test_phone_missed_call_and_unknown_event(hooks: Listeners, collected: Collected) -> None:
    assert await request(hooks, "GET", "/phone/incoming?remote=0612345679&call_id=18") == 200
    assert await request(hooks, "GET", "/phone/terminated?remote=0612345679&call_id=18") == 200
    assert await request(hooks, "GET", "/phone/exploded?remote=1") == 404
    await hooks.pump.drain()
    assert collected[-1].status == "missed"


def signed(target: str, params: dict[str, str], token: str = TOKEN) -> tuple[bytes, str]:
    return urlencode(params).encode(), twilio_signature(
        token, PUBLIC + target, sorted(params.items())
    )


CALLBACK = {
    "CallSid": "CA0123",
    "AccountSid": "AC1",
    "From": "+33612345678",
    "To": "+33140000000",
    "Direction": "inbound",
    "ApiVersion": "2010-04-01",
    "CallerName": "Martin SARL",
}


async def test_twilio_status_callbacks_with_valid_signatures(
    hooks: Listeners, collected: Collected
) -> None:
    steps = [
        ("ringing", "Mon, 02 Mar 2026 09:00:00 +0000", {}),
        ("in-progress", "Mon, 02 Mar 2026 09:00:05 +0000", {}),
        ("completed", "Mon, 02 Mar 2026 09:01:05 +0000", {"CallDuration": "65"}),
    ]
    for status, stamp, extra in steps:
        body, signature = signed(
            "/twilio/status", {**CALLBACK, "CallStatus": status, "Timestamp": stamp, **extra}
        )
        code = await request(
            hooks,
            "POST",
            "/twilio/status",
            body,
            X_Twilio_Signature=signature,
            Content_Type="application/x-www-form-urlencoded",
        )
        assert code == 200
    await hooks.pump.drain()
    assert [e.kind for e in collected] == ["ringing", "answered", "ended"]
    ended = collected[-1]
    assert (ended.source, ended.source_call_id, ended.status, ended.remote_raw) == (
        "twilio",
        "CA0123",
        "answered",
        "+33612345678",
    )
    assert (ended.duration_s, ended.billsec_s, ended.local_party) == (65, 60, "+33140000000")


@pytest.mark.parametrize(
    "tamper",
    ["no-signature", "wrong-token", "changed-body", "other-url"],
)
async def test_twilio_callbacks_without_a_valid_signature_are_refused(
    hooks: Listeners, collected: Collected, tamper: str
) -> None:
    params = {**CALLBACK, "CallStatus": "busy"}
    body, signature = signed(
        "/twilio/status", params, "other" if tamper == "wrong-token" else TOKEN
    )
    if tamper == "changed-body":
        body = body.replace(b"busy", b"completed")
    if tamper == "other-url":
        signature = signed("/twilio/other", params)[1]
    headers = {} if tamper == "no-signature" else {"X_Twilio_Signature": signature}
    assert await request(hooks, "POST", "/twilio/status", body, **headers) == 403
    await hooks.pump.drain()
    assert collected == []


async def test_twilio_may_sign_the_url_with_its_default_port(
    hooks: Listeners, collected: Collected
) -> None:
    params = {**CALLBACK, "CallStatus": "ringing"}
    body = urlencode(params).encode()
    url = "https://crm.example.com:443/hooks/twilio/status"
    signature = twilio_signature(TOKEN, url, sorted(params.items()))
    assert await request(hooks, "POST", "/twilio/status", body, X_Twilio_Signature=signature) == 200
    await hooks.pump.drain()
    assert [e.kind for e in collected] == ["ringing"]


def test_signature_matches_twilios_documented_example() -> None:
    # The example of Twilio's "Validating requests" documentation.
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


async def test_bad_http_is_answered_and_the_server_goes_on(hooks: Listeners) -> None:
    cases = [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"GET /phone/incoming HTTP/1.1\r\nContent-Length: x\r\n\r\n", b"400"),
        (b"POST /twilio/status HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n", b"413"),
    ]
    for raw, status in cases:
        reader, writer = await asyncio.open_connection(*hooks.addresses["http"])
        writer.write(raw)
        assert (await reader.readline()).split()[1] == status
        writer.close()
    assert await request(hooks, "GET", "/elsewhere") == 404
