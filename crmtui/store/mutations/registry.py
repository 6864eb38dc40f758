"""Named mutations: the only way user data changes.

A mutation is a function ``fn(session, ctx, args)`` registered under a dotted
name (``contact.create``) with a pydantic model for its arguments. Running it
validates the arguments, applies the change and appends the validated, fully
filled-in arguments (ids and timestamps included) to the outbox, all in one
transaction. Because the outbox holds the filled-in arguments, the sync server
replays exactly the same change (same ids) with :func:`apply`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func
from sqlmodel import Session, select

from ..models import OutboxEntry, SyncState, utcnow


class MutationError(ValueError):
    """A mutation that cannot run; the message is written for the user."""


@dataclass(frozen=True, slots=True)
class Context:
    """Who runs a mutation, and the settings it needs.

    Locally the user is the store's own user and ``role`` is theirs; on the
    sync server it is the authenticated user.
    """

    user_id: str | None = None
    role: str = "admin"
    region: str = "FR"
    now: datetime = field(default_factory=utcnow)


MutationFn = Callable[[Session, Context, Any], Any]


@dataclass(frozen=True, slots=True)
class Mutation:
    name: str
    args_model: type[BaseModel]
    fn: MutationFn
    doc: str


REGISTRY: dict[str, Mutation] = {}


def mutation(name: str, args_model: type[BaseModel]) -> Callable[[MutationFn], MutationFn]:
    """Register ``fn`` as the mutation ``name`` taking ``args_model``."""

    def register(fn: MutationFn) -> MutationFn:
        if name in REGISTRY:
            raise RuntimeError(f"mutation {name} registered twice")
        REGISTRY[name] = Mutation(name, args_model, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def _readable(name: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"{where}: {err['msg']}")
    return f"{name}: " + "; ".join(parts)


def validate(name: str, args: dict[str, Any] | BaseModel) -> BaseModel:
    """Check ``args`` for mutation ``name``; raises :class:`MutationError`."""
    try:
        spec = REGISTRY[name]
    except KeyError:
        raise MutationError(f"unknown mutation {name!r}") from None
    if isinstance(args, spec.args_model):
        return args
    raw = args.model_dump() if isinstance(args, BaseModel) else args
    try:
        return spec.args_model.model_validate(raw)
    except ValidationError as exc:
        raise MutationError(_readable(name, exc)) from None


def apply(session: Session, ctx: Context, name: str, args: dict[str, Any] | BaseModel) -> Any:
    """Validate and apply one mutation in the caller's transaction (no outbox)."""
    model = validate(name, args)
    if ctx.role == "readonly":
        raise MutationError(f"{name}: a read-only user cannot change data")
    try:
        return REGISTRY[name].fn(session, ctx, model)
    except MutationError as exc:
        if str(exc).startswith(f"{name}:"):
            raise
        raise MutationError(f"{name}: {exc}") from None


def next_mutation_id(session: Session) -> int:
    """The next gapless outbox id: after the newest queued or acknowledged one."""
    queued = session.exec(select(func.max(OutboxEntry.mutation_id))).one() or 0
    acked = session.exec(select(func.max(SyncState.last_acked_id))).one() or 0
    return max(queued, acked) + 1


def record(session: Session, name: str, model: BaseModel) -> int:
    """Append a validated mutation to the outbox; returns its id."""
    mutation_id = next_mutation_id(session)
    to_json = getattr(model, "to_json", None)
    args = to_json() if to_json else model.model_dump(mode="json")
    session.add(OutboxEntry(mutation_id=mutation_id, name=name, args=args))
    return mutation_id


def run_in(session: Session, ctx: Context, name: str, args: dict[str, Any] | BaseModel) -> Any:
    """Apply and record one mutation inside an open write transaction."""
    model = validate(name, args)
    result = apply(session, ctx, name, model)
    record(session, name, model)
    session.flush()
    return result


def names() -> list[str]:
    return sorted(REGISTRY)


def describe() -> Iterable[tuple[str, str]]:
    """(name, first line of its docstring) for every mutation, for ``--help``s."""
    for name in names():
        yield name, REGISTRY[name].doc.splitlines()[0] if REGISTRY[name].doc else ""
