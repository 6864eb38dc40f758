"""Sections of simple lists: choice lists, tags, custom fields, users."""

from __future__ import annotations

from typing import Any

from ...store.queries.settings_lists import (
    CategoryRow,
    CustomFieldRow,
    SettingsOverview,
    TagUse,
    UserRow,
)
from .plans import Batch, Deletion, FormPlan, Spec
from .section import Section, swapped

FIELD_KINDS = (("text", "text"), ("number", "number"), ("date", "date"), ("choice", "choice"))
ROLES = (("admin", "admin"), ("user", "user"), ("read-only", "readonly"))


class Categories(Section):
    """One admin list of choices (``category.scope``)."""

    columns = ("Name",)
    actions = frozenset({"new", "edit", "delete", "move"})

    def __init__(self, scope: str, title: str, help: str, locale: str = "en_US") -> None:
        super().__init__(locale)
        self.scope = scope
        self.key = scope
        self.title = title
        self.help = help

    def rows(self, o: SettingsOverview) -> tuple[CategoryRow, ...]:
        return o.categories.get(self.scope, ())

    def cells(self, o: SettingsOverview, row: CategoryRow) -> tuple[str, ...]:
        return (row.name,)

    def _name(self, row: CategoryRow | None) -> tuple[Spec, ...]:
        return (Spec("name", "Name", value=row.name if row else "", required=True),)

    def new(self, o: SettingsOverview) -> FormPlan:
        return FormPlan(
            f"New: {self.title.lower()}",
            self._name(None),
            lambda v: [("category.create", {"scope": self.scope, **v})],
        )

    def edit(self, o: SettingsOverview, row: CategoryRow) -> FormPlan:
        return FormPlan(
            f"Rename {row.name}",
            self._name(row),
            lambda v: [("category.update", {"id": row.id, **v})],
        )

    def delete(self, o: SettingsOverview, row: CategoryRow) -> Deletion:
        return Deletion(
            f"Delete {row.name!r}? Records that use it are left without one.",
            [("category.delete", {"id": row.id})],
        )

    def move(self, o: SettingsOverview, row: CategoryRow, delta: int) -> Batch | None:
        ids = swapped([c.id for c in self.rows(o)], row.id, delta)
        return [("category.reorder", {"scope": self.scope, "ids": ids})] if ids else None


class Tags(Section):
    key = "tags"
    title = "Tags"
    columns = ("Tag", "Contacts")
    help = "Tags are created by tagging contacts; rename, merge (m) or delete them here."
    actions = frozenset({"edit", "delete", "merge"})

    def rows(self, o: SettingsOverview) -> tuple[TagUse, ...]:
        return o.tags

    def cells(self, o: SettingsOverview, row: TagUse) -> tuple[str, ...]:
        return (row.name, f"{row.contacts:,}")

    def allows(self, action: str, o: SettingsOverview, row: Any) -> bool:
        if action == "merge" and len(o.tags) < 2:
            return False
        return super().allows(action, o, row)

    def edit(self, o: SettingsOverview, row: TagUse) -> FormPlan:
        return FormPlan(
            f"Rename tag {row.name}",
            (Spec("new", "Name", value=row.name, required=True),),
            lambda v: [("tag.rename", {"old": row.name, "new": v["new"]})],
        )

    def merge(self, o: SettingsOverview, row: TagUse) -> FormPlan:
        others = tuple((t.name, t.name) for t in o.tags if t.id != row.id)
        return FormPlan(
            f"Merge tag {row.name}",
            (Spec("into", "Merge into", "choice", options=others, required=True),),
            lambda v: [("tag.merge", {"old": row.name, "into": v["into"]})],
            submit="Merge",
            note=f"The {row.contacts:,} contacts tagged {row.name!r} get the chosen tag "
            f"instead, and {row.name!r} is removed.",
        )

    def delete(self, o: SettingsOverview, row: TagUse) -> Deletion:
        return Deletion(
            f"Delete the tag {row.name!r}? {row.contacts:,} contacts lose it.",
            [("tag.delete", {"name": row.name})],
        )


