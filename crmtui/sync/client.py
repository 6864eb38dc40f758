"""The HTTP side of a sync client: one kept-alive connection per server and token.

Requests go straight to an httpx transport (by default wire.py's lean
HTTP/1.1 connection; tests hand in transports that lose or repeat
requests), without httpx's client layer (redirects, cookies, auth flows: a
sync server uses none of them). Bodies are encoded and answers checked by
pydantic's own JSON code.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import httpx

from .protocol import MalformedAnswer, Pulled, PullRequest, PushRequest, PushResponse, WhoAmI
from .wire import Http11Transport

_JSON = "application/json"


def _transport_for(url: str) -> httpx.BaseTransport:
    """The lean connection, or httpx's own through a proxy the environment names
    (``HTTPS_PROXY``... and ``NO_PROXY``, as httpx's client would honour them)."""
    context = httpx.create_ssl_context() if url.startswith("https:") else None
    parts = urllib.parse.urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(parts.hostname or ""):
        return httpx.HTTPTransport(verify=context or True, proxy=proxy)
    return Http11Transport(context)


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
        self.timeout = timeout
        self._transport = transport or _transport_for(self.url)
        self._headers = {"Authorization": f"Bearer {token}", "Accept": _JSON}
        self._urls: dict[str, httpx.URL] = {}

    def _raw(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        url = self._urls.get(path) or self._urls.setdefault(path, httpx.URL(self.url + path))
        headers = self._headers if body is None else {**self._headers, "Content-Type": _JSON}
        wait = timeout or self.timeout
        request = httpx.Request(
            method,
            url.copy_merge_params(params) if params else url,
            headers=headers,
            content=body,
            extensions={"timeout": {"connect": wait, "read": wait, "write": wait, "pool": wait}},
        )
        try:
            response = self._transport.handle_request(request)
            try:
                content = response.read()
            finally:
                response.close()
        except httpx.TransportError as exc:
            raise SyncError(f"cannot reach {self.url}: {exc}", offline=True) from None
        if response.status_code >= 400:
            try:
                detail = json.loads(content).get("detail", response.text)
            except ValueError:
                detail = response.text
            raise SyncError(
                f"{path}: {response.status_code} {detail}",
                status=response.status_code,
                offline=response.status_code >= 502,
            )
        return content

    def whoami(self) -> WhoAmI:
        return WhoAmI.model_validate_json(self._raw("GET", "/sync/whoami"))

    def push(self, req: PushRequest) -> PushResponse:
        answer = self._raw("POST", "/sync/push", req.model_dump_json().encode())
        return PushResponse.model_validate_json(answer)

    def pull(self, req: PullRequest) -> Pulled:
        raw = self._raw("POST", "/sync/pull", req.model_dump_json().encode())
        try:
            return Pulled.from_json(raw)
        except MalformedAnswer as exc:
            raise SyncError(f"{self.url}: {exc}") from None

    def wait(self, after: int, timeout: float = 25.0) -> int:
        """Block until the server's clock passes ``after`` (or ``timeout`` ends)."""
        params = {"after": after, "timeout": timeout}
        data = json.loads(self._raw("GET", "/sync/wait", params=params, timeout=timeout + 10))
        return int(data["clock"])

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
