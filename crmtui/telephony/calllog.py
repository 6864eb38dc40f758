"""The call log as live listeners, the CLI and the UI use it.

- :class:`CallLog` is the sink a live source (SIP, AMI, webhooks) feeds: each
  event becomes one ``call.log`` mutation at once, merged with what the store
  knows; ``lookup`` answers "who is calling" for the screen pop.
- :func:`call_back` records an outbound attempt to a call's (or any) number
  and runs the dial command of the config file's ``[telephony]`` table, e.g.
  ``dial_command = "xdg-open tel:{number}"`` or a softphone's CLI. The
  command runs without a shell; ``{number}`` is replaced in each argument
  (appended when absent). The attempt is logged as ``ringing`` (``failed``
  when the command fails), so that the PBX's CDR of the real call, imported
  later, merges into it by number, direction and time.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from typing import Any

from ..store.db import Store
from ..store.ids import new_id
from ..store.models import Call, utcnow
from ..store.phones import normalise
from ..store.queries.calls import PhoneLookup
from .events import CallEvent
from .matching import Match
from .processing import CallProcessor

CALLBACK_SOURCE = "callback"


@dataclass(frozen=True, slots=True)
class Logged:
    """What recording one event did; ``call_id`` is None when it changed nothing."""

    call_id: str | None
    contact_id: str | None
    created_contact: bool
    merged: bool


class CallLog:
    """Logs live events one by one. Use one per thread (it keeps a matcher
    cache, which ``forget`` drops when contacts change)."""

    def __init__(
        self,
        store: Store,
        *,
        agent_id: str | None = None,
        create_contacts: bool = True,
        region: str | None = None,
    ) -> None:
        self.store = store
        self.processor = CallProcessor(
            store, region=region, agent_id=agent_id, create_contacts=create_contacts, single=True
        )

    def record(self, event: CallEvent) -> Logged:
        self.processor.add(event)
        result = self.processor.last
        if result is None or not (result.new or result.merged):
            return Logged(None, None, False, False)
        call_id = result.call_ids[0]
        with self.store.read() as session:
            call = session.get(Call, call_id)
            contact_id = call.contact_id if call else None
        return Logged(call_id, contact_id, bool(result.contacts_created), bool(result.merged))

    def lookup(self, raw: str, *, withheld: bool = False) -> Match:
        """The contact a number belongs to, by the matching rules (no writes)."""
        with self.store.read() as session:
            matcher = self.processor.matcher
            matcher.lookup = PhoneLookup(session)
            return matcher.match(raw, withheld=withheld)

    def forget(self) -> None:
        self.processor.matcher.forget()


class CallBackError(Exception):
    """A call back that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Dialled:
    call_id: str  # the logged outbound attempt
    number: str
    command: tuple[str, ...]
    returncode: int | None  # None: the dialler is still running (it took over)


def dial_command(config: dict[str, Any]) -> str:
    command = config.get("telephony", {}).get("dial_command", "")
    if not isinstance(command, str) or not command.strip():
        raise CallBackError(
            'no dial command: set [telephony] dial_command = "xdg-open tel:{number}" '
            "(or your softphone's command) in the config file"
        )
    return command


def _argv(template: str, number: str) -> tuple[str, ...]:
    try:
        parts = shlex.split(template)
    except ValueError as exc:
        raise CallBackError(f"dial_command: {exc}") from None
    if not any("{number}" in p for p in parts):
        parts.append("{number}")
    return tuple(p.replace("{number}", number) for p in parts)


def _number_of(store: Store, target: str, region: str) -> str:
    """The number to dial for a call id, or a number typed by the user."""
    with store.read() as session:
        call = session.get(Call, target)
    if call is not None:
        number = call.remote_e164 or call.remote_raw
    else:
        phone = normalise(target, region)
        number = phone.e164 or target.strip()
    if not number or not any(ch.isdigit() for ch in number):
        raise CallBackError(f"{target}: no number to call back (withheld?)")
    return number


def _run(argv: tuple[str, ...], wait_s: float) -> int | None:
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise CallBackError(f"dial command {argv[0]!r} cannot run: {exc.strerror or exc}") from None
    try:
        return proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        return None


def call_back(
    store: Store,
    target: str,
    *,
    config: dict[str, Any],
    agent_id: str | None = None,
    region: str | None = None,
    wait_s: float = 5.0,
    create_contacts: bool = True,
) -> Dialled:
    """Dial ``target`` (a call id or a number) and log the outbound attempt
    (``create_contacts=False``: an unknown number stays unmatched)."""
    log = CallLog(store, agent_id=agent_id, region=region, create_contacts=create_contacts)
    number = _number_of(store, target, log.processor.region)
    argv = _argv(dial_command(config), number)
    returncode = _run(argv, wait_s)
    failed = returncode not in (0, None)
    logged = log.record(
        CallEvent(
            source=CALLBACK_SOURCE,
            source_call_id=new_id(),
            kind="ended" if failed else "ringing",
            direction="outbound",
            status="failed" if failed else "ringing",
            remote_raw=number,
            started_at=utcnow(),
            hangup_cause=f"dial command exited {returncode}" if failed else "",
        )
    )
    assert logged.call_id is not None  # a fresh key always logs a new call
    return Dialled(logged.call_id, number, argv, returncode)
