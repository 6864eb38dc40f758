"""Create or edit an opportunity.

Contacts are typed by name (the main contact completes as you type, right
arrow accepts; other linked contacts go one per line) and found in the save
worker; a name that matches no contact, or several, is refused under its
field. An existing deal's links keep their ids, so namesakes never get mixed
up by an edit. Amounts are typed as written (``12 500,50`` or ``12500.5``) and
must fit the currency's decimals. The deals' custom fields (defined by an
admin in the settings) follow, each checked by the rule the store applies.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Select, SelectionList, Static, TextArea

from ...store import Store, settings
from ...store.money import MoneyError, check_currency, exponent, parse_decimal
from ...store.queries.board import STATE_ORDER, DealEdit
from ...store.queries.contact_names import complete_contact_name, contacts_named
from ...store.queries.deals import StageRow, list_stages
from ...store.queries.lookups import Choices, choices
from ...store.queries.settings_lists import CustomFieldRow, custom_fields
from ...store.sql import connection_of
from ...widgets.custom_fields import CustomFieldInputs
from ...widgets.form import FormField, options, selected, text_of
from ...widgets.workers import ReportsWorkerErrors
from ..context import UiContext
from .values import BUDGET_TYPES

LABELS = {
    "f-title": "Title",
    "f-contact": "Contact",
    "f-amount": "Budget",
    "f-currency": "Currency",
    "f-count": "Count",
    "f-close": "Expected close",
    "f-contacts": "Linked contacts",
    "f-users": "Users who may see it",
}


class ContactNames(Suggester):
    """Completes a contact's name from the store (in a thread, never on the UI loop)."""

    def __init__(self, store: Store) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.store = store

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(self._complete, value)

    def _complete(self, value: str) -> str | None:
        with self.store.read() as session:
            return complete_contact_name(session, value)


