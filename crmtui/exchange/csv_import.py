"""``crmtui import contacts FILE``: a CSV or vCard file into the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from ..store.db import Store
from ..store.mutations import Context
from .contact_batch import BatchPlanner
from .contact_import import ContactImporter, Policy
from .csv_contacts import ContactRowMapper, is_own_header
from .headers import MappingError, map_header, normal
from .importer import Handler, Outcome, RejectsFile, Summary, run_import
from .record_import import record_handler
from .source import CsvSource, Record, TextInfo, UnusableFile, inspect
from .vcard import VcardSource

_NAME_TARGETS = {"name", "first_name", "last_name", "company_name", "company", "grp:organization"}


class Source(Protocol):
    header: list[str]

    @property
    def bytes_read(self) -> int: ...

    def rows(self) -> Iterator[Record]: ...

    def close(self) -> None: ...


@dataclass
class Opened:
    """A file ready to import: its rows, how it was read, what to say about it."""

    source: Source
    size: int
    digest: str
    to_payload: Callable[[Any], Any]
    notes: list[str] = field(default_factory=list)


def open_contacts_csv(info: TextInfo, overrides: dict[str, str] | None = None) -> Opened:
    """Open a CSV of contacts and work out what each column holds."""
    path = info.path
    source = CsvSource(info)
    try:
        targets, unknown = map_header(source.header, overrides)
        names = {t.rsplit(":", 2)[0] if t.startswith("grp:") else t for t in targets.values()}
        if not names & _NAME_TARGETS:
            raise UnusableFile(
                f"{path}: line 1: no column holds a name (columns: {', '.join(source.header)}); "
                'say which one does with --map "Column=last_name" (or company, name...)'
            )
    except UnusableFile:
        source.close()
        raise
    mapper = ContactRowMapper(targets, own=is_own_header(source.header))
    notes = [f"read as {source.info.encoding}, columns separated by {source.delimiter!r}"]
    if unknown:
        notes.append(f"columns ignored (use --map to import them): {', '.join(unknown)}")
    return Opened(source, source.info.size, source.info.digest, mapper.map, notes)


def open_contacts(path: Path, overrides: dict[str, str] | None = None) -> Opened:
    """A vCard file (by its first line) or a CSV file."""
    info = inspect(path)
    if info.first_line.strip().upper() == "BEGIN:VCARD":
        source = VcardSource(info)
        notes = [f"vCard file read as {info.encoding}"]
        return Opened(source, info.size, info.digest, lambda card: card, notes)
    return open_contacts_csv(info, overrides)


def import_opened(
    store: Store,
    opened: Opened,
    handler: Handler,
    *,
    dry_run: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[Summary, int], None] | None = None,
    batch_size: int = 5000,
) -> Summary:
    """Run the import of an opened file; ``progress`` gets the bytes read so far."""
    rejects = RejectsFile(rejects_path, opened.source.header) if rejects_path else None
    try:

        def tick(summary: Summary) -> None:
            if progress:
                progress(summary, opened.source.bytes_read)

        return run_import(
            store,
            opened.source.rows(),
            handler,
            dry_run=dry_run,
            batch_size=batch_size,
            rejects=rejects,
            progress=tick,
        )
    finally:
        opened.source.close()
        if rejects:
            rejects.close()


def contact_handler(opened: Opened, policy: Policy) -> BatchPlanner:
    return BatchPlanner(ContactImporter(opened.to_payload, digest=opened.digest, policy=policy))


_REQUIRED = {"activities": {"subject", "details"}, "tasks": {"title"}, "opportunities": {"title"}}


def open_records_csv(path: Path, family: str, options: list[str]) -> Opened:
    """A CSV of activities, tasks or opportunities, columns named as our export
    names them or mapped with ``--map "Column=field"``."""
    from .export import TABLES  # the export's columns are the import's

    known = set(TABLES[family].columns)
    mapping = _record_map(options, known)
    source = CsvSource(inspect(path))
    columns = {c: mapping.get(normal(c), c) for c in source.header}
    if not set(columns.values()) & _REQUIRED[family]:
        source.close()
        need = " or ".join(sorted(_REQUIRED[family]))
        raise UnusableFile(f"{path}: line 1: no {need} column; name it with --map")
    unknown = [c for c, f in columns.items() if f not in known]
    notes = [f"read as {source.info.encoding}, columns separated by {source.delimiter!r}"]
    if unknown:
        notes.append(f"columns ignored (use --map to import them): {', '.join(unknown)}")

    def to_payload(row: dict[str, str]) -> dict[str, str]:
        return {columns[c]: v for c, v in row.items() if columns[c] in known}

    return Opened(source, source.info.size, source.info.digest, to_payload, notes)


def _record_map(options: list[str], known: set[str]) -> dict[str, str]:
    result = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or target.strip() not in known:
            raise MappingError(
                f'--map {option!r}: write "Column=field" with a field among '
                f"{', '.join(sorted(known))}"
            )
        result[normal(column)] = target.strip()
    return result


class _Mapped:
    """A record handler fed the mapped row instead of the raw one."""

    def __init__(self, opened: Opened, handler: Handler) -> None:
        self._opened, self._handler = opened, handler

    def __call__(self, session: Session, ctx: Context, record: Record) -> Outcome:
        record.payload = self._opened.to_payload(record.payload)
        return self._handler(session, ctx, record)


def records_handler(opened: Opened, family: str, policy: str) -> Handler:
    return _Mapped(opened, record_handler(family, digest=opened.digest, policy=policy))
