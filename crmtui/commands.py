"""Every command the user can give, in one registry.

The registry feeds three things, so they never disagree: each screen's
``BINDINGS`` (and so the footer and the ``?`` key panel), the command palette
(``ctrl+p``), and the ``[keymap]`` table of the config file, whose keys are
the command ids below (``contacts.new_person = "ctrl+n"``).

Keys avoid what terminals and multiplexers swallow (``ctrl+j``, ``ctrl+o``,
``ctrl+s``); screens switch with the digits so that letters stay free for
actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class Command:
    id: str  # the binding id, and the name used in the [keymap] config table
    keys: str  # default keys, comma-separated aliases ("down,j")
    action: str  # the Textual action run on the scope's node
    title: str  # short, for the footer
    help: str  # a sentence, for the palette
    scope: str  # "app" or the SCOPE of a screen
    footer: bool = True


def _c(id: str, keys: str, action: str, title: str, help: str, footer: bool = True) -> Command:
    return Command(id, keys, action, title, help, id.split(".")[0], footer)


COMMANDS: tuple[Command, ...] = (
    # The mode bar at the top shows the screen keys, so the footer leaves them out.
    _c(
        "app.contacts",
        "1",
        "switch_mode('contacts')",
        "Contacts",
        "Show people and companies",
        footer=False,
    ),
    _c(
        "app.activities",
        "2",
        "switch_mode('activities')",
        "Activities",
        "Show the history of activities",
        footer=False,
    ),
    _c("app.tasks", "3", "switch_mode('tasks')", "Tasks", "Show the to-do list", footer=False),
    _c(
        "app.opportunities",
        "4",
        "switch_mode('opportunities')",
        "Deals",
        "Show the opportunities",
        footer=False,
    ),
    _c(
        "app.invoices",
        "5",
        "switch_mode('invoices')",
        "Invoices",
        "Show the invoices",
        footer=False,
    ),
    _c("app.calls", "6", "switch_mode('calls')", "Calls", "Show the calls", footer=False),
    _c("app.help", "question_mark", "toggle_help", "Keys", "Show or hide every key binding"),
    _c("app.search", "slash", "search", "Search", "Search on the current screen", footer=False),
    _c("contacts.new_person", "n", "new_person", "New person", "Create a person"),
    _c("contacts.new_company", "N", "new_company", "New company", "Create a company", footer=False),
    _c("contacts.edit", "e", "edit", "Edit", "Edit the highlighted contact"),
    _c("contacts.delete", "d", "delete", "Delete", "Delete the highlighted contact", footer=False),
    _c("contacts.log_activity", "a", "log_activity", "Log", "Log an activity on the contact"),
    _c(
        "contacts.new_task",
        "t",
        "new_task",
        "Task",
        "Create a task for the highlighted or marked contacts",
    ),
    _c(
        "contacts.filters",
        "f",
        "toggle_filters",
        "Filter",
        "Filter by type, tag, temperature, responsible",
    ),
    _c("contacts.sort", "s", "next_sort", "Sort", "Change the sort order", footer=False),
    _c(
        "contacts.clear_marks",
        "u",
        "clear_marks",
        "Unmark",
        "Unmark every marked contact",
        footer=False,
    ),
    _c("contact.edit", "e", "edit", "Edit", "Edit this contact"),
    _c("contact.delete", "d", "delete", "Delete", "Delete this contact"),
    _c("contact.log_activity", "a", "log_activity", "Log", "Log an activity on this contact"),
    _c("contact.new_task", "t", "new_task", "Task", "Create a task for this contact"),
    _c("contact.back", "escape", "back", "Back", "Back to the list"),
    _c(
        "activities.log_activity",
        "a",
        "log_activity",
        "Log",
        "Log an activity on the highlighted activity's contact",
    ),
    _c(
        "activities.filters",
        "f",
        "toggle_filters",
        "Filter",
        "Filter by type, status, dates and user",
    ),
    _c(
        "activities.delete",
        "d",
        "delete",
        "Delete",
        "Delete the highlighted activity",
        footer=False,
    ),
    _c("tasks.new", "n", "new_task", "New task", "Create a task"),
    _c(
        "tasks.toggle",
        "x",
        "toggle_closed",
        "Close/reopen",
        "Close the highlighted task, or reopen it",
    ),
    _c("tasks.edit", "e", "edit", "Edit", "Edit the highlighted task"),
    _c("tasks.delete", "d", "delete", "Delete", "Delete the highlighted task", footer=False),
    _c(
        "tasks.next_list",
        "right,l",
        "next_list(1)",
        "Next list",
        "Overdue, today, this week, later, closed",
        footer=False,
    ),
    _c(
        "tasks.previous_list",
        "left,h",
        "next_list(-1)",
        "Previous list",
        "Overdue, today, this week, later, closed",
        footer=False,
    ),
)


def for_scope(scope: str) -> list[Command]:
    return [c for c in COMMANDS if c.scope == scope]


def bindings(scope: str) -> list[Binding]:
    """The ``BINDINGS`` of a screen (or the app), built from the registry."""
    return [
        Binding(c.keys, c.action, c.title, show=c.footer, id=c.id, tooltip=c.help)
        for c in for_scope(scope)
    ]