class DealForm(ReportsWorkerErrors, ModalScreen[str | None]):
    """Returns the saved deal's id, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(
        self, ctx: UiContext, *, editing: DealEdit | None = None, stage_id: str | None = None
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.editing = editing
        self.stage_id = editing.detail.row.stage_id if editing else stage_id
        # names shown for links the deal already has -> their ids
        self.known: dict[str, str] = {}
        if editing:
            d = editing.detail
            if d.row.contact_id:
                self.known[d.row.contact_name] = d.row.contact_id
            self.known.update({c.label: c.id for c in d.contacts})

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.editing.detail if self.editing else None
        r = d.row if d else None
        with VerticalScroll(classes="form"):
            yield Static(Text(f"Edit opportunity · {r.title}" if r else "New opportunity"),
                         classes="form-title")  # fmt: skip
            yield FormField("Title", Input(r.title if r else "", id="title"), id="f-title")
            with Horizontal(classes="form-row"):
                yield FormField(
                    "Contact (name; → accepts the completion)",
                    Input(
                        r.contact_name if r else "",
                        id="contact",
                        suggester=ContactNames(self.ctx.store),
                    ),
                    id="f-contact",
                )
                yield FormField("Stage", Select([], id="stage", prompt="(first open stage)"))
            with Horizontal(classes="form-row"):
                amount = self._amount_text(r.budget_minor, r.currency) if r else ""
                yield FormField(
                    "Budget", Input(amount, id="amount", placeholder="12 500,00"), id="f-amount"
                )
                yield FormField(
                    "Currency",
                    Input(r.currency if r else "", id="currency", max_length=3),
                    id="f-currency",
                )
                yield FormField(
                    "Type",
                    Select(
                        BUDGET_TYPES,
                        value=r.budget_type if r else "fixed",
                        allow_blank=False,
                        id="budget-type",
                    ),
                )
                yield FormField(
                    "Count", Input(str(r.budget_count) if r else "1", id="count"), id="f-count"
                )
            with Horizontal(classes="form-row"):
                close = r.expected_close.isoformat() if r and r.expected_close else ""
                yield FormField(
                    "Expected close",
                    Input(close, id="close", placeholder="2026-09-30"),
                    id="f-close",
                )
                yield FormField("Responsible", Select([], id="responsible", prompt="(me)"))
            yield FormField(
                "Linked contacts (one name per line)",
                TextArea("\n".join(c.label for c in d.contacts) if d else "", id="contacts"),
                id="f-contacts",
            )
            yield Checkbox(
                "Restricted: only the users ticked below may see it",
                value=r.restricted if r else False,
                id="restricted",
            )
            yield FormField(
                "Users who may see it",
                SelectionList[str](id="users"),
                hint="space ticks a user",
                id="f-users",
            )
            yield FormField("Description", Input(d.description if d else "", id="description"))
            values = {c.id: c.note for c in d.custom} if d else {}  # field id -> value
            yield CustomFieldInputs(values, id="custom-fields")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    @staticmethod
    def _amount_text(minor: int, currency: str) -> str:
        try:
            return str(Decimal(minor).scaleb(-exponent(currency)))
        except MoneyError:
            return str(minor)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._load_choices()

    @work(thread=True, exclusive=True, group="form-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.ctx.store.read() as session:
            found = choices(connection_of(session))
            stages = sorted(
                list_stages(session), key=lambda s: (STATE_ORDER.get(s.state, 3), s.position)
            )
            currency = str(settings.get(session, "default_currency"))
            fields = custom_fields(session, "opportunity")
        self.app.call_from_thread(self._fill, found, stages, currency, fields)

    def _fill(
        self,
        found: Choices,
        stages: list[StageRow],
        currency: str,
        fields: tuple[CustomFieldRow, ...],
    ) -> None:
        self.query_one(CustomFieldInputs).show(fields)
        stage = self.query_one("#stage", Select)
        stage.set_options([(f"{s.name} ({s.probability} %)", s.id) for s in stages])
        if self.stage_id in {s.id for s in stages}:
            stage.value = self.stage_id
        elif stages:
            open_ = [s for s in stages if s.state == "open"]
            stage.value = (open_ or stages)[0].id
        responsible = self.query_one("#responsible", Select)
        responsible.set_options(options(found.users))
        if self.editing and self.editing.responsible_id:
            responsible.value = self.editing.responsible_id
        granted = {u.id for u in self.editing.detail.users} if self.editing else set()
        self.query_one("#users", SelectionList).add_options(
            [(u.name, u.id, u.id in granted) for u in found.users]
        )
        currency_input = self.query_one("#currency", Input)
        if not currency_input.value:
            currency_input.value = currency

    # -- checking -------------------------------------------------------------------

    def _validate(self) -> dict[str, Any] | None:
        """The mutation arguments, or None after marking the fields in error."""
        errors: dict[str, str] = {}
        title = text_of(self.query_one("#title", Input))
        if not title:
            errors["f-title"] = "a deal needs a title"
        currency = self._currency(errors)
        minor = self._minor(currency, errors)
        count = text_of(self.query_one("#count", Input)) or "1"
        if not count.isdigit() or int(count) < 1:
            errors["f-count"] = f"{count!r} is not a whole number of at least 1"
        close = self._close(errors)
        restricted = self.query_one("#restricted", Checkbox).value
        users = list(self.query_one("#users", SelectionList).selected)
        if restricted and not users:
            errors["f-users"] = "tick at least one user who may see a restricted deal"
        bad: list[tuple[FormField, str]] = []
        custom = self.query_one(CustomFieldInputs)
        # Sent only once the fields are shown: a save before they load changes none.
        values = custom.collect(bad) if custom.fields else None
        self._mark(errors, bad)
        if errors or bad:
            return None
        args: dict[str, Any] = {
            "title": title,
            "stage_id": selected(self.query_one("#stage", Select)),
            "budget_minor": minor,
            "currency": currency,
            "budget_type": self.query_one("#budget-type", Select).value,
            "budget_count": int(count),
            "expected_close": close,
            "responsible_id": selected(self.query_one("#responsible", Select)),
            "restricted": restricted,
            "user_ids": users,
            "description": text_of(self.query_one("#description", Input)),
        }
        if values is not None:
            args["custom"] = values
        return args

    def _currency(self, errors: dict[str, str]) -> str:
        raw = text_of(self.query_one("#currency", Input))
        try:
            return check_currency(raw)
        except MoneyError:
            errors["f-currency"] = f"{raw!r} is not a currency code like EUR"
            return ""

    def _minor(self, currency: str, errors: dict[str, str]) -> int:
        raw = text_of(self.query_one("#amount", Input)) or "0"
        try:
            amount = parse_decimal(raw)
        except MoneyError:
            errors["f-amount"] = f"{raw!r} is not an amount like 12 500,00"
            return 0
        if amount < 0:
            errors["f-amount"] = "a budget cannot be negative"
            return 0
        if not currency:
            return 0
        digits = exponent(currency)
        scaled = amount.scaleb(digits)
        if scaled != scaled.to_integral_value():
            errors["f-amount"] = f"{currency} amounts have {digits} decimals at most"
            return 0
        return int(scaled)

    def _close(self, errors: dict[str, str]) -> date | None:
        raw = text_of(self.query_one("#close", Input))
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors["f-close"] = f"{raw!r} is not a date like 2026-09-30"
            return None

    def _mark(
        self, errors: dict[str, str], custom: list[tuple[FormField, str]] | None = None
    ) -> None:
        """Show each error under its field, name them all, focus the first."""
        for field_id in LABELS:
            self.query_one(f"#{field_id}", FormField).set_error(errors.get(field_id))
        marked = [self.query_one(f"#{f}", FormField) for f in errors]
        names = [LABELS[f] for f in errors]
        for holder, message in custom or ():
            holder.set_error(message)
            marked.append(holder)
            names.append(holder.label)
        self._refused(f"Please check: {', '.join(names)}" if marked else "")
        if marked:
            marked[0].control.focus()

    # -- saving -------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        args = self._validate()
        if args is not None:
            main = text_of(self.query_one("#contact", Input))
            others = [n.strip() for n in self.query_one("#contacts", TextArea).text.splitlines()]
            self._save(args, main, [n for n in others if n])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, args: dict[str, Any], main: str, others: list[str]) -> None:
        errors: dict[str, str] = {}
        ids = self._contact_ids([main] if main else [], others, errors)
        if errors:
            self.app.call_from_thread(self._mark, errors)
            return
        args["contact_id"] = ids[0] if main else None
        args["contact_ids"] = ids[1:] if main else ids
        try:
            saved = self._store_write(args)
        except ValueError as exc:  # MutationError: the store's reason, for the user
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _contact_ids(self, main: list[str], others: list[str], errors: dict[str, str]) -> list[str]:
        unknown = [n for n in main + others if n not in self.known]
        with self.ctx.store.read() as session:
            found = contacts_named(session, unknown) if unknown else {}
        ids = []
        for field_id, names in (("f-contact", main), ("f-contacts", others)):
            for name in names:
                if name in self.known:
                    ids.append(self.known[name])
                elif len(found.get(name, ())) == 1:
                    ids.append(found[name][0].id)
                else:
                    many = len(found.get(name, ()))
                    errors.setdefault(
                        field_id,
                        f"{many} contacts are named {name!r}: rename one to tell them apart"
                        if many
                        else f"no contact is named {name!r}",
                    )
        return ids

    def _store_write(self, args: dict[str, Any]) -> str:
        store = self.ctx.store
        if self.editing is None:
            return str(store.mutate("opportunity.create", args))
        update = {"id": self.editing.detail.row.id, "base_version": self.editing.version, **args}
        return str(store.mutate("opportunity.update", update))

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
