"""The HTTP side of a sync client: one httpx client per server and token."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .protocol import MalformedAnswer, Pulled, PullRequest, PushRequest, PushResponse, WhoAmI


class SyncError(Exception):
    """A sync that could not complete; ``offline`` when the server was unreachable."""

    def __init__(self, message: str, *, offline: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.offline = offline
        self.status = status


class Client:
    """Talks to one sync server. ``transport`` lets tests inject faults."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"},
        )

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        return json.loads(self._raw(method, path, **kw))

    def _raw(self, method: str, path: str, **kw: Any) -> bytes:
        try:
            response = self._http.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise SyncError(f"cannot reach {self.url}: {exc}", offline=True) from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise SyncError(
                f"{path}: {response.status_code} {detail}",
                status=response.status_code,
                offline=response.status_code >= 502,
            )
        return response.content

    def whoami(self) -> WhoAmI:
        return WhoAmI.model_validate(self._call("GET", "/sync/whoami"))

    def push(self, req: PushRequest) -> PushResponse:
        return PushResponse.model_validate(
            self._call("POST", "/sync/push", json=req.model_dump(mode="json"))
        )

    def pull(self, req: PullRequest) -> Pulled:
        raw = self._raw("POST", "/sync/pull", json=req.model_dump(mode="json"))
        try:
            return Pulled.from_json(raw)
        except MalformedAnswer as exc:
            raise SyncError(f"{self.url}: {exc}") from None

    def wait(self, after: int, timeout: float = 25.0) -> int:
        """Block until the server's clock passes ``after`` (or ``timeout`` ends)."""
        data = self._call(
            "GET", "/sync/wait", params={"after": after, "timeout": timeout}, timeout=timeout + 10
        )
        return int(data["clock"])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
