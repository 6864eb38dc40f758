from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmtui.store import Store

from ..exchange.helpers import Stores


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    return Stores(tmp_path_factory.mktemp("stores"))


@pytest.fixture
def store(stores: Stores) -> Iterator[Store]:
    opened = stores.new()
    yield opened
    opened.close()


@pytest.fixture
def db(store: Store) -> Path:
    return store.path
