"""The admin settings screen (``,``): stages, currencies, taxes, products,
choice lists, tags, custom fields, company profile, invoice numbering, region
and locale, users."""

from .screen import SettingsScreen

__all__ = ["SettingsScreen"]
