"""Every table of the store. Importing this package registers them all."""

from .activities import Activity, ActivityOpportunity, ActivityUser, Task
from .base import utcnow
from .calls import Call
from .contacts import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    ContactResponsible,
    ContactTag,
    CustomValue,
)
from .deals import Opportunity, OpportunityContact, OpportunityUser, Stage
from .invoices import Invoice, InvoiceLine
from .sync import OutboxEntry, SyncState
from .users import Category, CustomField, ExchangeRate, Product, Setting, Tag, Tax, User

__all__ = [
    "Activity",
    "ActivityOpportunity",
    "ActivityUser",
    "Call",
    "Category",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactPhone",
    "ContactResponsible",
    "ContactTag",
    "CustomField",
    "CustomValue",
    "ExchangeRate",
    "Invoice",
    "InvoiceLine",
    "Opportunity",
    "OpportunityContact",
    "OpportunityUser",
    "OutboxEntry",
    "Product",
    "Setting",
    "Stage",
    "SyncState",
    "Tag",
    "Task",
    "Tax",
    "User",
    "utcnow",
]
