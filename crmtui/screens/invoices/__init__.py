"""The invoices: the list by status, the invoice editor, and its pickers.

``InvoiceEditor.for_contact`` / ``for_deal`` / ``for_invoice`` open the editor
from anywhere (the contact screen, a deal's screen, the contact timeline).
"""

from .editor import InvoiceEditor
from .screen import InvoicesScreen

__all__ = ["InvoiceEditor", "InvoicesScreen"]
