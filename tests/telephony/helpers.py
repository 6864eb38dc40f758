"""Small builders the call-log tests share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crmtui.store import Store
from crmtui.telephony.events import CallEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def contact(store: Store, last: str, *phones: str, kind: str = "person") -> str:
    args: dict[str, Any] = {"kind": kind, "phones": [{"raw": p} for p in phones]}
    if kind == "company":
        args["company_name"] = last
    else:
        args["last_name"] = last
    return str(store.mutate("contact.create", args))


def event(
    call_id: str, remote: str, *, minutes: float = 0, source: str = "csv", **kw: Any
) -> CallEvent:
    kw.setdefault("kind", "record")
    kw.setdefault("direction", "inbound")
    kw.setdefault("status", "answered")
    return CallEvent(
        source=source,
        source_call_id=call_id,
        remote_raw=remote,
        started_at=kw.pop("started_at", T0 + timedelta(minutes=minutes)),
        **kw,
    )


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    from sqlalchemy import text

    with store.read() as session:
        return [tuple(r) for r in session.execute(text(sql), params)]
