"""Tallybook models. Import everything here so that `Base.metadata` (Alembic's
target_metadata) sees every table."""
from .base import Base
from .client import Client
from .invoice import Invoice, InvoiceLineItem
from .organization import Organization
from .payment import Payment, StripeEvent
from .user import User

__all__ = [
    "Base",
    "Client",
    "Invoice",
    "InvoiceLineItem",
    "Organization",
    "Payment",
    "StripeEvent",
    "User",
]
