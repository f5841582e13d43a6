from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .invoice import Invoice
    from .organization import Organization


class Client(Base):
    """Someone an organization bills."""

    __tablename__ = "clients"
    __table_args__ = (
        # the client picker: an organization's clients by name
        Index("ix_clients_organization_id_name", "organization_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    # street, city, postal_code, country, tax_id: printed on the invoice as given
    billing_address: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    organization: Mapped[Organization] = relationship(back_populates="clients")
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )
