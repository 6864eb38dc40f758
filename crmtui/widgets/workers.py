"""The one place where a failed worker becomes something the user sees."""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    """Mix into any widget or screen that starts workers.

    Worker state messages do not bubble, so each node that runs workers needs
    a handler; they all share this one. A store refusal (``MutationError``) is
    written for the user and shown as it is; anything else names its worker.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, ValueError):  # MutationError and validation: user-facing text
            message = str(error)
        else:
            message = f"{event.worker.name}: {type(error).__name__}: {error}"
        event.worker.node.app.notify(
            message, title="Could not do that", severity="error", timeout=8
        )
