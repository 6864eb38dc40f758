"""Alembic, driven from code: the store upgrades itself when it is opened.

Opening a store that is already at the head revision is the common case (every
launch of the app), and importing Alembic costs a noticeable part of a second.
So the revisions are read from the migration files' ``revision`` /
``down_revision`` lines, the way Alembic reads them, and Alembic itself is
imported only to upgrade (tests/store/test_migrations.py checks both agree).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)


def config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config("sqlite://"))


@lru_cache(maxsize=1)
def _graph() -> dict[str, str | None]:
    """Each revision and the one it revises, from the files in versions/."""
    graph: dict[str, str | None] = {}
    for file in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_ASSIGNED.findall(file.read_text(encoding="utf-8")))
        if "revision" in found:
            graph[found["revision"]] = found.get("down_revision")
    return graph


def known_revisions() -> frozenset[str]:
    return frozenset(_graph())


def head_revision() -> str:
    graph = _graph()
    heads = set(graph) - set(graph.values())
    assert len(heads) == 1, f"the migrations folder needs exactly one head, not {sorted(heads)}"
    return heads.pop()


def upgrade(path: Path, revision: str = "head") -> None:
    """Upgrade the SQLite file at ``path`` to ``revision`` (default: latest)."""
    from alembic import command

    command.upgrade(config(f"sqlite:///{path}"), revision)


def upgrade_url(url: str, revision: str = "head") -> None:
    """Upgrade any database the models support (the sync server's PostgreSQL)."""
    from alembic import command

    command.upgrade(config(url), revision)
