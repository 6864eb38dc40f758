"""Sync in the TUI: the desk that runs the background loop, and the Sync screen."""

from .desk import SyncDesk
from .screen import SyncScreen

__all__ = ["SyncDesk", "SyncScreen"]
