"""Tasks as an iCalendar file (RFC 5545): one VTODO per task.

Calendar programs show the due time, the description, whether the task is
done, and a reminder (VALARM) as many minutes before as the task asks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .vcard_out import escape, fold

PRODID = "-//crmtui//crmtui export//EN"


def _stamp(iso: str) -> str:
    """``2026-11-23T09:30:00Z`` -> ``20261123T093000Z`` (UTC form)."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def task_event(task: dict[str, Any]) -> str:
    """One exported task row (export.TABLES["tasks"] columns) as a VTODO."""
    lines = ["BEGIN:VTODO", f"UID:{task['id']}@crmtui", f"SUMMARY:{escape(task['title'])}"]
    if task["description"]:
        lines.append(f"DESCRIPTION:{escape(task['description'])}")
    if task["contact"]:
        lines.append(f"X-CRMTUI-CONTACT:{escape(task['contact'])}")
    if task["category"]:
        lines.append(f"CATEGORIES:{escape(task['category'])}")
    if task["due_at"]:
        lines.append(f"DUE:{_stamp(task['due_at'])}")
    if task["closed_at"]:
        lines += ["STATUS:COMPLETED", f"COMPLETED:{_stamp(task['closed_at'])}"]
    else:
        lines.append("STATUS:NEEDS-ACTION")
    if task["due_at"] and task["reminder_minutes"] != "" and not task["closed_at"]:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape(task['title'])}",
            f"TRIGGER;RELATED=END:-PT{int(task['reminder_minutes'])}M",
            "END:VALARM",
        ]
    lines.append("END:VTODO")
    return "".join(fold(line) + "\r\n" for line in lines)


class IcsWriter:
    """A VCALENDAR around the VTODOs, written as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")
        self._fh: IO[str] = self.tmp.open("w", encoding="utf-8", newline="")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self._stamp = f"DTSTAMP:{stamp}\r\n"
        self._fh.write(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\n")

    def write(self, todo: str) -> None:
        # DTSTAMP is required in every component; it is the export's time.
        head, _, rest = todo.partition("\r\n")
        self._fh.write(f"{head}\r\n{self._stamp}{rest}")

    def finish(self) -> None:
        self._fh.write("END:VCALENDAR\r\n")
        self._fh.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        self._fh.close()
        self.tmp.unlink(missing_ok=True)
