"""Every table of the store. Importing this package registers them all."""

from .activities import Activity, ActivityOpportunity, ActivityUser, Task
from .base import utcnow
from .calls import Call, CallKey
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
from .server import (
    SyncAccount,
    SyncChange,
    SyncClient,
    SyncClock,
    SyncCvr,
    SyncEvent,
    SyncPass,
    SyncTouch,
)
from .sync import (
    Follow,
    OutboxEntry,
    SyncBase,
    SyncConflict,
    SyncNotification,
    SyncRejected,
    SyncState,
    SyncViewed,
)
from .users import Category, CustomField, ExchangeRate, Product, Setting, Tag, Tax, User

__all__ = [
    "Activity",
    "ActivityOpportunity",
    "ActivityUser",
    "Call",
    "CallKey",
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
    "Follow",
    "Invoice",
    "InvoiceLine",
    "Opportunity",
    "OpportunityContact",
    "OpportunityUser",
    "OutboxEntry",
    "Product",
    "Setting",
    "Stage",
    "SyncAccount",
    "SyncBase",
    "SyncChange",
    "SyncClient",
    "SyncClock",
    "SyncConflict",
    "SyncCvr",
    "SyncEvent",
    "SyncNotification",
    "SyncPass",
    "SyncRejected",
    "SyncState",
    "SyncTouch",
    "SyncViewed",
    "Tag",
    "Task",
    "Tax",
    "User",
    "utcnow",
]
