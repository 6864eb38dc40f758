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
    _c(
        "app.telephony",
        "ctrl+t",
        "telephony",
        "Phone",
        "Show the telephony panel (again: go to it, then hide it)",
        footer=False,
    ),
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
    _c(
        "contact.new_invoice",
        "i",
        "new_invoice",
        "Invoice",
        "Create an invoice for this contact",
        footer=False,
    ),
    _c(
        "contact.follow",
        "f",
        "follow",
        "Follow",
        "Follow or unfollow this contact: be told when others change it",
        footer=False,
    ),
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
    _c("opportunities.toggle_board", "b", "toggle_board", "Board/list", "Switch board and list"),
    _c("opportunities.new", "n", "new_deal", "New deal", "Create an opportunity"),
    _c("opportunities.edit", "e", "edit", "Edit", "Edit the highlighted opportunity"),
    _c(
        "opportunities.delete",
        "d",
        "delete",
        "Delete",
        "Delete the highlighted opportunity",
        footer=False,
    ),
    _c(
        "opportunities.next_stage",
        "shift+right,greater_than_sign",
        "move(1)",
        "Stage →",
        "Move the highlighted opportunity to the next stage",
    ),
    _c(
        "opportunities.previous_stage",
        "shift+left,less_than_sign",
        "move(-1)",
        "← Stage",
        "Move the highlighted opportunity to the previous stage",
        footer=False,
    ),
    _c("opportunities.win", "w", "win", "Won", "Mark the highlighted opportunity won"),
    _c("opportunities.lose", "x", "lose", "Lost", "Mark the highlighted opportunity lost"),
    _c(
        "opportunities.next_column",
        "right,l",
        "column(1)",
        "Next column",
        "Go to the board's next stage column",
        footer=False,
    ),
    _c(
        "opportunities.previous_column",
        "left,h",
        "column(-1)",
        "Previous column",
        "Go to the board's previous stage column",
        footer=False,
    ),
    _c("deal.edit", "e", "edit", "Edit", "Edit this opportunity"),
    _c("deal.delete", "d", "delete", "Delete", "Delete this opportunity", footer=False),
    _c("deal.log_activity", "a", "log_activity", "Log", "Log an activity on this opportunity"),
    _c("deal.new_task", "t", "new_task", "Task", "Create a task on this opportunity"),
    _c("deal.win", "w", "win", "Won", "Mark this opportunity won", footer=False),
    _c("deal.lose", "x", "lose", "Lost", "Mark this opportunity lost", footer=False),
    _c("deal.contact", "o", "open_contact", "Contact", "Open the opportunity's contact"),
    _c("deal.new_invoice", "i", "new_invoice", "Invoice", "Create an invoice for this opportunity"),
    _c(
        "deal.follow",
        "f",
        "follow",
        "Follow",
        "Follow or unfollow this opportunity: be told when others change it",
        footer=False,
    ),
    _c("deal.back", "escape", "back", "Back", "Back to where you were"),
)


# The calls screen and the telephony panel (screens/calls, screens/telephony).
COMMANDS += (
    _c("calls.missed", "m", "toggle_filter('missed')", "Missed", "Only missed inbound calls"),
    _c("calls.today", "t", "toggle_filter('today')", "Today", "Only today's calls"),
    _c("calls.direction", "d", "next_direction", "Direction", "All, inbound, outbound, internal"),
    _c("calls.agent", "a", "next_agent", "Agent", "All agents, then each user in turn"),
    _c(
        "calls.unmatched",
        "u",
        "toggle_filter('unmatched')",
        "Unmatched",
        "Only calls without a contact",
    ),
    _c("calls.clear", "x", "clear_filters", "All", "Clear every filter", footer=False),
    _c(
        "calls.stats",
        "s",
        "toggle_stats",
        "Stats",
        "Show or hide calls, answered, missed and talk time per agent for the calls listed",
    ),
    _c("calls.link", "l", "link", "Link", "Link the call to an existing contact"),
    _c("calls.new_contact", "n", "new_contact", "New contact", "Create a contact from the call"),
    _c("calls.call_back", "c", "call_back", "Call back", "Dial the number with the dial command"),
    _c("calls.open_contact", "o", "open_contact", "Contact", "Open the call's contact"),
    _c("telephony.create", "n", "create_caller", "Create", "Create a contact for the new caller"),
    _c("telephony.open", "enter,o", "open_card", "Open", "Open the caller's contact"),
    _c("telephony.wrapup", "w", "wrapup", "Wrap-up", "Fill the wrap-up of the popped call"),
    _c("telephony.leave", "escape", "leave", "Leave", "Back to the screen"),
)


# Sync and notifications (screens/sync, screens/notifications.py), pushed over any screen.
COMMANDS += (
    _c("app.sync", "7", "sync", "Sync", "Show the outbox, refusals and conflicts", footer=False),
    _c(
        "app.notifications",
        "8",
        "notifications",
        "Notifications",
        "What others did to the contacts and deals you follow",
        footer=False,
    ),
    _c("sync.reapply", "r", "reapply", "Re-apply mine", "Write my value of the conflict again"),
    _c("sync.dismiss", "x", "dismiss", "Dismiss", "Keep the value that won; drop the conflict"),
    _c("sync.now", "s", "sync_now", "Sync now", "Push and pull at once"),
    _c("sync.back", "escape", "back", "Back", "Back to where you were"),
    _c("notifications.open", "enter,o", "open", "Open", "Open the record and mark it read"),
    _c("notifications.read", "r", "mark_read", "Read", "Mark the highlighted one read"),
    _c("notifications.read_all", "R", "mark_all_read", "All read", "Mark every one read"),
    _c("notifications.back", "escape", "back", "Back", "Back to where you were"),
)


