"""``crmtui telephony listen`` as a user runs it: a process, real sipp, a real store."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from crmtui.cli.main import app
from crmtui.store import open_store
from crmtui.store.models import Call

from .relay import HepRelay
from .sipp import free_udp_port, run_sipp, start_callee, wait_bound


def test_listen_without_a_source_fails_cleanly(tmp_path: Path) -> None:
    env = {"CRMTUI_CONFIG": str(tmp_path / "none.toml")}
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "c.db"), "telephony", "listen"], env=env
    )
    assert result.exit_code == 2
    assert "no source" in result.output


async def _listening(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    while b"listening: hep" not in await process.stderr.readline():
        assert process.returncode is None


async def test_two_hundred_calls_at_fifty_per_second_are_logged_once(
    sipp: str, tmp_path: Path
) -> None:
    db, hep_port = tmp_path / "crm.db", free_udp_port()
    env = {**os.environ, "CRMTUI_CONFIG": str(tmp_path / "none.toml")}
    listener = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crmtui",
        "--db",
        str(db),
        "telephony",
        "listen",
        "--hep",
        f"udp://127.0.0.1:{hep_port}",
        "--json",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            await _listening(listener)
        callee, callee_addr = await start_callee("callee_answer", tmp_path, 200)
        await wait_bound(callee_addr[1])
        relay = HepRelay(callee_addr, ("127.0.0.1", hep_port))
        front = await relay.start()
        run = await run_sipp(
            "caller_answered", front, tmp_path, calls=200, rate=50, extra=("-d", "100")
        )
        await callee.wait()
        relay.close()
        assert run.returncode == 0, run.output[-2000:]
        assert listener.stdout is not None
        async with asyncio.timeout(60):  # every event printed once it is logged
            lines = [json.loads(await listener.stdout.readline()) for _ in range(600)]
    finally:
        listener.send_signal(signal.SIGINT)
        await listener.wait()
    assert listener.returncode == 0
    assert Counter(line["kind"] for line in lines) == {
        "ringing": 200,
        "answered": 200,
        "ended": 200,
    }
    with open_store(db) as store, store.read() as session:
        calls = session.exec(select(Call).where(Call.source == "hep")).all()
    assert len(calls) == 200  # none lost, none logged twice
    assert {c.status for c in calls} == {"answered"}
    assert {c.source_call_id for c in calls} == {line["source_call_id"] for line in lines}


def test_options_override_the_config_table() -> None:
    from crmtui.telephony.listen import ListenConfig

    section = {
        "sip": "udp://127.0.0.1:5060",
        "ami": "tcp://pbx:5038",
        "ami_user": "crm",
        "ami_secret": "from-file",
        "allow": ["10.0.0.5"],
        "twilio_auth_token": "tok",
        "local_parties": ["0140000000"],
        "region": "de",
    }
    options = {"sip": "udp://127.0.0.1:5070", "allow": [], "ami_secret": "from-env"}
    config = ListenConfig.from_config(section, options)
    assert (config.sip, config.ami, config.ami_user, config.ami_secret) == (
        "udp://127.0.0.1:5070",
        "tcp://pbx:5038",
        "crm",
        "from-env",
    )
    assert config.allow == ("10.0.0.5",) and config.twilio_token == "tok"
    assert config.region == "DE" and config.local_parties == frozenset({"0140000000"})
    assert ListenConfig.from_config({}).allow == ("127.0.0.0/8", "::1/128")
