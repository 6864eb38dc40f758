"""Where things live on disk, and the user's TOML config file.

The store defaults to platformdirs' user data dir; ``--db PATH`` or
``CRMTUI_DB`` overrides it. The config file (keymap, theme, sync server,
telephony, SMTP) lives in the user config dir, or at ``CRMTUI_CONFIG``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from platformdirs import user_config_dir, user_data_dir

APP = "crmtui"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message names it."""


def default_db_path() -> Path:
    env = os.environ.get("CRMTUI_DB")
    return Path(env).expanduser() if env else Path(user_data_dir(APP)) / "crmtui.db"


def config_path() -> Path:
    env = os.environ.get("CRMTUI_CONFIG")
    return Path(env).expanduser() if env else Path(user_config_dir(APP)) / "config.toml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config as a dict; a missing file is an empty config."""
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def save_config(values: dict[str, Any], path: Path | None = None) -> None:
    """Write the config atomically (a crash never leaves half a file)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(values), encoding="utf-8")
    tmp.replace(path)
