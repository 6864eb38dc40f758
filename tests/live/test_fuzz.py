"""100,000 random and mutated inputs for each parser: SIP, HEPv3 and AMI.

Every input either parses or raises the parser's own error; nothing else may
escape, and whatever parses is fed on to the code that acts on it (dialog and
call trackers, identity, replies), which must not fail either. Seeds are fixed
so a failure names an input that can be replayed.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from crmtui.telephony.ami.calls import AmiCallTracker
from crmtui.telephony.ami.protocol import AmiParseError, parse_message
from crmtui.telephony.sip import hep
from crmtui.telephony.sip.dialogs import DialogTracker
from crmtui.telephony.sip.identity import callee, caller, cancel_outcome
from crmtui.telephony.sip.message import SipMessage, SipParseError, build_response, parse

from .ami_server import load_transcript

RUNS = 100_000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
SIP_CORPUS = [
    b"INVITE sip:201@pbx.example;user=phone SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1,SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\n"
    b'From: "Ann \\"A\\" Bee" <sip:+33612345678@pbx>;tag=a1\r\nTo: <sip:201@pbx>\r\n'
    b"P-Asserted-Identity: <tel:+33612345678>\r\nPrivacy: none\r\n"
    b"Call-ID: c1@pbx\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
    b"Content-Length: 10\r\n\r\nv=0\r\ns=-\r\n",
    b"SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
    b"f: <sip:+33612345678@pbx>;tag=a1\r\nt: <sip:201@pbx>;tag=b2\r\ni: c1@pbx\r\n"
    b"CSeq: 1 INVITE\r\nl: 0\r\n\r\n",
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
    b"From: <sip:+33612345678@pbx>;tag=a1\r\nTo: <sip:201@pbx>;tag=b2\r\nCall-ID: c1@pbx\r\n"
    b"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    b"CANCEL sip:201@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
    b"From: <sip:anonymous@anonymous.invalid>;tag=a1\r\nTo: <sip:201@pbx>\r\nCall-ID: c1@pbx\r\n"
    b'CSeq: 1 CANCEL\r\nReason: SIP;cause=200;text="Call completed elsewhere"\r\n'
    b"Reason: Q.850;cause=26\r\nContent-Length: 0\r\n\r\n",
    b"BYE sip:+33612345678@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.3\r\n ;branch=z9hG4bK3\r\n"
    b"From: <sip:201@pbx>;tag=b2\r\nTo: <sip:+33612345678@pbx>;tag=a1\r\nCall-ID: c1@pbx\r\n"
    b"CSeq: 2 BYE\r\nRemote-Party-ID: <sip:0612345678@pbx>;party=calling\r\n\r\n",
    b"SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
    b"From: <sip:+33612345678@pbx>;tag=a1\r\nTo: <sip:201@pbx>;tag=b2\r\nCall-ID: c1@pbx\r\n"
    b"CSeq: 1 INVITE\r\n\r\n",
]
TOKENS = [
    b"\r\n",
    b":",
    b";",
    b"<",
    b">",
    b'"',
    b"tag=",
    b"\x00",
    b"\xff",
    b"SIP/2.0",
    b" ",
    b",",
    b"@",
    b"sip:",
    b"tel:",
    b"=",
    b"\t",
    b"99999999999999999999",
    b"\xc3",
]


def mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    """One input: random bytes, or a valid one damaged in one to four ways."""
    if rng.random() < 0.15:
        return rng.randbytes(rng.randrange(0, 400))
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(0, len(out) + 1)
        choice = rng.randrange(7)
        if choice == 0 and out:  # flip a byte
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif choice == 1:  # cut short
            del out[pos:]
        elif choice == 2:  # delete a stretch
            del out[pos : pos + rng.randrange(1, 40)]
        elif choice == 3:  # insert a meaningful token
            out[pos:pos] = rng.choice(TOKENS)
        elif choice == 4:  # splice in part of another input
            other = rng.choice(corpus)
            start = rng.randrange(len(other))
            out[pos:pos] = other[start : start + rng.randrange(1, 120)]
        elif choice == 5:  # repeat a stretch
            out[pos:pos] = out[pos : pos + rng.randrange(1, 60)]
        else:  # swap digits, which moves lengths, codes and ports
            out = bytearray(bytes(out).replace(b"0", str(rng.randrange(10)).encode(), 1))
    return bytes(out)


def fuzz(seed: int, corpus: list[bytes], check: Callable[[bytes], bool]) -> int:
    """Run ``check`` on RUNS inputs; returns how many parsed (the rest raised their error)."""
    rng = random.Random(seed)
    parsed = 0
    for index in range(RUNS):
        data = mutate(rng, rng.choice(corpus), corpus)
        try:
            parsed += check(data)
        except Exception as exc:
            raise AssertionError(f"input #{index} ({data!r}) raised {exc!r}") from exc
    return parsed


def act_on_sip(message: SipMessage, tracker: DialogTracker, at: datetime) -> None:
    caller(message), callee(message), cancel_outcome(message.header_all("reason"))
    if message.is_request:
        build_response(message, 487, "Request Terminated", to_tag="x")
    tracker.feed(message, at)


def test_sip_parser_and_dialogs_survive_garbage() -> None:
    tracker = DialogTracker()

    def check(data: bytes) -> bool:
        try:
            message = parse(data)
        except SipParseError:
            return False
        act_on_sip(message, tracker, T0)
        return True

    parsed = fuzz(1, SIP_CORPUS, check)
    assert 0.05 * RUNS < parsed < 0.95 * RUNS  # both paths were exercised


def test_hep_decoder_survives_garbage() -> None:
    corpus = [
        hep.encode(
            hep.HepPacket(
                src,
                dst,
                T0 + timedelta(seconds=i),
                1,
                payload,
                capture_id=7,
                auth_key="k" if i % 2 else "",
            )
        )
        for i, (src, dst, payload) in enumerate(
            (("10.0.0.1", 5060), ("10.0.0.2", 5060), p)
            if i % 2
            else (("2001:db8::1", 5060), ("2001:db8::2", 5080), p)
            for i, p in enumerate(SIP_CORPUS)
        )
    ]
    tracker = DialogTracker()

    def check(data: bytes) -> bool:
        try:
            packet = hep.decode(data)
        except hep.HepError:
            return False
        with contextlib.suppress(SipParseError):  # a damaged payload inside a sound packet
            act_on_sip(parse(packet.payload), tracker, packet.captured_at)
        return True

    parsed = fuzz(2, corpus, check)
    assert 0.02 * RUNS < parsed < 0.95 * RUNS


def test_ami_parser_and_tracker_survive_garbage() -> None:
    corpus = [
        m.removesuffix(b"\r\n\r\n")
        for name in ("queue_three_legs", "reconnect")
        for segment in load_transcript(name)
        for m in segment
    ]
    tracker = AmiCallTracker()

    def check(data: bytes) -> bool:
        try:
            fields = parse_message(data)
        except AmiParseError:
            return False
        tracker.feed(fields, T0)
        return True

    parsed = fuzz(3, corpus, check)
    tracker.flush(0)
    assert 0.05 * RUNS < parsed < 0.95 * RUNS
