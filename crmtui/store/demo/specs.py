"""The columns the demo writes for each bulk-loaded table, in insert order.

Generators build tuples in exactly these orders; :class:`TableSpec` encodes
them with the columns' own SQLAlchemy types. ``ORDER`` is the order tables
are written in, parents before children, so foreign keys hold at each insert.
"""

from __future__ import annotations

from ..bulk import PHONE, TableSpec
from ..models import (
    Activity,
    ActivityOpportunity,
    ActivityUser,
    Call,
    CallKey,
    ContactAddress,
    ContactTag,
    CustomValue,
    Invoice,
    InvoiceLine,
    Opportunity,
    OpportunityContact,
    OpportunityUser,
    Task,
)
from ..table_specs import CONTACT, EMAIL, RESPONSIBLE, STAMPS

ADDRESS = TableSpec(
    ContactAddress,
    ("id", "contact_id", "label", "street", "postcode", "city", "region", "country", "position"),
)
CONTACT_TAG = TableSpec(ContactTag, ("contact_id", "tag_id"))
CUSTOM = TableSpec(CustomValue, ("entity_id", "field_id", "value"))
OPPORTUNITY = TableSpec(
    Opportunity,
    (
        *STAMPS,
        "id",
        "title",
        "contact_id",
        "description",
        "budget_minor",
        "currency",
        "budget_type",
        "budget_count",
        "expected_close",
        "responsible_id",
        "stage_id",
        "restricted",
    ),
)
OPP_CONTACT = TableSpec(OpportunityContact, ("opportunity_id", "contact_id"))
OPP_USER = TableSpec(OpportunityUser, ("opportunity_id", "user_id"))
TASK = TableSpec(
    Task,
    (
        *STAMPS,
        "id",
        "title",
        "category_id",
        "contact_id",
        "opportunity_id",
        "due_at",
        "reminder_minutes",
        "responsible_id",
        "description",
        "closed_at",
        "reminded_at",
    ),
)
ACTIVITY = TableSpec(
    Activity,
    (
        *STAMPS,
        "id",
        "type",
        "category_id",
        "starts_at",
        "ends_at",
        "subject",
        "details",
        "status",
        "outcome",
        "contact_id",
        "person_id",
        "private",
        "owner_id",
    ),
)
ACTIVITY_USER = TableSpec(ActivityUser, ("activity_id", "user_id"))
ACTIVITY_OPP = TableSpec(ActivityOpportunity, ("activity_id", "opportunity_id"))
CALL = TableSpec(
    Call,
    (
        *STAMPS,
        "id",
        "direction",
        "status",
        "remote_raw",
        "remote_e164",
        "remote_name",
        "local_party",
        "agent_id",
        "started_at",
        "answered_at",
        "ended_at",
        "duration_s",
        "billsec_s",
        "cost_minor",
        "cost_currency",
        "hangup_cause",
        "source",
        "source_call_id",
        "contact_id",
        "person_id",
        "wrapup_description",
        "wrapup_notes",
        "wrapup_outcome",
        "wrapup_person_id",
    ),
)
CALL_KEY = TableSpec(CallKey, ("source", "source_call_id", "call_id"))
INVOICE = TableSpec(
    Invoice,
    (
        *STAMPS,
        "id",
        "number",
        "issue_date",
        "due_terms",
        "due_date",
        "client_id",
        "consignee_id",
        "billing_address",
        "delivery_address",
        "opportunity_id",
        "language",
        "currency",
        "exchange_rate",
        "po_number",
        "terms",
        "notes",
        "status",
        "subtotal_minor",
        "discount_minor",
        "tax_minor",
        "total_minor",
        "sent_at",
    ),
)
INVOICE_LINE = TableSpec(
    InvoiceLine,
    (
        "id",
        "invoice_id",
        "position",
        "product_id",
        "description",
        "quantity",
        "unit_price_minor",
        "discount_pct",
        "tax1_id",
        "tax1_rate",
        "tax2_id",
        "tax2_rate",
        "net_minor",
        "tax_minor",
    ),
)

# Parents before children. Invoices come last, numbered in date order once
# every chunk is known (see demo.build).
ORDER: dict[str, TableSpec] = {
    "contact": CONTACT,
    "contact_phone": PHONE,
    "contact_email": EMAIL,
    "contact_address": ADDRESS,
    "contact_tag": CONTACT_TAG,
    "contact_responsible": RESPONSIBLE,
    "custom_value": CUSTOM,
    "opportunity": OPPORTUNITY,
    "opportunity_contact": OPP_CONTACT,
    "opportunity_user": OPP_USER,
    "task": TASK,
    "activity": ACTIVITY,
    "activity_user": ACTIVITY_USER,
    "activity_opportunity": ACTIVITY_OPP,
    "call": CALL,
    "call_key": CALL_KEY,
}
