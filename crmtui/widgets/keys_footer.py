"""The footer of keys, rebuilt only when the keys it shows change.

Textual's footer rebuilds every one of its keys (a recompose: tens of ms of
the UI thread, and a layout of the screen) whenever the bindings *may* have
changed: each focus change, each ``refresh_bindings``, the app gaining focus.
Most of those change nothing it shows; at launch they come half a dozen
times, while the first rows are being painted and the first keys typed.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


def keys_shown(screen: Screen[Any]) -> tuple[tuple[object, ...], ...]:
    """Everything about the screen's bindings that the footer draws."""
    app = screen.app
    return tuple(
        (b.key, app.get_key_display(b), b.description, b.action, b.show, enabled, tooltip)
        for _node, b, enabled, tooltip in screen.active_bindings.values()
    )


class KeysFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: tuple[tuple[object, ...], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = keys_shown(screen)
        if shown == self._drawn:
            return
        super().bindings_changed(screen)
        # The footer skips a rebuild while the app is blurred or not its screen's:
        # only what it will really draw counts as drawn.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._drawn = shown
