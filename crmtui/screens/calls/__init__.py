"""The calls screen and the forms it opens (wrap-up, contact picker, new caller)."""

from .screen import CallsScreen

__all__ = ["CallsScreen"]
