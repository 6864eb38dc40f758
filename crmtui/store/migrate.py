"""Alembic, driven from code: the store upgrades itself when it is opened."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(config("sqlite://"))


def known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in _script().walk_revisions())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def upgrade(path: Path, revision: str = "head") -> None:
    """Upgrade the SQLite file at ``path`` to ``revision`` (default: latest)."""
    command.upgrade(config(f"sqlite:///{path}"), revision)


def upgrade_url(url: str, revision: str = "head") -> None:
    """Upgrade any database the models support (the sync server's PostgreSQL)."""
    command.upgrade(config(url), revision)
