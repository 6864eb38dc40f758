"""Every named mutation. Importing this package registers them all."""

from . import activities, admin, contacts  # noqa: F401  (registration)
from . import catalog, deals, invoices  # noqa: F401  (registration)
from . import calls  # noqa: F401  (registration)
from . import merge  # noqa: F401  (registration)
from .registry import REGISTRY, Context, MutationError, apply, describe, names, run_in

__all__ = ["REGISTRY", "Context", "MutationError", "apply", "describe", "names", "run_in"]
