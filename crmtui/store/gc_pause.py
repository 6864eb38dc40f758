"""The cyclic garbage collector mostly asleep while a big import runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the block with collections a hundred times rarer.

    An import allocates millions of short-lived objects (a row, its payload,
    its values); with the default thresholds the collector keeps walking the
    whole heap (the ORM, the models, the batch in flight), which cost more than
    the parsing itself. The objects already alive are frozen (never scanned
    again) and collections come a hundred times less often; almost everything
    an import allocates is freed by reference counting anyway. The thresholds
    are the process's: they are put back when the block ends.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(70_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
