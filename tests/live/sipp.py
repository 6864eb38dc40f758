"""Running the real ``sipp`` (Debian package sip-tester) from tests and the bench."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "sipp"
CALLERS = FIXTURES / "callers.csv"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SippRun:
    returncode: int
    output: str


async def run_sipp(
    scenario: str,
    target: tuple[str, int],
    workdir: Path,
    *,
    calls: int = 1,
    rate: float = 10,
    service: str = "201",
    extra: tuple[str, ...] = (),
    injection: Path = CALLERS,
) -> SippRun:
    """Run one sipp instance to completion; ``scenario`` is a fixture name or a built-in."""
    source = (
        ("-sf", str(FIXTURES / f"{scenario}.xml"))
        if (FIXTURES / f"{scenario}.xml").exists()
        else ("-sn", scenario)
    )
    # -recv_timeout aborts a call whose answer never comes instead of waiting forever.
    options = (
        f"-i 127.0.0.1 -p {free_udp_port()} -s {service} -m {calls} -r {rate} "
        f"-l {max(calls, 1)} -nostdin -timeout 60 -recv_timeout 10000"
    )
    command = ["sipp", *source, f"{target[0]}:{target[1]}", *options.split()]
    command += ["-inf", str(injection), *extra]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return SippRun(process.returncode or 0, output.decode(errors="replace"))


async def start_callee(
    scenario: str, workdir: Path, calls: int
) -> tuple[asyncio.subprocess.Process, tuple[str, int]]:
    """A sipp UAS on a free port, waiting for ``calls`` calls.

    Its screen goes to ``callee-PORT.out`` in ``workdir``: sipp redraws it all
    the time, and a pipe nobody reads would fill up and freeze the callee.
    """
    port = free_udp_port()
    source = (
        ("-sf", str(FIXTURES / f"{scenario}.xml"))
        if (FIXTURES / f"{scenario}.xml").exists()
        else ("-sn", scenario)
    )
    with (workdir / f"callee-{port}.out").open("wb") as screen:
        options = f"-i 127.0.0.1 -p {port} -m {calls} -nostdin -timeout 60 -recv_timeout 10000"
        process = await asyncio.create_subprocess_exec(
            "sipp",
            *source,
            *options.split(),
            cwd=workdir,
            stdout=screen,
            stderr=asyncio.subprocess.STDOUT,
        )
    return process, ("127.0.0.1", port)


def callee_screen(workdir: Path, port: int) -> str:
    return (workdir / f"callee-{port}.out").read_text(errors="replace")[-2000:]


async def wait_bound(port: int) -> None:
    """Until something (sipp) holds ``port``: binding it ourselves then fails."""
    for _ in range(500):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind(("127.0.0.1", port))
        except OSError:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"nothing bound UDP port {port}")
