"""Invoices: numbering, totals and payments, each in one transaction."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Invoice, InvoiceLineItem, Organization, Payment, StripeEvent


def create_invoice(session: Session, *, organization_id: int, client_id: int, created_by_id: int,
                   lines: list[tuple[str, Decimal, Decimal]], due_on: date | None = None) -> Invoice:
    """lines: (description, quantity, unit_price). The total is the sum of the lines."""
    with session.begin():
        # UPDATE … RETURNING takes the row lock: two concurrent invoices get two numbers
        counter = session.execute(
            update(Organization)
            .where(Organization.id == organization_id)
            .values(invoice_counter=Organization.invoice_counter + 1)
            .returning(Organization.invoice_counter)
        ).scalar_one()
        invoice = Invoice(
            organization_id=organization_id,
            client_id=client_id,
            created_by_id=created_by_id,
            number=f"INV-{counter:04d}",
            due_on=due_on,
            total_amount=sum((q * p for _, q, p in lines), Decimal("0.00")),
        )
        invoice.line_items = [
            InvoiceLineItem(position=i, description=d, quantity=q, unit_price=p)
            for i, (d, q, p) in enumerate(lines, start=1)
        ]
        session.add(invoice)
    return invoice


def _payment_for(session: Session, intent: dict) -> Payment | None:
    """The payment recorded for a PaymentIntent, locked: its events may arrive together."""
    return session.execute(
        select(Payment).where(Payment.stripe_payment_intent_id == intent["id"]).with_for_update()
    ).scalar_one_or_none()


def handle_payment_succeeded(session: Session, event: dict) -> None:
    """Stripe `payment_intent.succeeded`: record the payment once, mark the invoice paid."""
    intent = event["data"]["object"]
    with session.begin():
        if session.get(StripeEvent, event["id"]) is not None:
            return  # redelivery
        session.add(StripeEvent(id=event["id"], type=event["type"], payload=event))
        invoice = session.execute(
            select(Invoice).where(Invoice.id == int(intent["metadata"]["invoice_id"])).with_for_update()
        ).scalar_one()
        amount = Decimal(intent["amount_received"]) / 100
        payment = _payment_for(session, intent)
        if payment is None:
            session.add(Payment(
                invoice_id=invoice.id,
                amount=amount,
                status="succeeded",
                stripe_payment_intent_id=intent["id"],
            ))
        else:  # an earlier attempt of this intent failed
            payment.amount, payment.status = amount, "succeeded"
        session.flush()
        session.refresh(invoice, ["payments"])
        paid = sum((p.amount for p in invoice.payments if p.status == "succeeded"), Decimal("0"))
        if paid >= invoice.total_amount:
            invoice.status = "paid"


def handle_payment_failed(session: Session, event: dict) -> None:
    """Stripe `payment_intent.payment_failed`: record the failed attempt. Stripe does not
    guarantee order: a failure delivered after the intent succeeded changes nothing."""
    intent = event["data"]["object"]
    with session.begin():
        if session.get(StripeEvent, event["id"]) is not None:
            return  # redelivery
        session.add(StripeEvent(id=event["id"], type=event["type"], payload=event))
        payment = _payment_for(session, intent)
        if payment is None:
            session.add(Payment(
                invoice_id=int(intent["metadata"]["invoice_id"]),
                amount=Decimal(intent["amount"]) / 100,
                status="failed",
                stripe_payment_intent_id=intent["id"],
            ))
        elif payment.status != "succeeded":
            payment.status = "failed"


WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": handle_payment_succeeded,
    "payment_intent.payment_failed": handle_payment_failed,
}
