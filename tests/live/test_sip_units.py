"""SIP messages, caller identity, HEPv3 and the dialog tracker, at function level."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest

from crmtui.telephony.net import Allowlist, is_internal, parse_endpoint
from crmtui.telephony.sip import hep
from crmtui.telephony.sip.dialogs import DialogTracker
from crmtui.telephony.sip.identity import callee, caller, cancel_outcome
from crmtui.telephony.sip.message import SipParseError, build_response, parse

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sip(
    first: str,
    *headers: str,
    call_id: str = "c1@pbx",
    cseq: str = "1 INVITE",
    from_: str = "<sip:+33612345678@pbx>;tag=a1",
    to: str = "<sip:201@pbx>",
) -> bytes:
    lines = [
        first,
        "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1",
        f"From: {from_}",
        f"To: {to}",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq}",
        *headers,
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def test_parse_request_with_compact_and_folded_headers() -> None:
    data = (
        b"INVITE sip:201@pbx SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1\r\n  ;branch=z9hG4bK7\r\n"
        b"f: Ann <sip:+33612345678@pbx>;tag=a1\r\nt: <sip:201@pbx>\r\ni: x@y\r\n"
        b"CSeq: 4 INVITE\r\nl: 3\r\n\r\nabcdef"
    )
    message = parse(data)
    assert (message.method, message.uri, message.call_id, message.cseq) == (
        "INVITE",
        "sip:201@pbx",
        "x@y",
        (4, "INVITE"),
    )
    assert (message.branch, message.from_tag, message.to_tag, message.body) == (
        "z9hG4bK7",
        "a1",
        "",
        b"abc",
    )


def test_a_response_takes_its_method_from_cseq() -> None:
    message = parse(sip("SIP/2.0 487 Request Terminated", to="<sip:201@pbx>;tag=b2"))
    assert (message.status, message.method, message.to_tag, message.is_request) == (
        487,
        "INVITE",
        "b2",
        False,
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world\r\n\r\n",
        sip("INVITE sip:201@pbx SIP/3.0"),
        sip("SIP/2.0 99 Odd"),
        sip("SIP/2.0 1²3 Odd"),
        sip("INVITE sip:201@pbx SIP/2.0", cseq="1 BYE"),
        sip("INVITE sip:201@pbx SIP/2.0", cseq="x INVITE"),
        sip("INVITE sip:201@pbx SIP/2.0").replace(b"Call-ID: c1@pbx\r\n", b""),
        sip("INVITE sip:201@pbx SIP/2.0").replace(b"Content-Length: 0", b"Content-Length: 9"),
        sip("INVITE sip:201@pbx SIP/2.0", "Bad header line"),
        b"INVITE sip:201@pbx SIP/2.0\r\n" + b"X: y\r\n" * 10_000,
    ],
)
def test_malformed_messages_raise_the_parser_error(data: bytes) -> None:
    with pytest.raises(SipParseError):
        parse(data)


def test_reply_copies_the_transaction_and_adds_our_tag() -> None:
    invite = parse(sip("INVITE sip:201@pbx SIP/2.0"))
    reply = parse(build_response(invite, 180, "Ringing", to_tag="t9"))
    assert (reply.status, reply.call_id, reply.cseq, reply.branch) == (
        180,
        "c1@pbx",
        (1, "INVITE"),
        "z9hG4bK1",
    )
    assert (reply.from_tag, reply.to_tag) == ("a1", "t9")


@pytest.mark.parametrize(
    ("headers", "from_", "expected"),
    [
        ((), '"Ann" <sip:+33612345678@pbx>;tag=a', ("+33612345678", "Ann", False)),
        (
            ('P-Asserted-Identity: "Real" <tel:+4930123456;cpc=ordinary>',),
            "<sip:201@pbx>;tag=a",
            ("+4930123456", "Real", False),
        ),
        (
            ("Remote-Party-ID: <sip:0612345678@pbx>;party=calling",),
            "<sip:x@pbx>;tag=a",
            ("0612345678", "", False),
        ),
        (
            ("P-Asserted-Identity: <sip:+33612345678@pbx>", "Privacy: id"),
            "<sip:a@b>;tag=a",
            ("", "", True),
        ),
        ((), '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=a', ("", "", True)),
        ((), "sip:%2B33612345678@pbx;tag=a", ("+33612345678", "", False)),
    ],
    ids=["from", "pai-first", "rpid", "privacy-id", "anonymous", "bare-uri"],
)
def test_caller_identity(
    headers: tuple[str, ...], from_: str, expected: tuple[str, str, bool]
) -> None:
    party = caller(parse(sip("INVITE sip:201@pbx SIP/2.0", *headers, from_=from_)))
    assert (party.number, party.name, party.withheld) == expected


def test_callee_is_the_request_uri_user() -> None:
    assert callee(parse(sip("INVITE sip:0140000000@pbx;user=phone SIP/2.0"))) == "0140000000"


@pytest.mark.parametrize(
    ("reasons", "outcome"),
    [
        ([], "missed"),
        (['SIP;cause=200;text="Call completed elsewhere"'], "answered"),
        (["Q.850;cause=26"], "answered"),
        (["SIP;cause=486", "Q.850;cause=17"], "busy"),
        (["Q.850;cause=21"], "rejected"),
        (["Q.850;cause=16"], "missed"),
    ],
)
def test_cancel_reason(reasons: list[str], outcome: str) -> None:
    assert cancel_outcome(reasons) == outcome


def test_internal_numbers_and_allowlist() -> None:
    assert (
        is_internal("201")
        and is_internal("alice")
        and is_internal("0140000000", frozenset({"0140000000"}))
    )
    assert not is_internal("+33612345678") and not is_internal("") and not is_internal("+112")
    allow = Allowlist(["10.0.0.0/24", "::1"])
    assert allow.allows("10.0.0.7") and allow.allows("::ffff:10.0.0.7") and allow.allows("::1")
    assert not allow.allows("10.0.1.7") and not allow.allows("not-an-ip")
    assert parse_endpoint("udp://[::1]:5060", "udp").host == "::1"
    with pytest.raises(ValueError):
        parse_endpoint("udp://127.0.0.1", "udp")


def test_hep_round_trip_and_compressed_payload() -> None:
    packet = hep.HepPacket(
        ("10.0.0.1", 5060),
        ("10.0.0.2", 5080),
        T0.replace(microsecond=123456),
        hep.PROTO_SIP,
        b"SIP payload",
        capture_id=9,
        auth_key="secret",
    )
    assert hep.decode(hep.encode(packet)) == packet
    six = hep.HepPacket(("2001:db8::1", 1), ("2001:db8::2", 2), T0, 1, b"x")
    assert hep.decode(hep.encode(six)) == six
    # Swap the plain payload chunk (type 15) for a compressed one (type 16).
    wire = hep.encode(hep.HepPacket(("10.0.0.1", 1), ("10.0.0.2", 2), T0, 1, b""))
    wire = wire[:-6]  # drop the empty payload chunk
    zipped = zlib.compress(b"compressed SIP")
    wire += (
        (0).to_bytes(2, "big")
        + (16).to_bytes(2, "big")
        + (6 + len(zipped)).to_bytes(2, "big")
        + zipped
    )
    wire = wire[:4] + len(wire).to_bytes(2, "big") + wire[6:]
    assert hep.decode(wire).payload == b"compressed SIP"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda w: w[:-1],  # length field no longer matches
        lambda w: b"HEP2" + w[4:],
        lambda w: w[:4] + (len(w) + 5).to_bytes(2, "big") + w[6:] + b"\0\0\0\0\0",
        lambda w: w[:6] + b"\0\0\0\x03\0\x02" + w[12:],  # a chunk shorter than its header
    ],
)
def test_bad_hep_raises_the_decoder_error(mangle) -> None:  # type: ignore[no-untyped-def]
    wire = hep.encode(hep.HepPacket(("10.0.0.1", 1), ("10.0.0.2", 2), T0, 1, b"x"))
    with pytest.raises(hep.HepError):
        hep.decode(mangle(wire))


def feed(tracker: DialogTracker, data: bytes, seconds: float) -> list[str]:
    events = tracker.feed(parse(data), T0 + timedelta(seconds=seconds))
    return [f"{e.kind}:{e.status}" for e in events]


def test_dialog_with_auth_challenge_forks_and_retransmissions() -> None:
    t = DialogTracker()
    invite = sip("INVITE sip:201@pbx SIP/2.0")
    assert feed(t, invite, 0) == ["ringing:ringing"]
    assert (
        feed(t, sip("SIP/2.0 407 Proxy Authentication Required", to="<sip:201@pbx>;tag=p"), 0.1)
        == []
    )
    assert feed(t, invite.replace(b"1 INVITE", b"2 INVITE"), 0.2) == []  # the retry, same call
    assert feed(t, sip("SIP/2.0 180 Ringing", cseq="2 INVITE", to="<sip:201@pbx>;tag=f1"), 1) == []
    assert feed(t, sip("SIP/2.0 200 OK", cseq="2 INVITE", to="<sip:201@pbx>;tag=f1"), 5) == [
        "answered:answered"
    ]
    assert feed(t, sip("SIP/2.0 200 OK", cseq="2 INVITE", to="<sip:201@pbx>;tag=f1"), 5.5) == []
    assert (
        feed(t, sip("SIP/2.0 486 Busy Here", cseq="2 INVITE", to="<sip:201@pbx>;tag=f2"), 6) == []
    )
    bye = sip("BYE sip:a@b SIP/2.0", cseq="3 BYE", to="<sip:201@pbx>;tag=f1")
    (ended,) = t.feed(parse(bye), T0 + timedelta(seconds=65))
    assert (ended.status, ended.duration_s, ended.billsec_s) == ("answered", 65, 60)
    assert feed(t, bye, 66) == [] and feed(t, invite, 67) == []  # late retransmissions


def test_outbound_and_internal_directions() -> None:
    t = DialogTracker()
    out = sip("INVITE sip:0612345678@pbx SIP/2.0", from_="<sip:201@pbx>;tag=o", call_id="o1")
    (event,) = t.feed(parse(out), T0)
    assert (event.direction, event.remote_raw, event.local_party) == (
        "outbound",
        "0612345678",
        "201",
    )
    cancel = sip(
        "CANCEL sip:0612345678@pbx SIP/2.0",
        from_="<sip:201@pbx>;tag=o",
        call_id="o1",
        cseq="1 CANCEL",
    )
    assert feed(t, cancel, 3) == []
    assert feed(
        t,
        sip(
            "SIP/2.0 487 Request Terminated",
            from_="<sip:201@pbx>;tag=o",
            call_id="o1",
            to="<sip:0612345678@pbx>;tag=z",
        ),
        3.1,
    ) == ["ended:cancelled"]
    inside = sip("INVITE sip:202@pbx SIP/2.0", from_="<sip:201@pbx>;tag=i", call_id="i1")
    assert t.feed(parse(inside), T0)[0].direction == "internal"
