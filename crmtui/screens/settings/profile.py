"""Sections of single settings: the company profile and invoice numbering.

Each lists its settings one per row; ``e`` on any row edits them all together.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...store.queries.settings_lists import SettingsOverview
from .plans import FieldError, FormPlan, Spec
from .section import Section

Row = tuple[str, str]


class SettingRows(Section):
    """Settings shown one a row (a multi-line value on one line)."""

    columns = ("Setting", "Value")
    actions = frozenset({"edit"})

    def cells(self, o: SettingsOverview, row: Row) -> tuple[str, ...]:
        return (row[0], " / ".join(row[1].splitlines()))


class Company(SettingRows):
    key = "company"
    title = "Company"
    help = "Your company as it heads every invoice."

    def rows(self, o: SettingsOverview) -> tuple[Row, ...]:
        company = o.invoice.company
        return (
            ("Name", company.get("name", "")),
            ("Address", company.get("address", "")),
            ("Logo", company.get("logo_path", "")),
        )

    @staticmethod
    def _logo_exists(values: dict[str, Any]) -> None:
        path = values["logo_path"]
        if path and not Path(path).expanduser().is_file():
            raise FieldError("logo_path", f"there is no file at {path}")

    def edit(self, o: SettingsOverview, row: Row) -> FormPlan:
        company = o.invoice.company
        fields = (
            Spec("name", "Company name", value=company.get("name", "")),
            Spec("address", "Address", "lines", company.get("address", "")),
            Spec(
                "logo_path",
                "Logo",
                value=company.get("logo_path", ""),
                hint="path to a PNG or JPEG image",
            ),
        )
        return FormPlan(
            "Company profile",
            fields,
            lambda v: [("setting.set", {"key": "company_profile", "value": v})],
            verify=self._logo_exists,
        )


class Invoices(SettingRows):
    key = "invoices"
    title = "Invoices"
    help = "Automatic numbers are the prefix plus the counter, zero-padded to the digits."

    def rows(self, o: SettingsOverview) -> tuple[Row, ...]:
        s = o.invoice
        return (
            ("Prefix", s.prefix),
            ("Digits", str(s.digits)),
            ("Next number", str(s.next_number)),
            ("Next invoice", s.next_preview),
            ("Default terms", s.terms),
        )

    def edit(self, o: SettingsOverview, row: Row) -> FormPlan:
        s = o.invoice
        fields = (
            Spec("invoice_prefix", "Prefix", value=s.prefix, hint="e.g. INV or 2030-"),
            Spec("invoice_digits", "Digits", "whole", s.digits, least=1, most=12, required=True),
            Spec(
                "invoice_next_number",
                "Next number",
                "whole",
                s.next_number,
                least=1,
                required=True,
                hint="numbers already used are skipped",
            ),
            Spec("invoice_terms", "Default terms", "lines", s.terms),
        )
        return FormPlan(
            "Invoice numbering and terms",
            fields,
            lambda v: [("setting.set", {"key": k, "value": value}) for k, value in v.items()],
            note=f"The next automatic number is {s.next_preview}.",
        )


class Regional(SettingRows):
    key = "regional"
    title = "Region and locale"
    help = "How phone numbers are read and how amounts and dates are written."

    def rows(self, o: SettingsOverview) -> tuple[Row, ...]:
        return (("Default region", o.region), ("Locale", o.locale))

    def edit(self, o: SettingsOverview, row: Row) -> FormPlan:
        fields = (
            Spec(
                "default_region",
                "Default region",
                value=o.region,
                required=True,
                hint="numbers typed without +country belong to it: FR, PL, GB...",
            ),
            Spec(
                "locale",
                "Locale",
                value=o.locale,
                required=True,
                hint="fr_FR writes 1 234,56 €, en_US $1,234.56",
            ),
        )
        return FormPlan(
            "Region and locale",
            fields,
            lambda v: [("setting.set", {"key": k, "value": value}) for k, value in v.items()],
        )
