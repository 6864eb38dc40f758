"""The local store: tables, migrations, mutations, queries and search.

Never imports the sync, telephony, reports or UI layers.
"""

from .db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
