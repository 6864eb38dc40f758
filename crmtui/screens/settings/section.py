"""A settings section: the rows it lists and the forms behind its keys.

Sections are plain objects (no widgets): the screen draws ``cells`` of
``rows`` in a table and asks the section for the form (or the question) behind
``n`` new, ``e`` edit, ``d`` delete, ``m`` merge and shift+up/down move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...store.queries.settings_lists import SettingsOverview
from .plans import Batch, Deletion, FormPlan

ACTIONS = ("new", "edit", "delete", "move", "merge")


class Section:
    key = ""
    title = ""
    columns: tuple[str, ...] = ()
    help = ""
    actions: frozenset[str] = frozenset()

    def __init__(self, locale: str = "en_US") -> None:
        self.locale = locale

    def rows(self, o: SettingsOverview) -> Sequence[Any]:
        raise NotImplementedError

    def cells(self, o: SettingsOverview, row: Any) -> tuple[str, ...]:
        raise NotImplementedError

    def allows(self, action: str, o: SettingsOverview, row: Any) -> bool:
        """Whether ``action`` applies here (to ``row``, the highlighted one)."""
        return action in self.actions and (row is not None or action == "new")

    def new(self, o: SettingsOverview) -> FormPlan:
        raise NotImplementedError

    def edit(self, o: SettingsOverview, row: Any) -> FormPlan:
        raise NotImplementedError

    def delete(self, o: SettingsOverview, row: Any) -> Deletion | FormPlan:
        raise NotImplementedError

    def merge(self, o: SettingsOverview, row: Any) -> FormPlan:
        raise NotImplementedError

    def move(self, o: SettingsOverview, row: Any, delta: int) -> Batch | None:
        raise NotImplementedError


def swapped(ids: list[str], current: str, delta: int) -> list[str] | None:
    """``ids`` with ``current`` moved ``delta`` places, or None past either end."""
    i = ids.index(current)
    j = i + delta
    if not 0 <= j < len(ids):
        return None
    ids = list(ids)
    ids[i], ids[j] = ids[j], ids[i]
    return ids
