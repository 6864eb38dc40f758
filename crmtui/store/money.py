"""Exact money: integer minor units plus an ISO 4217 code, never float.

Rounding rule (used everywhere a fraction of a minor unit appears, e.g. a
discount, a tax or a currency conversion): round half away from zero to the
currency's minor unit (``ROUND_HALF_UP`` in :mod:`decimal`), which is what
invoices in the EU and US are expected to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .locales import grouped, parse_locale


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return ``code`` upper-cased if it is an ISO 4217 code Babel knows."""
    normal = (code or "").strip().upper()
    if normal not in _known_currencies():
        raise MoneyError(f"unknown currency code {code!r}")
    return normal


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (EUR 2, JPY 0, KWD 3)."""
    return int(get_currency_precision(check_currency(currency)))


def round_minor(value: Decimal) -> int:
    """Round a Decimal count of minor units with the documented rule."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_decimal(text: str | int | Decimal, *, field: str = "amount") -> Decimal:
    """Parse a user's number; accepts ``1234.5``, ``1 234,50`` and ``1234,5``."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    cleaned = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        # The later separator is the decimal one: 1.234,56 or 1,234.56.
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"{field}: {text!r} is not a number") from None
    if not value.is_finite():
        raise MoneyError(f"{field}: {text!r} is not a finite number")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents, grosze) of one currency."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError(f"minor units must be an integer, not {self.minor!r}")
        object.__setattr__(self, "currency", check_currency(self.currency))

    @classmethod
    def parse(cls, amount: str | int | Decimal, currency: str) -> Money:
        """``Money.parse("1 234,56", "EUR")`` is 123456 cents. Extra digits round."""
        return cls.of(parse_decimal(amount), currency)

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        scaled = amount.scaleb(exponent(currency))
        return cls(round_minor(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The amount as an exact Decimal in major units."""
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def times(self, factor: Decimal | int) -> Money:
        """Multiply by a quantity or a rate, rounding once at the end."""
        return Money(round_minor(Decimal(self.minor) * Decimal(factor)), self.currency)

    def percent(self, pct: Decimal | int) -> Money:
        """``pct`` percent of this amount (a discount or a tax), rounded once."""
        return Money(round_minor(Decimal(self.minor) * Decimal(pct) / 100), self.currency)

    def convert(self, currency: str, rate: Decimal) -> Money:
        """Convert with ``rate`` = units of ``currency`` per one unit of ours."""
        if rate <= 0:
            raise MoneyError(f"exchange rate {self.currency}->{currency} must be positive")
        return Money.of(self.amount * rate, currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up exactly.

        Each part is its exact share rounded down; the minor units left over go
        one each to the parts that lost most to rounding (earlier parts first on
        a tie), so a zero weight gets nothing and a negative amount (a refund)
        splits as the mirror image of the positive one.
        """
        total = sum(weights)
        if not weights or total <= 0 or any(w < 0 for w in weights):
            raise MoneyError("allocation weights must be non-negative and not all zero")
        whole = abs(self.minor)
        parts = [whole * w // total for w in weights]
        by_loss = sorted(range(len(weights)), key=lambda i: -(whole * weights[i] % total))
        for i in by_loss[: whole - sum(parts)]:
            parts[i] += 1
        sign = -1 if self.minor < 0 else 1
        return [Money(sign * p, self.currency) for p in parts]

    def format(self, locale: str = "en_US") -> str:
        """Format for a locale: fr_FR gives ``1 234,56 €``, pl_PL ``1234,56 zł``
        (four digits are not grouped in Polish, see ``locales``)."""
        loc = parse_locale(locale)
        value = self.amount
        return str(
            format_currency(value, self.currency, locale=loc, group_separator=grouped(value, loc))
        )

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