# The invoices screen and the invoice editor (screens/invoices).
COMMANDS += (
    _c("invoices.new", "n", "new_invoice", "New", "Create an invoice (pick its client)"),
    _c("invoices.edit", "e", "edit", "Open", "Open the highlighted invoice in the editor"),
    _c("invoices.duplicate", "c", "duplicate", "Duplicate", "Copy the invoice into a new draft"),
    _c("invoices.delete", "d", "delete", "Delete", "Delete the highlighted draft", footer=False),
    _c("invoices.bill", "b", "set_status('billed')", "Bill", "Mark the invoice billed"),
    _c("invoices.paid", "p", "set_status('paid')", "Paid", "Mark the invoice paid"),
    _c(
        "invoices.reject",
        "r",
        "set_status('rejected')",
        "Rejected",
        "Mark the invoice rejected",
        footer=False,
    ),
    _c("invoices.pdf", "w", "pdf", "PDF", "Write the invoice as PDF (in its language)"),
    _c("invoices.send", "m", "send", "E-mail", "E-mail the invoice's PDF to the client (SMTP)"),
    _c(
        "invoices.next_list",
        "right,l",
        "next_list(1)",
        "Next filter",
        "All, draft, billed, overdue, paid, rejected",
        footer=False,
    ),
    _c(
        "invoices.previous_list",
        "left,h",
        "next_list(-1)",
        "Previous filter",
        "All, draft, billed, overdue, paid, rejected",
        footer=False,
    ),
    _c("invoice.save", "f2", "save", "Save", "Save the invoice"),
    _c("invoice.client", "f3", "pick_client", "Client", "Pick the client from the contacts"),
    _c("invoice.product", "f4", "pick_product", "Product", "Fill the current line from a product"),
    _c("invoice.add_line", "f5", "add_line", "Add line", "Add a line under the current one"),
    _c("invoice.remove_line", "f6", "remove_line", "Remove line", "Remove the current line"),
    _c("invoice.cancel", "escape", "cancel", "Close", "Close the editor without saving"),
)

# The admin settings screen (screens/settings), pushed over any main screen.
COMMANDS += (
    _c("app.settings", "comma", "settings", "Settings", "Open the admin settings", footer=False),
    _c("settings.new", "n", "new", "New", "Add a record to the current section"),
    _c("settings.edit", "e", "edit", "Edit", "Edit the highlighted record (or enter)"),
    _c("settings.delete", "d", "delete", "Delete", "Delete the highlighted record"),
    _c("settings.merge", "m", "merge", "Merge", "Merge the highlighted tag into another"),
    _c("settings.move_up", "shift+up", "move(-1)", "Move up", "Move the highlighted one up"),
    _c(
        "settings.move_down",
        "shift+down",
        "move(1)",
        "Move down",
        "Move the highlighted one down",
        footer=False,
    ),
    _c("settings.back", "escape", "back", "Back", "Close the settings"),
)


# Duplicates and reports (screens/duplicates.py, screens/reports), pushed over any screen.
COMMANDS += (
    _c(
        "app.duplicates",
        "0",
        "duplicates",
        "Duplicates",
        "Find duplicate contacts and merge them",
        footer=False,
    ),
    _c(
        "app.reports",
        "9",
        "reports",
        "Reports",
        "Write xlsx reports; preview funnel and forecast",
        footer=False,
    ),
    _c("duplicates.keep", "k", "keep", "Keep", "Keep the highlighted record of the group"),
    _c("duplicates.merge", "m", "merge", "Merge", "Merge the highlighted group (asks first)"),
    _c("duplicates.merge_all", "M", "merge_all", "Merge all", "Merge every group (asks first)"),
    _c("duplicates.find_again", "r", "find_again", "Find again", "Search for duplicates again"),
    _c("duplicates.back", "escape", "back", "Back", "Back to where you were"),
    _c("reports.run", "f2", "run", "Write", "Write the chosen report to the xlsx file"),
    _c("reports.this_month", "f3", "period('this_month')", "This month", "Period: this month"),
    _c("reports.last_month", "f4", "period('last_month')", "Last month", "Period: last month"),
    _c(
        "reports.this_quarter",
        "f5",
        "period('this_quarter')",
        "Quarter",
        "Period: this quarter",
    ),
    _c("reports.this_year", "f6", "period('this_year')", "Year", "Period: this year"),
    _c("reports.back", "escape", "back", "Back", "Back to where you were"),
)


def for_scope(scope: str) -> list[Command]:
    return [c for c in COMMANDS if c.scope == scope]


def bindings(scope: str) -> list[Binding]:
    """The ``BINDINGS`` of a screen (or the app), built from the registry."""
    return [
        Binding(c.keys, c.action, c.title, show=c.footer, id=c.id, tooltip=c.help)
        for c in for_scope(scope)
    ]
