"""The Duplicates screen: groups of likely duplicate contacts, merged with a key.

The groups are found in a worker (``exchange.duplicates.find_groups``: the same
number, the same e-mail, the same name at the same company). The top table
lists them with why each was grouped; the bottom one shows the highlighted
group's records with their phones, e-mails and what points at them, read in
another worker. ``k`` (or enter on a record) chooses the one to keep (the
oldest by default), ``m`` merges the group and ``M`` every group, each after a
confirmation, through the ``contact.merge`` mutation; the groups are then
found again.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from .. import commands
from ..exchange.duplicates import Group, Member, find_groups
from ..store.mutations import MutationError
from ..store.queries.footprints import Footprint, footprints
from ..widgets.format import phone
from .base import CrmScreen, DataChanged
from .confirm import Confirm
from .context import UiContext

GROUP_COLUMNS = ("#", "Records", "Kept", "Why they look alike")
RECORD_COLUMNS = ("Keep", "Name", "Company", "Acts", "Deals", "Invoices", "Phones", "E-mails")
KEPT = "✔"


@dataclass(frozen=True, slots=True)
class Plan:
    """One merge: the record kept and the ones merged into it."""

    keep: Member
    merged: tuple[Member, ...]

    def args(self) -> dict[str, object]:
        return {"keep_id": self.keep.id, "merge_ids": [m.id for m in self.merged]}


def _describe(member: Member) -> str:
    """A record told apart from its lookalikes: name, company, when created."""
    company = f" at {member.company}" if member.company else ""
    return f"{member.display_name}{company} (created {member.created_at[:10]})"


class DuplicatesScreen(CrmScreen):
    SCOPE = "duplicates"
    TITLE_TEXT = "Duplicates"
    BINDINGS = commands.bindings("duplicates")
    CSS_PATH = "duplicates.tcss"

    groups: tuple[Group, ...] = ()
    busy = True  # searching or merging: nothing to act on yet

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.kept: dict[str, str] = {}  # group (its oldest member's id) -> the id kept
        self.prints: dict[str, Footprint] = {}
        self.asking = False  # a confirmation is open: coming back is no reason to search

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self.asking:  # back from the confirmation: keep what is shown (or being merged)
            self.asking = False
            event.prevent_default()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="dup-status")
        yield DataTable(id="dup-groups", cursor_type="row", zebra_stripes=True)
        yield Static("Records", id="dup-records-title", classes="section-title")
        yield DataTable(id="dup-records", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#dup-groups", DataTable).add_columns(*GROUP_COLUMNS)
        self.query_one("#dup-records", DataTable).add_columns(*RECORD_COLUMNS)
        self.query_one("#dup-groups", DataTable).focus()
        # The search starts when the screen is shown (CrmScreen.on_screen_resume).

    # -- finding --------------------------------------------------------------------

    def refresh_data(self) -> None:
        self._set_busy("Searching for duplicates…")
        self._find()

    def _set_busy(self, status: str) -> None:
        self.busy = True
        self.query_one("#dup-status", Static).update(Text(status, style="italic"))
        self.query_one("#dup-groups", DataTable).loading = True
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="duplicates-find", exit_on_error=False)
    def _find(self) -> None:
        with self.store.read() as session:
            groups = tuple(find_groups(session))
        if not get_current_worker().is_cancelled:  # a newer search is on its way
            self.app.call_from_thread(self._show, groups)

    def _show(self, groups: tuple[Group, ...]) -> None:
        self.groups, self.busy = groups, False
        self.prints.clear()
        table = self.query_one("#dup-groups", DataTable)
        table.loading = False
        row = table.cursor_row
        table.clear()
        for n, group in enumerate(groups, 1):
            table.add_row(
                str(n),
                str(len(group.members)),
                self._plan(group).keep.display_name,
                "; ".join(group.reasons),
            )
        if groups:
            table.move_cursor(row=min(max(row, 0), len(groups) - 1))
        found = f"{len(groups)} group(s) of likely duplicates" if groups else "No duplicates found"
        hint = " · tab to the records, k keeps the highlighted one" if groups else ""
        self.query_one("#dup-status", Static).update(found + hint)
        self.show_detail(found)
        self._show_records()
        self.refresh_bindings()

    # -- the highlighted group's records --------------------------------------------

    def _group(self) -> Group | None:
        row = self.query_one("#dup-groups", DataTable).cursor_row
        return self.groups[row] if not self.busy and 0 <= row < len(self.groups) else None

    def _plan(self, group: Group) -> Plan:
        kept_id = self.kept.get(group.keep.id, group.keep.id)
        keep = next((m for m in group.members if m.id == kept_id), group.keep)
        return Plan(keep, tuple(m for m in group.members if m is not keep))

    @on(DataTable.RowHighlighted, "#dup-groups")
    def _group_highlighted(self) -> None:
        self._show_records()

    def _show_records(self) -> None:
        group = self._group()
        records = self.query_one("#dup-records", DataTable)
        if group is None:
            records.clear()
            self.query_one("#dup-records-title", Static).update("Records")
            return
        missing = [m.id for m in group.members if m.id not in self.prints]
        if missing:
            self._read_footprints(missing)
        self._fill_records(group)

    @work(thread=True, exclusive=True, group="duplicates-records", exit_on_error=False)
    def _read_footprints(self, ids: list[str]) -> None:
        with self.store.read() as session:
            found = footprints(session, ids)
        self.app.call_from_thread(self._footprints_read, found)

    def _footprints_read(self, found: dict[str, Footprint]) -> None:
        self.prints.update(found)
        group = self._group()
        if group is not None:
            self._fill_records(group)

    def _fill_records(self, group: Group) -> None:
        plan = self._plan(group)
        records = self.query_one("#dup-records", DataTable)
        row = records.cursor_row
        records.clear()
        for member in group.members:
            records.add_row(*self._record_row(member, member is plan.keep))
        records.move_cursor(row=min(max(row, 0), len(group.members) - 1))
        self.query_one("#dup-records-title", Static).update(
            f"Records · {plan.keep.display_name} is kept, "
            f"{len(plan.merged)} merged into it and deleted"
        )

    def _record_row(self, member: Member, kept: bool) -> tuple[Text | str, ...]:
        fp = self.prints.get(member.id)
        style = "bold" if kept else ""
        cells: tuple[Text | str, ...] = (
            Text(KEPT if kept else "", style="bold green"),
            Text(member.display_name, style=style),
            member.company,
        )
        if fp is None:
            return (*cells, "…", "…", "…", "", "")
        phones = ", ".join(phone(raw, e164, self.ctx.region) for raw, e164 in fp.phones)
        counts = (fp.activities, fp.deals, fp.invoices)
        return (
            *cells,
            *(Text(str(n), justify="right") for n in counts),
            phones,
            ", ".join(fp.emails),
        )

    # -- keys -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"keep", "merge"} and self._group() is None:
            return None
        if action == "merge_all" and (self.busy or not self.groups):
            return None
        if action == "find_again" and self.busy:
            return None
        return True

    @on(DataTable.RowSelected, "#dup-records")
    def action_keep(self) -> None:
        group = self._group()
        if group is None:
            return
        row = self.query_one("#dup-records", DataTable).cursor_row
        if 0 <= row < len(group.members):
            self.kept[group.keep.id] = group.members[row].id
            self._fill_records(group)
            groups = self.query_one("#dup-groups", DataTable)
            groups.update_cell_at((groups.cursor_row, 2), group.members[row].display_name)

    def action_merge(self) -> None:
        group = self._group()
        if group is None:
            return
        plan = self._plan(group)
        merged = "\n".join(f"  {_describe(m)}" for m in plan.merged)
        question = (
            f"Keep {_describe(plan.keep)}\nand merge into it:\n{merged}\n\n"
            "Their phones, e-mails, tags, activities, calls, tasks, deals and invoices "
            "move onto the kept record; the others are deleted."
        )
        self._ask(question, "Merge", [plan])

    def action_merge_all(self) -> None:
        plans = [self._plan(g) for g in self.groups]
        records = sum(len(p.merged) for p in plans)
        question = (
            f"Merge all {len(plans)} group(s)? {records} record(s) will be merged into the "
            "kept one of their group (✔) and deleted."
        )
        self._ask(question, "Merge all", plans)

    def _ask(self, question: str, yes: str, plans: list[Plan]) -> None:
        self.asking = True
        self.app.push_screen(
            Confirm(question, yes=yes, no="Cancel"),
            lambda merge: self._merge(plans) if merge else None,
        )

    def action_find_again(self) -> None:
        self.refresh_data()

    def action_back(self) -> None:
        self.dismiss()

    # -- merging --------------------------------------------------------------------

    def _merge(self, plans: list[Plan]) -> None:
        self._set_busy(f"Merging {len(plans)} group(s)…")
        self._run_merges(plans)

    @work(thread=True, group="duplicates-merge", exit_on_error=False)
    def _run_merges(self, plans: list[Plan]) -> None:
        refused: list[str] = []
        for n, plan in enumerate(plans, 1):
            try:
                self.store.mutate("contact.merge", plan.args())
            except MutationError as exc:
                refused.append(f"{plan.keep.display_name}: {exc}")
            if n % 10 == 0 or n == len(plans):
                self.app.call_from_thread(self._progress, n, len(plans))
        self.app.call_from_thread(self._merged, len(plans) - len(refused), refused)

    def _progress(self, done: int, total: int) -> None:
        status = Text(f"Merging… {done} of {total} group(s)", style="italic")
        self.query_one("#dup-status", Static).update(status)

    def _merged(self, done: int, refused: list[str]) -> None:
        self.kept.clear()
        if done:
            self.notify(f"Merged {done} group(s)")
        if refused:
            self.notify("\n".join(refused[:5]), title="Not merged", severity="error", timeout=10)
        self.post_message(DataChanged())  # finds the groups again
