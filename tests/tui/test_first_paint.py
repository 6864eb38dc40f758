"""The contacts list paints before SQLAlchemy, SQLModel and pydantic are
imported: together they cost a good part of a second of every launch. The app
runs in a fresh interpreter, as a launch does, and reports what it had
imported when the first rows were handed to the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crmtui.store import Store

SCRIPT = """
import asyncio, json, sys, tempfile
from pathlib import Path

import crmtui.app
from crmtui.app import CrmApp
from crmtui.store import open_store

# The services start after the paint that shows the first rows, or after this
# long at the latest: on a busy test machine the fallback must not come first.
crmtui.app.DESKS_LATEST_S = 600

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")


async def main(path):
    store = open_store(path, create=False)
    app = CrmApp(store, config_file=Path(tempfile.mkdtemp()) / "config.toml")
    seen = {}
    display = app._display

    def spy(screen, update):
        display(screen, update)
        rows = screen.query("#list") and screen.query_one("#list").row_at(0)
        if rows and not seen:
            seen.update(row=rows.display_name, heavy=[m for m in HEAVY if m in sys.modules])

    app._display = spy
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(400):
            if seen:
                break
            await pilot.pause(0.05)
    store.close()
    print(json.dumps(seen))


asyncio.run(main(Path(sys.argv[1])))
"""


def test_the_contacts_list_paints_before_the_orm_is_imported(store: Store, tmp_path: Path):
    store.mutate("contact.create", {"first_name": "Ada", "last_name": "Lovelace"})
    store.close()
    script = tmp_path / "first_paint.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(store.path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["row"] == "Ada Lovelace"
    assert seen["heavy"] == []
