from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, in_list

if TYPE_CHECKING:
    from .client import Client
    from .invoice import Invoice
    from .user import User

PLANS = ("free", "starter", "team", "enterprise")
# Stripe's subscription statuses; NULL until the organization first subscribes
SUBSCRIPTION_STATUSES = (
    "trialing",
    "active",
    "past_due",
    "canceled",
    "unpaid",
    "incomplete",
    "incomplete_expired",
    "paused",
)


class Organization(TimestampMixin, Base):
    """A customer of Tallybook: a team that sends invoices to its own clients."""

    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(in_list("plan", PLANS), name="plan"),
        CheckConstraint(in_list("subscription_status", SUBSCRIPTION_STATUSES), name="subscription_status"),
        CheckConstraint("seats_used >= 0", name="seats_used_non_negative"),
        CheckConstraint("invoice_counter >= 0", name="invoice_counter_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    plan: Mapped[str] = mapped_column(String(20), server_default="free")
    subscription_status: Mapped[str | None] = mapped_column(String(20))
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    seats_used: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # last invoice number handed out: invoices are numbered INV-0001, INV-0002… per organization
    invoice_counter: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    members: Mapped[list[User]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", passive_deletes=True
    )
    clients: Mapped[list[Client]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", passive_deletes=True
    )
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="organization", cascade="all, delete-orphan", passive_deletes=True
    )
