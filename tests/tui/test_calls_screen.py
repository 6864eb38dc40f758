"""The calls screen: one-key filters, the wrap-up, linking an unmatched call,
creating a contact from a call, and calling back through the dial command."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from crmtui.screens.calls.caller_form import CallerForm
from crmtui.screens.calls.wrapup_form import WrapupForm
from crmtui.screens.contact_picker import ContactPicker

from .conftest import NOW, SIZE, list_text, notifications, settle, type_text


def seed(store) -> dict[str, str]:
    with store.read() as session:
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "name": "Ada"})
    bob = store.mutate("user.create", {"name": "Bob"})
    acme = store.mutate(
        "contact.create",
        {"kind": "company", "company_name": "Acme SA", "phones": [{"raw": "01 42 68 53 00"}]},
    )
    zoe = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "company_id": acme,
            "phones": [{"raw": "06 12 34 56 78"}],
        },
    )

    def call(n: int, hours: float, **kw) -> str:
        args = {
            "source": "test",
            "source_call_id": str(n),
            "started_at": NOW - timedelta(hours=hours),
        }
        return store.mutate("call.log", {**args, **kw}).call_ids[0]

    ids = {
        "zoe": call(1, 1, contact_id=acme, remote_raw="0612345678", remote_e164="+33612345678",
                    agent_id=me, duration_s=312, billsec_s=300),
        "stranger": call(2, 2, status="missed", remote_raw="+33 6 99 88 77 66",
                         remote_e164="+33699887766", remote_name="Alice Dupont"),
        "out": call(3, 30, direction="outbound", contact_id=acme, remote_raw="0142685300",
                    remote_e164="+33142685300", agent_id=bob, duration_s=60, billsec_s=55),
        "voicemail": call(4, 50, status="voicemail", remote_raw="+48601234567",
                          remote_e164="+48601234567"),
    }  # fmt: skip
    return {**ids, "acme": acme, "zoe_id": zoe, "me": me, "bob": bob}


def numbers_shown(app) -> list[str]:
    lines = list_text(app).splitlines()[1:]
    return [line.split()[3] if len(line.split()) > 3 else "" for line in lines if line.strip()]


async def open_calls(pilot) -> None:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)


async def test_filters_by_key(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        assert "4 calls" in str(app.screen.query_one("#count").render())
        shown = list_text(app)
        assert "Acme SA" in shown and "(Alice Dupont)" in shown and "+48 601 234 567" in shown

        async def count_after(*keys: str) -> int:
            await pilot.press(*keys)
            await settle(pilot)
            return app.screen.list.total

        assert await count_after("m") == 2  # missed and voicemail
        assert await count_after("t") == 1  # ...of today: only the stranger
        assert "Calls: missed · today" in str(app.screen.query_one("#filters").render())
        assert await count_after("x") == 4
        assert await count_after("d") == 3  # inbound
        assert await count_after("d") == 1  # outbound
        assert "out" in list_text(app) and "Bob" in list_text(app)
        assert await count_after("d", "d") == 4  # internal (none), then all again
        assert await count_after("a") == 1  # Ada
        assert await count_after("a") == 1  # Bob
        assert await count_after("a") == 4  # every agent again
        assert await count_after("u") == 2
        assert "Acme" not in list_text(app)


def stats_lines(app) -> list[list[str]]:
    """The per-agent panel's rows, as words (the title line first)."""
    return [line.split() for line in list_text(app, "#stats").splitlines() if line.strip()]


