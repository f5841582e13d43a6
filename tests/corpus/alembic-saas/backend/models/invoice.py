from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TimestampMixin, in_list

if TYPE_CHECKING:
    from .client import Client
    from .organization import Organization
    from .payment import Payment
    from .user import User

INVOICE_STATUSES = ("draft", "sent", "paid", "overdue", "void")


class Invoice(TimestampMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("organization_id", "number"),
        CheckConstraint(in_list("status", INVOICE_STATUSES), name="status"),
        CheckConstraint("total_amount >= 0", name="total_amount_non_negative"),
        # "Invoices" page: an organization's invoices, newest first
        Index("ix_invoices_organization_id_created_at", "organization_id", "created_at"),
        # nightly job: sent invoices past their due date become overdue
        Index("ix_invoices_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    # who drafted it; the invoice stays when that member leaves the team
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), server_default="draft")
    currency: Mapped[str] = mapped_column(String(3), server_default="USD")
    total_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), server_default=text("0"))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)

    organization: Mapped[Organization] = relationship(back_populates="invoices")
    client: Mapped[Client] = relationship(back_populates="invoices")
    created_by: Mapped[User | None] = relationship()
    line_items: Mapped[list[InvoiceLineItem]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="InvoiceLineItem.position",
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", passive_deletes=True
    )


class InvoiceLineItem(Base):
    __tablename__ = "invoice_line_items"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2), server_default=text("1"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    invoice: Mapped[Invoice] = relationship(back_populates="line_items")
