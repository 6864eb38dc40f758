"""``crmtui telephony listen``: the live sources, headless, logging calls to the store.

Options override the config file's ``[telephony]`` table, whose keys have the
same names (``sip``, ``hep``, ``ami``, ``http``, ``allow``, ``ami_user``,
``ami_secret``, ``hep_auth_key``, ``twilio_auth_token``, ``twilio_url``,
``local_parties``, ``region``, ``ami_cdr_timezone``) plus ``[telephony.users]``
mapping extensions, DIDs and SIP users to CRM users. Secrets may also come
from the environment so that they stay out of shell history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import typer

from ..config import ConfigError, load_config
from ..telephony.events import CallEvent
from ..telephony.listen import ListenConfig, Listeners, listen
from ..telephony.live_log import LiveCallLog, UnknownUserError
from ..telephony.net import Sink
from . import common

app = typer.Typer(help="Live telephony: SIP, HEP, Asterisk AMI, webhooks.", no_args_is_help=True)


def _settings() -> dict[str, Any]:
    try:
        section = load_config().get("telephony", {})
    except ConfigError as exc:
        common.fail(str(exc))
    return section if isinstance(section, dict) else {}


def _printer(as_json: bool) -> Callable[[CallEvent], None]:
    def show(event: CallEvent) -> None:
        if as_json:
            typer.echo(json.dumps(asdict(event), default=str, ensure_ascii=False))
        else:
            who = event.remote_name or event.remote_raw or "withheld"
            line = f"{event.started_at:%H:%M:%S} {event.source:<6} {event.kind:<8} "
            typer.echo(
                line + f"{event.status:<9} {event.direction:<8} {who} -> {event.local_party}"
            )

    return show


def _each(show: Callable[[CallEvent], None]) -> Callable[[list[CallEvent]], None]:
    def show_all(events: list[CallEvent]) -> None:
        for event in events:
            show(event)

    return show_all


@app.command("listen")
def listen_(
    sip: str | None = typer.Option(None, help="Ring-only SIP agent, e.g. udp://127.0.0.1:5060."),
    hep: str | None = typer.Option(None, help="HEPv3 observer, e.g. udp://127.0.0.1:9060."),
    ami: str | None = typer.Option(None, help="Asterisk AMI, e.g. tcp://pbx:5038."),
    http: str | None = typer.Option(None, help="Action URLs, Twilio: 127.0.0.1:8089."),
    allow: list[str] = typer.Option([], "--allow", help="May send SIP/HEP/Action URLs."),
    ami_user: str | None = typer.Option(None, envvar="CRMTUI_AMI_USER"),
    ami_secret: str | None = typer.Option(None, envvar="CRMTUI_AMI_SECRET"),
    hep_key: str | None = typer.Option(None, envvar="CRMTUI_HEP_KEY", help="HEP auth key."),
    twilio_token: str | None = typer.Option(None, envvar="CRMTUI_TWILIO_TOKEN"),
    twilio_url: str | None = typer.Option(None, help="The public base URL Twilio calls."),
    region: str | None = typer.Option(None, help="Region for numbers without a country code."),
    store: bool = typer.Option(True, "--store/--no-store", help="Log calls to the store."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per event on stdout."),
) -> None:  # fmt: skip
    """Listen for calls until interrupted, logging them as calls and printing each event
    once it is in the store."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("crmtui.telephony").setLevel(logging.INFO)
    section = _settings()
    config = ListenConfig.from_config(section, dict(locals()))
    if not config.any_source:
        common.fail("no source: give --sip, --hep, --ami or --http (or set them in [telephony])")
    show = _printer(as_json)
    if not store:
        _run(config, show)
        return
    with common.store() as opened:
        try:
            live = LiveCallLog(opened, users=section.get("users", {}), on_logged=_each(show))
        except UnknownUserError as exc:
            common.fail(str(exc))
        try:
            _run(config, live)
        finally:
            live.close()


def _run(config: ListenConfig, sink: Sink) -> None:
    def ready(listeners: Listeners) -> None:
        for name, (host, port) in listeners.addresses.items():
            common.err_console.print(f"listening: {name} {host}:{port}", highlight=False)

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(listen(config, sink, ready=ready))
    except (OSError, ValueError) as exc:
        common.fail(f"cannot listen: {exc}")
