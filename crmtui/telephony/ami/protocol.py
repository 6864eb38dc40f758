"""The Asterisk Manager Interface wire format: ``Key: Value`` lines, a blank line
ends each message. Only what a listening client needs: reading one message,
writing one action, and the event's timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime

MAX_MESSAGE = 64 * 1024  # far above any call event; bigger is garbage, not a CDR
TERMINATOR = b"\r\n\r\n"


class AmiParseError(ValueError):
    """Not an AMI message; the text says why."""


def parse_message(block: bytes) -> dict[str, str]:
    """One message (without its blank line) as a dict; the first of repeated keys wins.

    A message must be an ``Event`` or a ``Response``: the client never sends
    anything that would make Asterisk answer with something else.
    """
    if len(block) > MAX_MESSAGE:
        raise AmiParseError("message too long")
    text = block.decode("utf-8", errors="replace")
    fields: dict[str, str] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not key or " " in key:
            raise AmiParseError(f"bad line {line[:60]!r}")
        fields.setdefault(key, value.strip())
    if "Event" not in fields and "Response" not in fields:
        raise AmiParseError("neither an Event nor a Response")
    return fields


def format_action(action: str, **fields: str) -> bytes:
    """An action to send; values never contain line breaks (they would inject keys)."""
    lines = [f"Action: {action}"]
    for key, value in fields.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"{key} contains a line break")
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def event_time(fields: dict[str, str], received: datetime) -> datetime:
    """The event's own ``Timestamp`` (``timestampevents = yes``), else when we read it."""
    stamp = fields.get("Timestamp", "")
    try:
        seconds = float(stamp)
    except ValueError:
        return received
    if not 0 < seconds < 2**32:
        return received
    return datetime.fromtimestamp(seconds, UTC)
