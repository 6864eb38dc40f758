"""The Reports screen (``9``): xlsx reports written in a worker, with the
funnel and the forecast previewed as terminal bar charts."""

from .screen import ReportsScreen

__all__ = ["ReportsScreen"]
