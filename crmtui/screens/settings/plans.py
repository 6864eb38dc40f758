"""What a settings form asks and what saving it does, as plain data.

A section describes each form as a :class:`FormPlan`: its fields and a
``build`` that turns the parsed values into the mutations to run (all in one
transaction). The form (``record_form.py``) draws and parses the fields and
shows any refusal under the field it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "lines", "whole", "decimal", "choice", "flag", "list"]
Batch = list[tuple[str, dict[str, Any]]]


class FieldError(ValueError):
    """A value refused before any mutation runs; ``key`` is the form field."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


@dataclass(frozen=True, slots=True)
class Spec:
    """One field of a form."""

    key: str  # the mutation argument (or setting) it fills
    label: str
    kind: Kind = "text"
    value: Any = ""
    options: tuple[tuple[str, Any], ...] = ()  # a choice's (shown, value) pairs
    required: bool = False
    least: int | None = None  # bounds of a whole number
    most: int | None = None
    hint: str = ""
    locked: bool = False  # shown but not editable (e.g. a custom field's kind)


@dataclass(frozen=True, slots=True)
class FormPlan:
    title: str
    fields: tuple[Spec, ...]
    build: Callable[[dict[str, Any]], Batch]
    submit: str = "Save"
    note: str = ""
    # Mutation arguments whose errors belong to a differently named field.
    aliases: Mapping[str, str] = field(default_factory=dict)
    # A check that needs the disk (a logo file), run in the save worker.
    verify: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True, slots=True)
class Deletion:
    """Delete after a yes to ``question``."""

    question: str
    batch: Batch


def whole(text: str, spec: Spec) -> int:
    """``text`` as a whole number within the spec's bounds, or a FieldError."""
    try:
        number = int(text.strip())
    except ValueError:
        number = None
    low, high = spec.least, spec.most
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            span = f" from {low} to {high}"
        elif low is not None:
            span = f" of {low} or more"
        else:
            span = ""
        raise FieldError(spec.key, f"{text.strip() or 'nothing'} is not a whole number{span}")
    return number
