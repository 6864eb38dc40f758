"""Every named mutation. Importing this package registers them all."""

from . import (  # noqa: F401  (registration)
    activities,
    admin,
    calls,
    catalog,
    contacts,
    deals,
    follows,
    invoices,
    merge,
)
from .registry import REGISTRY, Context, MutationError, apply, describe, names, run_in

__all__ = ["REGISTRY", "Context", "MutationError", "apply", "describe", "names", "run_in"]
