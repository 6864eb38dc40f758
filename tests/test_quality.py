"""The code-quality gates, run as tests so that the README's one test command
checks everything CI checks: ruff (lint and format), mypy on the non-UI
layers, and the import-linter contracts that keep the layers pointing down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "cmd",
    [
        ("ruff", "check", "crmtui", "tests", "bench"),
        ("ruff", "format", "--check", "crmtui", "tests", "bench"),
    ],
    ids=["ruff-lint", "ruff-format"],
)
def test_ruff(cmd: tuple[str, ...]) -> None:
    result = run(sys.executable, "-m", *cmd)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_on_non_ui_layers() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts() -> None:
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
