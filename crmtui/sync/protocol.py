"""The messages of the sync protocol (docs/SYNC.md), shared by server and client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_core import from_json

PROTOCOL = 1
MAX_PAGE = 50_000
PAGE = 20_000  # later pages of a pull come from the server's stash: no new subset listing


class MutationIn(BaseModel):
    id: int = Field(ge=1)
    name: str
    args: dict[str, Any]


class PushRequest(BaseModel):
    client_id: str = Field(min_length=1, max_length=64)
    mutations: list[MutationIn] = Field(default_factory=list, max_length=5_000)
    viewed: list[tuple[str, str]] = Field(default_factory=list, max_length=5_000)


class MutationResult(BaseModel):
    id: int
    status: Literal["applied", "rejected", "skipped"]
    reason: str | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]


class PullRequest(BaseModel):
    client_id: str = Field(min_length=1, max_length=64)
    cookie: str | None = None
    events_after: int = 0
    limit: int = Field(default=PAGE, ge=1, le=MAX_PAGE)
    # Records the client changed locally: sent again whatever the CVR says.
    refresh: list[tuple[str, str]] = Field(default_factory=list, max_length=MAX_PAGE)


class Put(BaseModel):
    op: Literal["put"] = "put"
    tbl: str
    id: str
    version: int
    row: dict[str, Any]
    children: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class Del(BaseModel):
    op: Literal["del"] = "del"
    tbl: str
    id: str


class Event(BaseModel):
    seq: int
    kind: Literal["rejected", "conflict", "notification"]
    payload: dict[str, Any]
    at: str


class PullResponse(BaseModel):
    cookie: str
    last_mutation_id: int
    reset: bool = False  # drop every synced record first: the patch is complete
    has_more: bool = False
    clock: int = 0
    user_id: str
    patch: list[Put | Del] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)


class WhoAmI(BaseModel):
    user_id: str
    name: str
    role: str
    scope: str
    protocol: int = PROTOCOL


class PullHead(BaseModel):
    """A pull answer without its patch (checked entry by entry, see :class:`Pulled`)."""

    cookie: str
    last_mutation_id: int
    reset: bool = False
    has_more: bool = False
    clock: int = 0
    user_id: str
    events: list[Event] = Field(default_factory=list)


class MalformedAnswer(ValueError):
    """A pull answer that does not follow the protocol."""


@dataclass
class Pulled:
    """A pull answer as the client applies it: the patch stays plain dicts
    (``{"op": "put", "tbl", "id", "version", "row", "children"}`` or
    ``{"op": "del", "tbl", "id"}``), since a first sync holds every row of the
    subset and a model per row would cost more than writing it."""

    head: PullHead
    patch: list[dict[str, Any]]

    @classmethod
    def from_json(cls, raw: bytes) -> Pulled:
        try:
            data = from_json(raw)  # pydantic's parser: a fifth faster on a first sync's pages
            patch = data.pop("patch", [])
            head = PullHead.model_validate(data)
        except (ValueError, AttributeError, ValidationError) as exc:
            raise MalformedAnswer(f"pull answer: {exc}") from None
        if not isinstance(patch, list):
            raise MalformedAnswer("pull answer: patch is not a list")
        for i, e in enumerate(patch):
            problem = _entry_problem(e)
            if problem:
                raise MalformedAnswer(f"pull answer: patch[{i}]: {problem}")
        return cls(head, patch)


def _entry_problem(e: Any) -> str | None:
    if not isinstance(e, dict) or not isinstance(e.get("tbl"), str):
        return "not an entry with a table name"
    if not isinstance(e.get("id"), str):
        return "id is not a string"
    if e.get("op") == "del":
        return None
    if e.get("op") != "put":
        return f"op {e.get('op')!r} is neither put nor del"
    if not isinstance(e.get("version"), int) or not isinstance(e.get("row"), dict):
        return "a put needs an integer version and a row"
    children = e.setdefault("children", {})
    if not isinstance(children, dict) or not all(isinstance(v, list) for v in children.values()):
        return "children must map table names to lists of rows"
    return None
