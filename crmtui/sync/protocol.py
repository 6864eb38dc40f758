"""The messages of the sync protocol (docs/SYNC.md), shared by server and client."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

PROTOCOL = 1
MAX_PAGE = 50_000
PAGE = 20_000  # a first sync costs a subset listing per page: few, large pages


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
