"""The opportunities (deals): a pipeline board and a list, the deal form and a
deal's own screen."""

from .screen import OpportunitiesScreen

__all__ = ["OpportunitiesScreen"]
