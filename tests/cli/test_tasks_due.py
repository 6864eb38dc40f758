"""``crmtui tasks due``: what is due, for scripts and cron."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from crmtui.cli.main import app


def test_tasks_due_lists_overdue_and_soon_not_later_or_closed(store, store_path):
    now = datetime.now(UTC)
    store.mutate("task.create", {"title": "overdue", "due_at": now - timedelta(days=2)})
    store.mutate("task.create", {"title": "soon", "due_at": now + timedelta(hours=2)})
    store.mutate("task.create", {"title": "next week", "due_at": now + timedelta(days=7)})
    closed = store.mutate("task.create", {"title": "closed", "due_at": now})
    store.mutate("task.close", {"id": closed})
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(store_path), "tasks", "due", "--json"])
    assert result.exit_code == 0, result.output
    assert [t["title"] for t in json.loads(result.output)] == ["overdue", "soon"]
    result = runner.invoke(app, ["--db", str(store_path), "tasks", "due", "--within", "2w"])
    assert result.exit_code == 0
    assert [line.split("\t")[2] for line in result.output.splitlines()] == [
        "overdue",
        "soon",
        "next week",
    ]


def test_tasks_due_refuses_a_bad_span(store, store_path):
    result = CliRunner().invoke(app, ["--db", str(store_path), "tasks", "due", "--within", "soon"])
    assert result.exit_code == 2
    assert "30m, 2h, 1d or 1w" in result.output
