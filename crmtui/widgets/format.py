"""How values read on screen: local times, money in the user's locale, phones."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache

from ..store.money import Money, MoneyError
from ..store.phones import format_for_display


def when(value: datetime | None, tz: tzinfo | None) -> str:
    """``2026-03-14 09:30`` in the user's time zone; blank for no time."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def money(minor: int | None, currency: str | None, locale: str) -> str:
    if minor is None or not currency:
        return ""
    try:
        return Money(minor, currency).format(locale)  # as the PDF writes it
    except (MoneyError, ValueError):
        return f"{minor} {currency}"


@lru_cache(maxsize=4096)  # parsing a number costs more than drawing its whole row
def phone(raw: str, e164: str | None, region: str) -> str:
    return format_for_display(raw, e164, region) if raw else ""


def duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes}:{secs:02d}"
