"""The client's own HTTP/1.1 connections (crmtui/sync/wire.py): kept alive,
opened again when the server went away, one per thread that needs one, and
failures reported as an offline server."""

from __future__ import annotations

import threading

import httpx
import pytest

from crmtui.sync.client import Client, SyncError, _transport_for
from crmtui.sync.wire import Http11Transport

from .server import LiveServer


def test_a_restarted_server_is_reached_again(sqlite_server: LiveServer) -> None:
    _, token = sqlite_server.add_user("ann")
    with Client(sqlite_server.url, token) as client:
        first = client.whoami()
        sqlite_server.stop()
        with pytest.raises(SyncError) as refused:
            client.whoami()
        assert refused.value.offline
        sqlite_server.start()  # the kept-alive connection is stale: a new one is opened
        assert client.whoami() == first


def test_threads_of_one_client_each_get_a_connection(sqlite_server: LiveServer) -> None:
    _, token = sqlite_server.add_user("ann")
    transport = Http11Transport()
    with Client(sqlite_server.url, token, transport=transport) as client:
        answers: list[int] = []
        waiter = threading.Thread(target=lambda: answers.append(client.wait(10**9, 1.0)))
        waiter.start()  # a long-poll holds one connection meanwhile
        names = {client.whoami().name for _ in range(5)}
        waiter.join()
        assert names == {"ann"} and len(answers) == 1
        assert len(transport._idle) == 2  # both kept alive for the next requests


def test_an_answer_too_slow_is_an_outage(sqlite_server: LiveServer) -> None:
    _, token = sqlite_server.add_user("ann")
    transport = Http11Transport()
    with Client(sqlite_server.url, token, transport=transport) as client:
        assert client.whoami().name == "ann"
        slow = httpx.Request(
            "GET",
            f"{sqlite_server.url}/sync/wait?after=1000000000&timeout=2",
            headers={"Authorization": f"Bearer {token}"},
            extensions={"timeout": {"read": 0.2}},
        )
        with pytest.raises(httpx.TimeoutException):
            transport.handle_request(slow)
        assert transport._idle == []  # the connection it waited on is closed, not reused
        assert client.whoami().name == "ann"


def test_a_proxy_named_by_the_environment_is_honoured(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(_transport_for("https://crm.example"), Http11Transport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert isinstance(_transport_for("https://crm.example"), httpx.HTTPTransport)
    monkeypatch.setenv("NO_PROXY", "crm.example")
    assert isinstance(_transport_for("https://crm.example"), Http11Transport)
