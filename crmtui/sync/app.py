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
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError

from ..store.models import SyncAccount, User, utcnow
from . import accounts, pull, push, serverdb
from .protocol import PullRequest, PullResponse, PushRequest, PushResponse, WhoAmI
from .serverdb import Database
from .signals import ChangeHub, PgListener
from .subset import Viewer

log = logging.getLogger(__name__)
T = TypeVar("T")
_RETRIES = 5


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except push.SyncRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None


def _retrying(fn: Callable[[], T]) -> T:
    """Run ``fn`` again when PostgreSQL aborts it to keep snapshots serialisable."""
    for attempt in range(_RETRIES):
        try:
            return fn()
        except OperationalError as exc:
            code = getattr(exc.orig, "sqlstate", None)
            if code not in ("40001", "40P01") or attempt == _RETRIES - 1:
                log.warning("sync request failed: %s", exc)
                raise HTTPException(503, "the database is unavailable; retry later") from None
    raise AssertionError("unreachable")


def create_app(db: Database) -> FastAPI:
    def clock() -> int:
        with db.engine.connect() as conn:
            return serverdb.read_clock(conn)

    hub = ChangeHub(clock, recheck=None if db.is_pg else 5.0)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        listener = PgListener(db.url, hub) if db.is_pg else None
        if listener:
            listener.start()
        yield
        if listener:
            listener.stop()

    app = FastAPI(title="crmtui sync", lifespan=lifespan)
    bearer = HTTPBearer(auto_error=False)

    def viewer(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Viewer:
        if creds is None:
            raise HTTPException(401, "a bearer token is required")
        with db.write() as session:
            found = accounts.authenticate(session, creds.credentials)
        if found is None:
            raise HTTPException(401, "this token is not valid (unknown, reset or disabled)")
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

    @app.post("/sync/push")
    def push_(req: PushRequest, v: Auth) -> PushResponse:
        def run() -> tuple[PushResponse, int | None]:
            with _errors(), db.write() as session:
                return push.push(session, v, req, utcnow())

        answer, seq = _retrying(run)
        if seq is not None:
            hub.bump(seq)
        return answer

    @app.post("/sync/pull", response_model=PullResponse)
    def pull_(req: PullRequest, v: Auth) -> Response:
        def run() -> PullResponse:
            with _errors(), db.snapshot() as session:
                return pull.pull(session, v, req, utcnow())

        # Serialised once, straight from the model: a first sync is large.
        return Response(_retrying(run).model_dump_json(), media_type="application/json")

    @app.get("/sync/wait")
    async def wait(
        v: Auth, after: int = 0, timeout: Annotated[float, Query(ge=0, le=120)] = 25.0
    ) -> dict[str, int]:
        return {"clock": await hub.wait(after, timeout)}

    return app
