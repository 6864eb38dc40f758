"""A year of work on a chunk's worked contacts: deals, tasks, activities, calls.

Per worked contact, on average: 0.15 opportunities, 0.3 tasks, 2.5
activities and 2 calls, which gives the proportions of a real sales team
(per 1,000 contacts: ~150 deals, ~300 tasks, ~2,500 activities, ~2,000
calls). Activities span the last twelve months with a few planned in the
next month; tasks are due around today (overdue, today, this week, later,
some closed); closed deals closed in the past, open ones close ahead.
"""

from __future__ import annotations

from datetime import timedelta

from .chunk import YEAR, Chunk, Who

DAY = timedelta(days=1)
STAGE_WEIGHTS = (25, 20, 15, 10, 18, 12)  # Lead, Qualified, Proposal, Negotiation, Won, Lost
ACTIVITY_TYPES = (
    ("call", 30),
    ("mail", 25),
    ("meeting", 15),
    ("note", 15),
    ("todo", 8),
    ("report", 7),
)
LANG = {"FR": "fr", "PL": "pl", "GB": "en"}
SUBJECTS = {
    "fr": {
        "call": ("Appel de suivi", "Relance devis", "Point téléphonique"),
        "mail": ("Envoi de la proposition", "Réponse à la réclamation", "Documentation"),
        "meeting": ("Rendez-vous commercial", "Démonstration produit", "Réunion de cadrage"),
        "note": ("Note interne", "Compte rendu", "Préférences du client"),
        "todo": ("Préparer le devis", "Vérifier l'échéancier"),
        "report": ("Rapport de visite", "Bilan trimestriel"),
    },
    "pl": {
        "call": ("Rozmowa kontrolna", "Przypomnienie o ofercie", "Telefon w sprawie umowy"),
        "mail": ("Wysłanie oferty", "Odpowiedź na reklamację", "Dokumentacja techniczna"),
        "meeting": ("Spotkanie handlowe", "Prezentacja produktu", "Spotkanie wdrożeniowe"),
        "note": ("Notatka wewnętrzna", "Uwagi klienta", "Ustalenia"),
        "todo": ("Przygotować ofertę", "Sprawdzić płatności"),
        "report": ("Raport z wizyty", "Podsumowanie kwartału"),
    },
    "en": {
        "call": ("Follow-up call", "Quote reminder", "Check-in call"),
        "mail": ("Sent the proposal", "Reply to complaint", "Product documentation"),
        "meeting": ("Sales meeting", "Product demo", "Kick-off meeting"),
        "note": ("Internal note", "Customer preferences", "Meeting notes"),
        "todo": ("Prepare the quote", "Check the payment plan"),
        "report": ("Visit report", "Quarterly review"),
    },
}
DETAILS = {
    "fr": (
        "Le client souhaite un devis révisé avant la fin du mois.",
        "Intéressé par le module téléphonie ; rappeler après les congés.",
        "Budget validé par la direction, signature prévue en fin de trimestre.",
    ),
    "pl": (
        "Klient prosi o zmienioną ofertę do końca miesiąca.",
        "Zainteresowany modułem telefonii; oddzwonić po urlopie.",
        "Budżet zatwierdzony przez zarząd, podpisanie umowy pod koniec kwartału.",
    ),
    "en": (
        "The customer wants a revised quote before month end.",
        "Interested in the telephony module; call back after the holidays.",
        "Budget approved by the board, signature expected at quarter end.",
    ),
}
DEALS = {
    "fr": (
        "Renouvellement licences",
        "Déploiement CRM",
        "Extension téléphonie",
        "Formation équipe",
        "Contrat de maintenance",
    ),
    "pl": (
        "Odnowienie licencji",
        "Wdrożenie CRM",
        "Rozbudowa telefonii",
        "Szkolenie zespołu",
        "Umowa serwisowa",
    ),
    "en": (
        "Licence renewal",
        "CRM roll-out",
        "Telephony upgrade",
        "Team training",
        "Support contract",
    ),
}
TASKS = {
    "fr": ("Rappeler", "Envoyer le devis à", "Relancer", "Préparer la réunion avec"),
    "pl": ("Oddzwonić do", "Wysłać ofertę do", "Przypomnieć się", "Przygotować spotkanie z"),
    "en": ("Call back", "Send the quote to", "Chase", "Prepare the meeting with"),
}
REMINDERS = ((None, 1), (15, 2), (60, 2), (1440, 6))