async def test_per_agent_figures_follow_the_filters(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        panel = app.screen.query_one("#stats")
        assert not panel.display  # hidden until asked for
        await pilot.press("s")
        await settle(pilot)
        assert panel.display
        rows = stats_lines(app)
        assert rows[0][:3] == ["Per", "agent", "·"]
        # calls, answered, missed, talk time (billable seconds)
        assert ["(no", "agent)", "2", "0", "2", "0:00"] in rows
        assert ["Ada", "1", "1", "0", "5:00"] in rows
        assert ["Bob", "1", "1", "0", "0:55"] in rows
        assert rows[2] == ["All", "agents", "4", "2", "2", "5:55"]  # the total first

        await pilot.press("t")  # today's calls only: the figures follow the list
        await settle(pilot)
        rows = stats_lines(app)
        assert "today" in rows[0]
        assert ["Ada", "1", "1", "0", "5:00"] in rows
        assert ["(no", "agent)", "1", "0", "1", "0:00"] in rows
        assert not any(r and r[0] == "Bob" for r in rows)

        await pilot.press("x", "d", "d")  # outbound calls
        await settle(pilot)
        assert stats_lines(app)[1:] == [["Agent", "Calls", "Answered", "Missed", "Talk"],
                                        ["Bob", "1", "1", "0", "0:55"]]  # fmt: skip

        await pilot.press("s")
        await settle(pilot)
        assert not panel.display
        assert app.screen.list.has_focus  # the list keeps the keys


async def test_wrapup_is_saved(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("enter")  # the newest call: Zoé, for Acme
        await settle(pilot)
        form = app.screen
        assert isinstance(form, WrapupForm)
        assert "Acme SA" in str(form.query_one("#call-summary").render())
        await type_text(pilot, "Asked for a quote")
        form.query_one("#notes").text = "Wants 12 vans"
        form.query_one("#outcome").value = "success"
        people = form.query_one("#person")
        assert [label for label, _ in people._options[1:]] == ["Zoé Martin"]
        people.value = ids["zoe_id"]
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(app.screen, WrapupForm)
        assert "Wrap-up saved" in notifications(app)
        assert "✎" in list_text(app).splitlines()[1]
    with store.read() as session:
        row = session.execute(
            text(
                "SELECT wrapup_description, wrapup_notes, wrapup_outcome, wrapup_person_id "
                "FROM call WHERE id = :id"
            ),
            {"id": ids["zoe"]},
        ).one()
    assert tuple(row) == ("Asked for a quote", "Wants 12 vans", "success", ids["zoe_id"])


async def test_escape_skips_the_wrapup(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "not kept")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, WrapupForm)
    with store.read() as session:
        description = session.execute(
            text("SELECT wrapup_description FROM call WHERE id = :id"), {"id": ids["zoe"]}
        ).scalar_one()
    assert description == ""


async def test_link_an_unmatched_call_to_a_contact(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("u")  # unmatched: the stranger first
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ContactPicker)
        app.screen.query_one("#query").value = ""
        await type_text(pilot, "zo")
        await settle(pilot)
        hits = app.screen.query_one("#hits")
        assert hits.option_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert "Linked to Zoé Martin" in notifications(app)
        assert app.screen.list.total == 1  # only the voicemail is still unmatched
    with store.read() as session:
        linked = session.execute(
            text("SELECT contact_id FROM call WHERE id = :id"), {"id": ids["stranger"]}
        ).scalar_one()
    assert linked == ids["zoe_id"]


async def test_create_a_contact_from_a_call(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("n")  # Zoé's call has a contact: nothing to create
        await settle(pilot)
        assert not isinstance(app.screen, CallerForm)
        await pilot.press("down", "n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CallerForm)
        assert form.query_one("#first").value == "Alice"
        assert form.query_one("#last").value == "Dupont"
        await pilot.press("f2")
        await settle(pilot)
        assert "Contact created" in notifications(app)
        assert "Alice Dupont" in list_text(app).splitlines()[2]
    with store.read() as session:
        contact = session.execute(
            text(
                "SELECT ct.first_name, ct.last_name, ct.origin, p.e164 FROM call c "
                "JOIN contact ct ON ct.id = c.contact_id "
                "JOIN contact_phone p ON p.contact_id = ct.id WHERE c.id = :id"
            ),
            {"id": ids["stranger"]},
        ).one()
    assert tuple(contact) == ("Alice", "Dupont", "call", "+33699887766")


def dial_script(tmp_path: Path, exit_code: int = 0) -> tuple[Path, Path]:
    """A stand-in softphone: writes the arguments it got to a file."""
    out = tmp_path / "dialled.txt"
    script = tmp_path / "dial.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{out}"\nexit {exit_code}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, out


async def test_call_back_runs_the_dial_command_and_logs_the_attempt(
    make_app, store, config_file, tmp_path
):
    ids = seed(store)
    script, out = dial_script(tmp_path)
    config_file.write_text(f'[telephony]\ndial_command = "{script} --call tel:{{number}}"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("down", "c")  # the stranger's missed call
        await settle(pilot)
        assert any("Dialling 06 99 88 77 66" in n for n in notifications(app))
        assert app.screen.list.total == 5
        attempt = [line for line in list_text(app).splitlines() if "ringing" in line]
        assert len(attempt) == 1 and " out " in attempt[0]
    assert out.read_text().splitlines() == ["--call", "tel:+33699887766"]
    with store.read() as session:
        outbound = session.execute(
            text(
                "SELECT remote_e164, status, agent_id, contact_id FROM call "
                "WHERE source = 'callback'"
            )
        ).all()
    assert [tuple(r) for r in outbound] == [("+33699887766", "ringing", ids["me"], None)]


async def test_call_back_says_why_it_cannot(make_app, store, config_file, tmp_path):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_calls(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert any("no dial command" in n for n in notifications(app))
        script, _ = dial_script(tmp_path, exit_code=3)
        config_file.write_text(f'[telephony]\ndial_command = "{script}"\n')
        await pilot.press("c")
        await settle(pilot)
        assert any("exited with 3" in n for n in notifications(app))
    with store.read() as session:
        statuses = session.execute(text("SELECT status FROM call WHERE source = 'callback'")).all()
    assert [s for (s,) in statuses] == ["failed"]
