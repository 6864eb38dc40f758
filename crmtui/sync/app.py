"""The sync server: a FastAPI app over one database (``crmtui serve``).

Endpoints: ``GET /healthz``, ``GET /sync/whoami``, ``POST /sync/push``,
``POST /sync/pull``, ``GET /sync/wait`` (long-poll). Every ``/sync`` call
needs ``Authorization: Bearer <token>``. The server keeps no state outside
the database (the hub only caches the clock to wake waiters), so several
instances can serve one PostgreSQL database.
"""

# No "from __future__ import annotations": FastAPI reads the endpoint
# annotations at run time, and ``Auth`` is local to create_app.
import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError, OperationalError

from ..store.models import SyncAccount, User, utcnow
from . import accounts, gate, pull, push, serverdb
from .protocol import PullRequest, PullResponse, PushRequest, PushResponse, WhoAmI
from .sequencer import Sequencer
from .serverdb import Database
from .signals import ChangeHub, PgListener
from .subset import Viewer

log = logging.getLogger(__name__)
T = TypeVar("T")
_RETRIES = 8  # concurrent pushes on one record: each retry runs on the newer state
THREADS = 12  # request threads per process (sync endpoints run in anyio's pool)
SWEEP = 2.0  # seconds: the sequencer also numbers rows a crash or the CLI left
DB_ENV = "CRMTUI_SERVE_DB"  # the database URL handed to worker processes
_INVALID = "this token is not valid (unknown, reset or disabled)"


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except push.SyncRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None


def _retrying(fn: Callable[[], T]) -> T:
    """Run ``fn`` again when PostgreSQL aborts it to keep snapshots serialisable
    (or a constraint refused what a concurrent push also wrote)."""
    for attempt in range(_RETRIES):
        try:
            return fn()
        except IntegrityError:
            # Creations written without a savepoint met a concurrent push that
            # created the same id (creations.py): the next run sees that one.
            if attempt == _RETRIES - 1:
                raise
        except OperationalError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            again = code in ("40001", "40P01") or exc.connection_invalidated
            if not again or attempt == _RETRIES - 1:
                log.warning("sync request failed: %s", exc)
                raise HTTPException(503, "the database is unavailable; retry later") from None
    raise AssertionError("unreachable")


def _token(creds: HTTPAuthorizationCredentials | None) -> str:
    if creds is None:
        raise HTTPException(401, "a bearer token is required")
    return creds.credentials


def create_app(db: Database) -> FastAPI:
    def clock() -> int:
        with db.engine.connect() as conn:
            return serverdb.read_clock(conn)

    hub = ChangeHub(clock, recheck=None if db.is_pg else 5.0)
    sequencer = Sequencer(db.sequence, hub.bump, sweep=SWEEP) if db.is_pg else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # At most THREADS requests use a connection at once: the pool has room.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        hub.bind(asyncio.get_running_loop())
        helpers: list[PgListener | Sequencer] = []
        if db.is_pg and sequencer is not None:
            helpers = [PgListener(db.url, hub), sequencer]
        for helper in helpers:
            helper.start()
        yield
        for helper in helpers:
            helper.stop()

    app = FastAPI(title="crmtui sync", lifespan=lifespan)
    bearer = HTTPBearer(auto_error=False)

    Token = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

    def viewer(creds: Token) -> Viewer:
        token = _token(creds)

        def find() -> Viewer | None:
            with db.autocommit.connect() as conn:  # one query, no transaction
                return accounts.viewer_for_token(conn, token)

        found = _retrying(find)
        if found is None:
            raise HTTPException(401, _INVALID)
        return found

    Auth = Annotated[Viewer, Depends(viewer)]

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "ok": True,
            "database": "postgresql" if db.is_pg else "sqlite",
            "clock": _retrying(clock),
        }

    @app.get("/sync/whoami")
    def whoami(v: Auth) -> WhoAmI:
        with db.write() as session:
            user = session.get(User, v.user_id)
            account = session.get(SyncAccount, v.user_id)
            assert user is not None and account is not None
            return WhoAmI(user_id=user.id, name=user.name, role=user.role, scope=account.scope)

    @app.post("/sync/push", response_model=PushResponse)
    def push_(req: PushRequest, creds: Token) -> Response:
        def run() -> tuple[PushResponse, int | None]:
            # REPEATABLE READ on PostgreSQL: two pushes changing one record
            # cannot both commit; the second runs again (_retrying).
            now = utcnow()
            with _errors(), db.snapshot() as session:
                entered = gate.enter(session, _token(creds), req, now)
                if entered is None:
                    raise HTTPException(401, _INVALID)
                viewer, begun = entered
                return push.push(session, viewer, req, now, begun)

        answer, seq = _retrying(run)
        wrote = any(r.status != "skipped" for r in answer.results)
        if sequencer is not None and wrote:
            # Have what this push wrote numbered before answering: the
            # client's next pull must see its refusals (sequencer.py).
            sequencer.after_commit()
        elif seq is not None:
            hub.bump(seq)
        # Encoded once: FastAPI would validate the answer against its model again.
        return Response(answer.model_dump_json(), media_type="application/json")

    @app.post("/sync/pull", response_model=PullResponse)
    def pull_(req: PullRequest, v: Auth) -> Response:
        def run() -> pull.PullPage:
            with _errors(), db.snapshot() as session:
                return pull.pull(session, v, req, utcnow())

        # Plain dicts serialised once: a first sync is large (see pull.py).
        return Response(_retrying(run).json(), media_type="application/json")

    @app.get("/sync/wait")
    async def wait(
        v: Auth, after: int = 0, timeout: Annotated[float, Query(ge=0, le=120)] = 25.0
    ) -> dict[str, int]:
        return {"clock": await hub.wait(after, timeout)}

    return app


def app_from_env() -> FastAPI:
    """The app of one worker process of ``crmtui serve --workers N`` (uvicorn
    imports it by name; the parent process has run the migrations)."""
    return create_app(serverdb.open_database(os.environ[DB_ENV], run_migrations=False))
