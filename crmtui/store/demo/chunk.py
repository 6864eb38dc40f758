"""One slice of the demo: its plan, its random stream and the rows it makes.

A demo store is cut into chunks of consecutive contacts. Each chunk draws from
its own generator seeded with ``(seed, chunk number)``, so a chunk is the
same whichever process builds it and in whatever order: the store depends on
the seed (and the day it is built for), never on the number of workers.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from ..bulk import PhoneRows
from .ids import uuid7
from .numbers import NumberMaker
from .reference import Reference
from .specs import INVOICE, INVOICE_LINE, ORDER

YEAR = timedelta(days=365)
HISTORY = timedelta(days=4 * 365)  # contacts were created over the last four years


@dataclass(frozen=True)
class Plan:
    seed: int
    contacts: int
    now: datetime  # aware; "today" of the demo
    region: str
    chunk_size: int
    worked: float  # share of contacts the team works with (they get a history)
    ref: Reference

    @property
    def chunks(self) -> int:
        return -(-self.contacts // self.chunk_size)


@dataclass
class Who:
    """What history needs to know of a contact."""

    id: str
    kind: str
    name: str
    country: str
    owner: str
    company_id: str | None
    currency: str
    phones: list[tuple[str, str | None]] = field(default_factory=list)  # (raw, e164)
    address: str = ""  # the first address, as invoice headers print it
    billing: str = ""  # a billing address, preferred on invoices


class Chunk:
    """The rows of one chunk, already encoded for SQLite, table by table."""

    def __init__(self, plan: Plan, index: int, phones: PhoneRows, numbers: NumberMaker) -> None:
        self.plan, self.index = plan, index
        self.rng = random.Random(f"{plan.seed}:{index}")
        self.phones, self.numbers = phones, numbers
        self.ref = plan.ref
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ORDER}
        self.rows["invoice"], self.rows["invoice_line"] = [], []
        self._encoders = {name: spec.encoder() for name, spec in ORDER.items()}
        self._encoders["invoice"] = INVOICE.encoder()
        self._encoders["invoice_line"] = INVOICE_LINE.encoder()
        self.worked: list[Who] = []
        self._cumulative: dict[int, tuple[list[Any], list[int]]] = {}

    def add(self, table: str, *values: Any) -> None:
        self.rows[table].append(self._encoders[table](values))

    def new_id(self, at: datetime) -> str:
        return uuid7(at, self.rng)

    def pick(self, weighted: tuple[tuple[Any, int], ...]) -> Any:
        """One value of ``(value, weight)`` pairs, drawn by weight."""
        found = self._cumulative.get(id(weighted))
        if found is None:
            found = self._cumulative[id(weighted)] = (
                [v for v, _ in weighted],
                list(accumulate(w for _, w in weighted)),
            )
        values, cum = found
        return values[bisect(cum, self.rng.random() * cum[-1])]

    def rep(self) -> str:
        return self.rng.choice(self.ref.reps)

    def past(self, span: timedelta, *, ahead: timedelta = timedelta(0)) -> datetime:
        """A moment in the last ``span`` (or up to ``ahead`` in the future),
        in working hours."""
        at = self.plan.now - span + (span + ahead) * self.rng.random()
        return at.replace(
            hour=self.rng.randint(7, 16),
            minute=self.rng.randrange(60),
            second=self.rng.randrange(60),
            microsecond=0,
        )
