"""Create or edit a person or a company.

Checks that need no database run as the user types or saves: a person needs a
name, every phone must parse for the store's region (and is shown formatted),
every e-mail must look like one, every custom field (defined in the settings)
must hold a value of its kind. A person's company is picked from the companies
matching what is typed (:mod:`crmtui.widgets.company_field`). The store's own
refusal, if any, is shown under the form. Lists (phones, e-mails, addresses)
get one row per existing entry plus an empty one, so editing never drops data
the form cannot show.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, SelectionList, Static

from ..store.mutations.args import check_email
from ..store.phones import format_for_display, normalise
from ..store.queries.contact_detail import ContactDetail
from ..store.queries.lookups import Choice, Choices, choices
from ..store.queries.settings_lists import CustomFieldRow, custom_fields
from ..store.sql import connection_of
from ..widgets.company_field import CompanyField, resolve
from ..widgets.custom_fields import CustomFieldInputs
from ..widgets.form import FormField, options, selected, text_of
from ..widgets.workers import ReportsWorkerErrors
from .context import UiContext

ACCESS = [
    ("public, editable", "public_rw"),
    ("public, read-only", "public_ro"),
    ("private", "private"),
]
TEMPERATURES = ("cold", "warm", "hot")


class ContactForm(ReportsWorkerErrors, ModalScreen[str | None]):
    """Returns the id of the saved contact, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(self, ctx: UiContext, kind: str, detail: ContactDetail | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.kind = detail.kind if detail else kind
        self.detail = detail

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.detail
        verb = "Edit" if d else "New"
        with VerticalScroll(classes="form"):
            yield Static(f"{verb} {self.kind}", classes="form-title")
            if self.kind == "person":
                with Horizontal(classes="form-row"):
                    yield FormField("First name", Input(d.first_name if d else "", id="first"))
                    yield FormField(
                        "Last name", Input(d.last_name if d else "", id="last"), id="f-last"
                    )
                with Horizontal(classes="form-row"):
                    yield CompanyField(self.ctx.store, d.company if d else None, id="company-field")
                    yield FormField("Title", Input(d.title if d else "", id="title"))
            else:
                yield FormField(
                    "Company name", Input(d.company_name if d else "", id="cname"), id="f-cname"
                )
            yield from self._phone_rows()
            yield from self._email_rows()
            yield from self._address_rows()
            yield from self._classification()
            values = {c.field_id: c.value for c in d.custom} if d else {}
            yield CustomFieldInputs(values, id="custom-fields")
            yield FormField("Website", Input(d.website if d else "", id="website"))
            yield FormField("Description", Input(d.description if d else "", id="description"))
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def _phone_rows(self) -> ComposeResult:
        phones = [(p.label, p.raw) for p in self.detail.phones] if self.detail else []
        for i, (label, raw) in enumerate([*phones, ("mobile", "")]):
            yield FormField(
                f"Phone {i + 1} ({label})",
                Input(
                    raw, classes="phone", name=label, placeholder="as dialled, e.g. 06 12 34 56 78"
                ),
                id=f"f-phone-{i}",
            )

    def _email_rows(self) -> ComposeResult:
        emails = [(e.label, e.address) for e in self.detail.emails] if self.detail else []
        for i, (label, address) in enumerate([*emails, ("work", "")]):
            yield FormField(
                f"E-mail {i + 1} ({label})",
                Input(address, classes="email", name=label),
                id=f"f-email-{i}",
            )

    def _address_rows(self) -> ComposeResult:
        addresses = list(self.detail.addresses) if self.detail else []
        for i in range(len(addresses) + 1):
            a = addresses[i] if i < len(addresses) else None
            with Horizontal(classes="form-row address", name=a.label if a else "work"):
                yield FormField(f"Street {i + 1}", Input(a.street if a else "", classes="street"))
                yield FormField("Postcode", Input(a.postcode if a else "", classes="postcode"))
                yield FormField("City", Input(a.city if a else "", classes="city"))
                yield FormField(
                    "Country",
                    Input(
                        a.country if a else "", classes="country", max_length=2, placeholder="FR"
                    ),
                )

    def _classification(self) -> ComposeResult:
        d = self.detail
        with Horizontal(classes="form-row"):
            yield FormField("Type", Select([], id="type", prompt="(none)"))
            yield FormField(
                "Temperature",
                Select(
                    [(t, t) for t in TEMPERATURES],
                    value=d.temperature if d and d.temperature else Select.NULL,
                    id="temperature",
                    prompt="(none)",
                ),
            )
            yield FormField(
                "Access",
                Select(
                    ACCESS, value=d.access if d else "public_rw", allow_blank=False, id="access"
                ),
            )
        yield FormField("Tags (comma-separated)", Input(", ".join(d.tags) if d else "", id="tags"))
        yield FormField(
            "Responsible users",
            SelectionList[str](id="responsible"),
            hint="space ticks a user; none means you",
            id="f-responsible",
        )

    # -- choices ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.query(Input).first().focus()
        self._load_choices()

    @work(thread=True, exclusive=True, group="form-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.ctx.store.read() as session:
            found = choices(connection_of(session))
            fields = custom_fields(session, "contact")
        self.app.call_from_thread(self._fill, found, fields)

    def _fill(self, found: Choices, fields: tuple[CustomFieldRow, ...]) -> None:
        d = self.detail
        self.query_one(CustomFieldInputs).show(fields)
        kind = self.query_one("#type", Select)
        kind.set_options(options(found.contact_types))
        if d and d.type_id:
            kind.value = d.type_id
        if found.temperatures:
            temp = self.query_one("#temperature", Select)
            temp.set_options([(c.name, c.name) for c in found.temperatures])
            if d and d.temperature:
                temp.value = d.temperature
        chosen = {u.id for u in d.responsible} if d else {found.me}
        users = self.query_one("#responsible", SelectionList)
        users.add_options([(u.name, u.id, u.id in chosen) for u in found.users])

    # -- checking as you go -------------------------------------------------------

    @on(Input.Changed, ".phone")
    def _phone_changed(self, event: Input.Changed) -> None:
        field = event.input.parent
        if isinstance(field, FormField):
            field.set_error(None)
            field.set_hint(self._phone_hint(event.value))

    def _phone_hint(self, raw: str) -> str:
        if not raw.strip():
            return ""
        phone = normalise(raw, self.ctx.region)
        if not phone.valid:
            return ""
        return "→ " + format_for_display(phone.raw, phone.e164, self.ctx.region)

    def _validate(self) -> dict[str, Any] | None:
        """The mutation arguments, or None after marking the fields in error."""
        errors: list[tuple[FormField, str]] = []
        args = self._names(errors)
        args["phones"] = self._phones(errors)
        args["emails"] = self._emails(errors)
        custom = self.query_one(CustomFieldInputs)
        if custom.fields:
            args["custom"] = custom.collect(errors)
        for field, message in errors:
            field.set_error(message)
        if errors:
            errors[0][0].control.focus()
            return None
        args.update(self._rest())
        return args

    def _names(self, errors: list[tuple[FormField, str]]) -> dict[str, Any]:
        if self.kind == "company":
            name = text_of(self.query_one("#cname", Input))
            if not name:
                errors.append((self.query_one("#f-cname", FormField), "a company needs a name"))
            return {"company_name": name}
        first, last = (
            text_of(self.query_one("#first", Input)),
            text_of(self.query_one("#last", Input)),
        )
        if not (first or last):
            errors.append(
                (self.query_one("#f-last", FormField), "a person needs a first or a last name")
            )
        return {
            "first_name": first,
            "last_name": last,
            "title": text_of(self.query_one("#title", Input)),
        }

    def _phones(self, errors: list[tuple[FormField, str]]) -> list[dict[str, str]]:
        phones = []
        for widget in self.query(".phone").results(Input):
            raw = text_of(widget)
            if not raw:
                continue
            if not normalise(raw, self.ctx.region).valid:
                errors.append(
                    (
                        widget.parent,
                        f"{raw!r} is not a valid phone number "  # type: ignore[arg-type]
                        f"(region {self.ctx.region}); add +country code if foreign",
                    )
                )
            phones.append({"raw": raw, "label": widget.name or "work"})
        return phones

    def _emails(self, errors: list[tuple[FormField, str]]) -> list[dict[str, str]]:
        emails = []
        for widget in self.query(".email").results(Input):
            address = text_of(widget)
            if not address:
                continue
            try:
                emails.append({"address": check_email(address), "label": widget.name or "work"})
            except ValueError as exc:
                errors.append((widget.parent, str(exc)))  # type: ignore[arg-type]
        return emails

    def _rest(self) -> dict[str, Any]:
        addresses = []
        for row in self.query(".address").results(Horizontal):
            values = {
                k: text_of(row.query_one(f".{k}", Input))
                for k in ("street", "postcode", "city", "country")
            }
            if any(values.values()):
                values["country"] = values["country"].upper()
                addresses.append({"label": row.name or "work", **values})
        tags = [t.strip() for t in self.query_one("#tags", Input).value.split(",") if t.strip()]
        return {
            "addresses": addresses,
            "tags": tags,
            "description": text_of(self.query_one("#description", Input)),
            "website": text_of(self.query_one("#website", Input)),
            "type_id": selected(self.query_one("#type", Select)),
            "temperature": selected(self.query_one("#temperature", Select)),
            "access": self.query_one("#access", Select).value,
            "responsible_ids": list(self.query_one("#responsible", SelectionList).selected),
        }

    # -- saving -------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        args = self._validate()
        if args is not None:
            company = None
            if self.kind == "person":
                picker = self.query_one(CompanyField)
                company = (picker.typed, picker.chosen)
            self._save(args, company)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, args: dict[str, Any], company: tuple[str, Choice | None] | None) -> None:
        if company is not None:
            with self.ctx.store.read() as session:
                args["company_id"], why_not = resolve(session, *company)
            if why_not:
                self.app.call_from_thread(self._company_refused, why_not)
                return
        try:
            saved = self._store_write(args)
        except ValueError as exc:  # MutationError: the store's reason, for the user
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _store_write(self, args: dict[str, Any]) -> str:
        if self.detail is None:
            return str(self.ctx.store.mutate("contact.create", {"kind": self.kind, **args}))
        update = {"id": self.detail.id, "base_version": self.detail.version, **args}
        return str(self.ctx.store.mutate("contact.update", update))

    def _company_refused(self, message: str) -> None:
        field = self.query_one(CompanyField)
        field.field.set_error(message)
        field.query_one("#company", Input).focus()

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