class Fields(Section):
    """The custom fields of contacts or of deals."""

    columns = ("Field", "Kind", "Choices")
    actions = frozenset({"new", "edit", "delete"})

    def __init__(self, entity: str, title: str, locale: str = "en_US") -> None:
        super().__init__(locale)
        self.entity = entity
        self.key = f"{entity}_fields"
        self.title = title
        self.help = f"Extra fields on every {'deal' if entity == 'opportunity' else entity} form."

    def rows(self, o: SettingsOverview) -> tuple[CustomFieldRow, ...]:
        return tuple(f for f in o.fields if f.entity == self.entity)

    def cells(self, o: SettingsOverview, row: CustomFieldRow) -> tuple[str, ...]:
        return (row.name, row.kind, ", ".join(row.choices))

    @staticmethod
    def _choices(row: CustomFieldRow | None) -> Spec:
        return Spec(
            "choices",
            "Choices (comma-separated)",
            "list",
            list(row.choices) if row else [],
            hint="for a choice field: what the form offers, in order",
        )

    def new(self, o: SettingsOverview) -> FormPlan:
        fields = (
            Spec("name", "Name", required=True),
            Spec("kind", "Kind", "choice", "text", FIELD_KINDS, True),
            self._choices(None),
        )

        def build(v: dict[str, Any]) -> Batch:
            choices = v["choices"] if v["kind"] == "choice" else []
            return [("custom_field.create", {**v, "entity": self.entity, "choices": choices})]

        return FormPlan(f"New {self.title.lower()[:-1]}", fields, build)

    def edit(self, o: SettingsOverview, row: CustomFieldRow) -> FormPlan:
        fields = (
            Spec("name", "Name", value=row.name, required=True),
            Spec("kind", "Kind (fixed once created)", "choice", row.kind, FIELD_KINDS, locked=True),
        )
        if row.kind == "choice":
            fields = (*fields, self._choices(row))
        return FormPlan(
            f"Edit field {row.name}",
            fields,
            lambda v: [
                ("custom_field.update", {"id": row.id, **{k: v[k] for k in v if k != "kind"}})
            ],
        )

    def delete(self, o: SettingsOverview, row: CustomFieldRow) -> Deletion:
        return Deletion(
            f"Delete the field {row.name!r} and every value filled in it?",
            [("custom_field.delete", {"id": row.id})],
        )


class Users(Section):
    key = "users"
    title = "Users"
    columns = ("Name", "E-mail", "Role", "Active")
    help = "Who works in this CRM: admins change settings, read-only users change nothing."
    actions = frozenset({"new", "edit"})

    def rows(self, o: SettingsOverview) -> tuple[UserRow, ...]:
        return o.users

    def cells(self, o: SettingsOverview, row: UserRow) -> tuple[str, ...]:
        role = "read-only" if row.role == "readonly" else row.role
        return (row.name, row.email, role, "yes" if row.active else "no")

    def _fields(self, row: UserRow | None) -> tuple[Spec, ...]:
        fields = (
            Spec("name", "Name", value=row.name if row else "", required=True),
            Spec("email", "E-mail", value=row.email if row else ""),
            Spec("role", "Role", "choice", row.role if row else "user", ROLES, True),
        )
        return (*fields, Spec("active", "Active", "flag", row.active)) if row else fields

    @staticmethod
    def _args(v: dict[str, Any]) -> dict[str, Any]:
        return {**v, "email": v["email"] or None}

    def new(self, o: SettingsOverview) -> FormPlan:
        return FormPlan("New user", self._fields(None), lambda v: [("user.create", self._args(v))])

    def edit(self, o: SettingsOverview, row: UserRow) -> FormPlan:
        return FormPlan(
            f"Edit user {row.name}",
            self._fields(row),
            lambda v: [("user.update", {"id": row.id, **self._args(v)})],
        )
