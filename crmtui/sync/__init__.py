"""Offline-first sync (DESIGN.md section 4; the protocol is in docs/SYNC.md).

Server side: ``app`` (FastAPI), ``push``, ``pull``, ``subset``, ``tracking``,
``events``, ``accounts``, ``signals``, ``serverdb``. Client side: ``client``
(HTTP), ``replica`` (patches and rebase), ``cycle`` (one sync), ``loop``
(background sync and status), ``review`` (what the TUI lists and follows).
Nothing here imports Textual.
"""

from . import review  # noqa: F401  (registers the follow.* mutations)
