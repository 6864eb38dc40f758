"""The admin-defined fields of a record, as inputs matching their kind.

Text, number and date fields get an input (a date typed as ``2030-06-12``), a
choice field a ``Select`` of its choices. Values are checked with the same
rule the store applies (``custom_fields.check_value``), so a bad one is shown
under its field before anything is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Select

from ..store.mutations.custom_fields import check_value
from ..store.queries.settings_lists import CustomFieldRow
from .form import FormField

PER_ROW = 2
PLACEHOLDERS = {"number": "a number, e.g. 1234.5", "date": "YYYY-MM-DD"}


class CustomFieldInputs(Vertical):
    DEFAULT_CSS = """
    CustomFieldInputs { height: auto; }
    CustomFieldInputs > Horizontal { height: auto; }
    CustomFieldInputs FormField { width: 1fr; margin-right: 1; }
    """

    def __init__(self, values: Mapping[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.values = dict(values)  # field id -> the record's current value
        self.fields: tuple[CustomFieldRow, ...] = ()

    def show(self, fields: Sequence[CustomFieldRow]) -> None:
        """Lay out one input per field, two to a row, filled with current values."""
        self.fields = tuple(fields)
        self.remove_children()
        rows = [self.fields[i : i + PER_ROW] for i in range(0, len(self.fields), PER_ROW)]
        self.mount_all(
            Horizontal(*(self._field(i * PER_ROW + j, f) for j, f in enumerate(row)))
            for i, row in enumerate(rows)
        )

    def _field(self, index: int, field: CustomFieldRow) -> FormField:
        value = self.values.get(field.id, "")
        control: Widget
        if field.kind == "choice":
            control = Select(
                [(c, c) for c in field.choices],
                value=value if value in field.choices else Select.NULL,
                prompt="(none)",
                id=f"custom-{index}",
            )
        else:
            control = Input(
                value, placeholder=PLACEHOLDERS.get(field.kind, ""), id=f"custom-{index}"
            )
        return FormField(field.name, control, id=f"f-custom-{index}")

    def collect(self, errors: list[tuple[FormField, str]]) -> dict[str, str]:
        """Every field's checked value (field id -> value); bad ones go to ``errors``."""
        found: dict[str, str] = {}
        for index, field in enumerate(self.fields):
            control = self.query_one(f"#custom-{index}")
            holder = self.query_one(f"#f-custom-{index}", FormField)
            if isinstance(control, Select):
                raw = "" if control.value is Select.NULL else str(control.value)
            else:
                assert isinstance(control, Input)
                raw = control.value
            try:
                found[field.id] = check_value(field.name, field.kind, list(field.choices), raw)
                holder.set_error(None)
            except ValueError as exc:
                errors.append((holder, str(exc)))
        return found
