"""Every named mutation. Importing this package registers them all."""

from . import (  # noqa: F401  (registration)
    activities,
    admin,
    calls,
    catalog,
    contact_batch,
    contacts,
    custom_fields,
    deals,
    follows,
    invoices,
    merge,
    tags,
)
from .registry import REGISTRY, Context, MutationError, apply, describe, names, run_in

__all__ = ["REGISTRY", "Context", "MutationError", "apply", "describe", "names", "run_in"]
