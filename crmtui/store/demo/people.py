"""People and companies of one chunk, with phones, e-mails, addresses and tags.

About one contact in seven is a company; most people work for one of the
chunk's companies (usually of their own country) and get a mailbox at its
domain. Rows are exactly what ``contact.create`` writes for the same
arguments: ``display_name`` / ``sort_key`` / ``child_id`` / ``phone_row``
come from the mutation module, and the creator is the contact's owner (the
mutation's ``ctx.user_id``), who is also its responsible user.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..bulk import contact_names
from ..mutations.args import check_email, child_id
from ..text import fold
from . import names
from .chunk import HISTORY, Chunk, Who
from .reference import COUNTRY_CURRENCY

COUNTRIES = {
    "FR": (("FR", 50), ("PL", 30), ("GB", 20)),
    "PL": (("PL", 55), ("FR", 25), ("GB", 20)),
    "GB": (("GB", 55), ("FR", 25), ("PL", 20)),
}
ACCESS = (("public_rw", 85), ("public_ro", 10), ("private", 5))
TEMPERATURE = tuple((n, w) for n, w in names.TEMPERATURES)
LEGAL = {c: tuple(forms) for c, forms in names.LEGAL_FORMS.items()}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_slugs: dict[str, str] = {}
_FEMININE = (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka"))


def _slug(text: str) -> str:
    """``Renard & Dumont`` -> ``renard-dumont``: for domains and URLs."""
    found = _slugs.get(text)
    if found is None:
        found = _NOT_SLUG.sub("-", fold(text)).strip("-")
        if len(_slugs) < 100_000:  # names repeat; company stems mostly do not
            _slugs[text] = found
    return found


def _feminine(last: str) -> str:
    for male, female in _FEMININE:
        if last.endswith(male):
            return last[: -len(male)] + female
    return last


class People:
    """Makes the contacts of one chunk into ``chunk.rows``."""

    def __init__(self, chunk: Chunk) -> None:
        self.c = chunk
        self.rng = chunk.rng
        self.companies: dict[str, list[Who]] = {"FR": [], "PL": [], "GB": []}
        self.domains: dict[str, str] = {}

    def make(self, first: int, count: int) -> None:
        """Contacts number ``first`` to ``first + count - 1`` of the store."""
        plan = self.c.plan
        start = plan.now - HISTORY
        step = HISTORY / plan.contacts
        for i in range(count):
            at = start + step * (first + i + self.rng.random())
            country = self.c.pick(COUNTRIES.get(plan.region, COUNTRIES["FR"]))
            if (first + i) % 7 == 0:  # one in seven, before the people who join it
                who = self._company(at, country)
                self.companies[country].append(who)
            else:
                who = self._person(at, country)
            if self.rng.random() < plan.worked:
                self.c.worked.append(who)

    def _company(self, at: datetime, country: str) -> Who:
        rng = self.rng
        stem, form = self._company_name(country)
        domain = f"{_slug(stem)[:30].rstrip('-')}.{names.TLD[country]}"
        website = f"https://www.{domain}" if rng.random() < 0.6 else ""
        who = self._contact(at, country, "company", "", "", f"{stem} {form}", "", website)
        self.domains[who.id] = domain
        if rng.random() < 0.85:
            mailbox = rng.choice(names.COMPANY_MAILBOX[country])
            self._email(who.id, 0, f"{mailbox}@{domain}")
        self._phones(
            who, (("main", "fixed", 0.95), ("mobile", "mobile", 0.2), ("fax", "fixed", 0.08))
        )
        self._address(who, country, "work")
        if rng.random() < 0.15:
            self._address(who, country, "billing", 1)
        if rng.random() < 0.6:
            self.c.add(
                "custom_value", who.id, self.c.ref.industry[0], rng.choice(self.c.ref.industry[1])
            )
        return who

    def _company_name(self, country: str) -> tuple[str, str]:
        rng = self.rng
        form = self.c.pick(LEGAL[country])
        last = rng.choice(names.LAST_NAMES[country])
        sector = rng.choice(names.SECTORS[country])
        pattern = rng.randrange(5)
        if pattern == 0:
            stem = f"{rng.choice(names.COMPANY_WORDS[country])} {last}"
        elif pattern == 1:
            stem = f"{rng.choice(names.INVENTED)} {sector}"
        elif pattern == 2:
            stem = f"{last} & {rng.choice(names.LAST_NAMES[country])}"
        else:
            stem = f"{last} {sector}"
        return stem, form

    def _person(self, at: datetime, country: str) -> Who:
        rng = self.rng
        women, men = names.FIRST_NAMES[country]
        female = rng.random() < 0.5
        first = rng.choice(women if female else men)
        last = rng.choice(names.LAST_NAMES[country])
        last = _feminine(last) if female and country == "PL" else last
        pool = self.companies[country if rng.random() < 0.85 else rng.choice(("FR", "PL", "GB"))]
        company = rng.choice(pool) if pool and rng.random() < 0.7 else None
        title = rng.choice(names.TITLES[country]) if company and rng.random() < 0.8 else ""
        who = self._contact(
            at, country, "person", first, last, "", title, "", company.id if company else None
        )
        if company:
            who.currency = company.currency  # a deal with them is in their company's currency
        domain = self.domains.get(company.id) if company else None
        local = f"{_slug(first)}.{_slug(last)}"
        if rng.random() < 0.8:
            host = domain if domain and rng.random() < 0.8 else rng.choice(names.FREE_MAIL[country])
            self._email(who.id, 0, f"{local}@{host}")
            if rng.random() < 0.1:
                self._email(
                    who.id,
                    1,
                    f"{local}{rng.randint(1, 99)}@{rng.choice(names.FREE_MAIL[country])}",
                    "home",
                )
        self._phones(
            who,
            (
                ("mobile", "mobile", 0.75),
                ("work", "fixed", 0.4 if company else 0.1),
                ("home", "fixed", 0.08),
            ),
        )
        if rng.random() < 0.25:
            self._address(who, country, "home")
        return who

    def _contact(
        self,
        at: datetime,
        country: str,
        kind: str,
        first: str,
        last: str,
        company_name: str,
        title: str,
        website: str,
        company_id: str | None = None,
    ) -> Who:
        c, rng = self.c, self.rng
        owner = c.rep()
        contact_id = c.new_id(at)
        display, sort = contact_names(kind, first, last, company_name)
        currency = rng.choice(COUNTRY_CURRENCY[country]) if kind == "company" else None
        social = (
            {"linkedin": f"https://www.linkedin.com/company/{_slug(company_name)}"}
            if (website and rng.random() < 0.5)
            else {}
        )
        c.add(
            "contact",
            at,
            at,
            owner,
            1,
            contact_id,
            kind,
            first,
            last,
            company_name,
            display,
            sort,
            company_id,
            title,
            website,
            social,
            "Client historique, très réactif." if rng.random() < 0.05 else "",
            c.pick(c.ref.contact_types) if rng.random() < 0.85 else None,
            c.pick(TEMPERATURE) if rng.random() < 0.7 else None,
            currency,
            None,
            c.pick(ACCESS),
            owner,
            "demo",
        )
        c.add("contact_responsible", contact_id, owner)
        for tag in {c.pick(c.ref.tags) for _ in range(self._tag_count())}:
            c.add("contact_tag", contact_id, tag)
        return Who(contact_id, kind, display, country, owner, company_id, currency or "EUR")

    def _tag_count(self) -> int:
        roll = self.rng.random()
        return 0 if roll < 0.4 else 1 if roll < 0.75 else 2 if roll < 0.93 else 3

    def _email(self, contact_id: str, position: int, address: str, label: str = "work") -> None:
        self.c.add(
            "contact_email",
            child_id(contact_id, "email", position),
            contact_id,
            label,
            check_email(address),
            position,
        )

    def _phones(self, who: Who, lines: tuple[tuple[str, str, float], ...]) -> None:
        for label, kind, chance in lines:
            if self.rng.random() >= chance:
                continue
            raw = self.c.numbers.number(self.rng, who.country, kind)
            row = self.c.phones.row(who.id, len(who.phones), raw, label)
            self.c.add("contact_phone", *row)
            who.phones.append((row[3], row[4]))

    def _address(self, who: Who, country: str, label: str, position: int = 0) -> None:
        rng = self.rng
        city, pattern, region = rng.choice(names.CITIES[country])
        postcode = "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in pattern)
        street = rng.choice(names.STREETS[country])
        number = rng.randint(1, 180)
        if country == "FR":
            street = f"{number}{rng.choice(('', '', '', ' bis'))} {street}"
        elif country == "PL":
            street = f"{street} {number}" + (f"/{rng.randint(1, 40)}" if rng.random() < 0.5 else "")
        else:
            street = f"{number} {street}"
        self.c.add(
            "contact_address",
            child_id(who.id, "address", position),
            who.id,
            label,
            street,
            postcode,
            city,
            region,
            country,
            position,
        )
        # Printed as invoice.create prints an address (invoice_fill.address_text).
        city_line = " ".join(p for p in (postcode, city) if p)
        text = "\n".join(p for p in (street, city_line, region, country) if p)
        if position == 0:
            who.address = text
        if label == "billing":
            who.billing = text
