"""What can be done to the contact in view, from any screen that shows one.

A screen mixes this in and says which contact is in view; the keys (``a`` log
an activity, ``t`` new task, ``e`` edit, ``d`` delete) then work the same on
the contacts list, the contact card and the activities list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from ..widgets.virtual_list import VirtualList
from .base import CrmScreen, DataChanged

if TYPE_CHECKING:
    from ..store.queries.contact_detail import ContactDetail

# The forms are imported when first opened: a screen showing contacts paints
# without them (they bring the store's mutations and the form widgets).


class ContactActions(CrmScreen):
    _could_act = False

    @on(VirtualList.Highlighted)
    @on(VirtualList.Counted)
    def _recheck_actions(self) -> None:
        """Grey out or light up the actions when there comes (or goes) a row to
        act on; only then, because refreshing the footer on every cursor move
        would cost more than the move itself."""
        can_act = self.contact_in_view() is not None or self._has_row()
        if can_act != self._could_act:
            self._could_act = can_act
            self.refresh_bindings()

    def _has_row(self) -> bool:
        # Old rows standing in for a new listing's keep the actions lit: greying
        # them out for the few ms until the new rows come would redraw the footer
        # twice at every keystroke of a search.
        lists = self.query(VirtualList)
        return any(v.current is not None or v.standing_in for v in lists)

    def contact_in_view(self) -> tuple[str, str] | None:
        """(id, name) of the contact the keys act on, if any."""
        return None

    def contacts_for_task(self) -> list[tuple[str, str]]:
        """The contacts a new task is for: by default the one in view."""
        one = self.contact_in_view()
        return [one] if one else []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"edit", "delete", "log_activity"} and self.contact_in_view() is None:
            return None  # shown greyed out: there is no contact to act on
        return True

    def _saved(self, result: object) -> None:
        if result:
            self.post_message(DataChanged())

    def action_log_activity(self) -> None:
        contact = self.contact_in_view()
        if contact:
            from .activity_form import ActivityForm

            self.app.push_screen(ActivityForm(self.ctx, *contact), self._logged)

    def _logged(self, result: str | None) -> None:
        if result:
            self.notify("Activity logged")
            self.post_message(DataChanged())

    def action_new_task(self) -> None:
        contacts = self.contacts_for_task()
        about = contacts[0][1] if len(contacts) == 1 else f"{len(contacts)} contacts"
        from .task_form import TaskForm

        self.app.push_screen(TaskForm(self.ctx, [c[0] for c in contacts], about), self._tasks_made)

    def _tasks_made(self, count: int | None) -> None:
        if count:
            self.notify(f"{count} task{'s' if count > 1 else ''} created")
            self.post_message(DataChanged())

    def action_new_person(self) -> None:
        from .contact_form import ContactForm

        self.app.push_screen(ContactForm(self.ctx, "person"), self.contact_saved)

    def action_new_company(self) -> None:
        from .contact_form import ContactForm

        self.app.push_screen(ContactForm(self.ctx, "company"), self.contact_saved)

    def contact_saved(self, contact_id: str | None) -> None:
        if contact_id:
            self.post_message(DataChanged())

    def action_edit(self) -> None:
        contact = self.contact_in_view()
        if contact:
            self._edit(contact[0])

    @work(thread=True, exclusive=True, group="contact-edit", exit_on_error=False)
    def _edit(self, contact_id: str) -> None:
        from ..store.queries.contact_detail import contact_detail

        with self.store.read() as session:
            detail = contact_detail(session, contact_id)
        self.app.call_from_thread(self._open_form, detail)

    def _open_form(self, detail: ContactDetail | None) -> None:
        if detail is None:
            self.notify("That contact no longer exists", severity="warning")
            self.post_message(DataChanged())
            return
        from .contact_form import ContactForm

        self.app.push_screen(ContactForm(self.ctx, detail.kind, detail), self.contact_saved)

    def action_delete(self) -> None:
        contact = self.contact_in_view()
        if contact:
            contact_id, name = contact
            from .confirm import Confirm

            self.app.push_screen(
                Confirm(
                    f"Delete {name} with its phones, e-mails and addresses? "
                    "Its activities and tasks stay, unlinked."
                ),
                lambda yes: self._delete(contact_id, name) if yes else None,
            )

    def _delete(self, contact_id: str, name: str) -> None:
        self.mutate("contact.delete", {"id": contact_id}, then=lambda _: self.contact_deleted(name))

    def contact_deleted(self, name: str) -> None:
        self.notify(f"Deleted {name}")