class History:
    """Makes the history of a chunk's worked contacts into ``chunk.rows``."""

    def __init__(self, chunk: Chunk) -> None:
        self.c = chunk
        self.rng = chunk.rng
        self.now = chunk.plan.now
        self.deals: dict[str, list[tuple[str, str]]] = {}  # contact id -> (deal id, state)

    def make(self, who: Who) -> None:
        rng = self.rng
        if rng.random() < 0.15:
            self._deal(who)
        if rng.random() < 0.3:
            self._task(who)
        for _ in range(self._count(2.5)):
            self._activity(who)

    def _count(self, mean: float) -> int:
        """A skewed count: most contacts a little, a few a lot."""
        return int(self.rng.expovariate(1 / mean) + 0.5)

    def _deal(self, who: Who) -> None:
        c, rng = self.c, self.rng
        stages = c.ref.stages
        stage_id, state = stages[rng.choices(range(len(stages)), STAGE_WEIGHTS)[0]]
        created = c.past(YEAR)
        if state == "open":
            close = self.now.date() + DAY * rng.randint(5, 120)
        else:
            close = min(created.date() + DAY * rng.randint(10, 120), self.now.date())
        lang = LANG[who.country]
        deal_id = c.new_id(created)
        budget_type, count = rng.choice((("fixed", 1),) * 8 + (("month", 12), ("day", 10)))
        amount = int(10 ** rng.uniform(5, 7.3)) // 100 * 100  # 1,000.00 to ~200,000.00
        owner = who.owner
        restricted = rng.random() < 0.05
        c.add(
            "opportunity",
            created,
            created,
            owner,
            1,
            deal_id,
            f"{rng.choice(DEALS[lang])} {created.year}",
            who.company_id or who.id,
            "",
            amount // count,
            who.currency,
            budget_type,
            count,
            close,
            owner,
            stage_id,
            restricted,
        )
        if who.company_id:
            c.add("opportunity_contact", deal_id, who.id)
        if restricted:
            c.add("opportunity_user", deal_id, owner)
        self.deals.setdefault(who.id, []).append((deal_id, state))

    def _task(self, who: Who) -> None:
        c, rng = self.c, self.rng
        roll = rng.random()
        today = self.now.replace(hour=17, minute=0, second=0, microsecond=0)
        if roll < 0.2:
            due = today - DAY * rng.randint(1, 30)  # overdue
        elif roll < 0.3:
            due = today.replace(hour=rng.randint(8, 17))
        elif roll < 0.45:
            due = today + DAY * rng.randint(1, 6)
        elif roll < 0.7:
            due = today + DAY * rng.randint(7, 60)
        else:
            due = today - DAY * rng.randint(1, 200)
        closed = due + timedelta(hours=rng.randint(-48, 24)) if roll >= 0.7 else None
        if closed is not None and closed > self.now:
            closed = self.now - timedelta(hours=1)
        created = min(due, self.now) - DAY * rng.randint(1, 20)
        deals = self.deals.get(who.id)
        lang = LANG[who.country]
        c.add(
            "task",
            created,
            closed or created,
            who.owner,
            2 if closed else 1,
            c.new_id(created),
            f"{rng.choice(TASKS[lang])} {who.name}",
            rng.choice(c.ref.task_categories) if rng.random() < 0.7 else None,
            who.id,
            deals[0][0] if deals and rng.random() < 0.5 else None,
            due,
            c.pick(REMINDERS),
            who.owner,
            "",
            closed,
            None,
        )

    def _activity(self, who: Who) -> None:
        c, rng = self.c, self.rng
        kind = c.pick(ACTIVITY_TYPES)
        starts = c.past(YEAR, ahead=DAY * 30)
        future = starts > self.now
        lang = LANG[who.country]
        long = kind in ("meeting", "call")
        ends = starts + timedelta(minutes=rng.choice((15, 30, 45, 60, 90))) if long else None
        status = "planned" if future else ("cancelled" if rng.random() < 0.05 else "done")
        outcome = None
        if status == "done" and long and rng.random() < 0.4:
            outcome = "success" if rng.random() < 0.7 else "failure"
        activity_id = c.new_id(min(starts, self.now))
        created = min(starts, self.now)
        c.add(
            "activity",
            created,
            created,
            who.owner,
            1,
            activity_id,
            kind,
            rng.choice(c.ref.activity_categories) if rng.random() < 0.5 else None,
            starts,
            ends,
            rng.choice(SUBJECTS[lang][kind]),
            rng.choice(DETAILS[lang]) if rng.random() < 0.6 else "",
            status,
            outcome,
            who.company_id or who.id,
            who.id if who.kind == "person" else None,
            rng.random() < 0.03,
            who.owner,
        )
        c.add("activity_user", activity_id, who.owner)
        other = c.rep()
        if other != who.owner and rng.random() < 0.15:
            c.add("activity_user", activity_id, other)
        deals = self.deals.get(who.id)
        if deals and rng.random() < 0.3:
            c.add("activity_opportunity", activity_id, deals[0][0])

    def won_deal(self, who: Who) -> str | None:
        return next((d for d, state in self.deals.get(who.id, ()) if state == "won"), None)
