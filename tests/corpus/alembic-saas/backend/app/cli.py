"""Command-line entry points for the app's critical flows, one execution per call, so that
ops scripts (and readiness) can run them against DATABASE_URL:

    python -m app.cli seed                  # the demo organization the other flows use
    python -m app.cli signup --run 17       # a new team and its owner
    python -m app.cli invite --run 17       # a member joins the demo organization
    python -m app.cli invoice --run 17      # an invoice with two lines
    python -m app.cli payment --run 17      # Stripe payment_intent.succeeded for it
    python -m app.cli deliver EVENT.json    # one Stripe webhook delivery, as the endpoint gets it

Exit status 0 when the flow committed, 1 (with the error on stderr) when it did not.
"""
import argparse
import json
import sys
from decimal import Decimal

from sqlalchemy import select

from app.db import SessionLocal
from app.services.accounts import invite_member, signup
from app.services.invoices import WEBHOOK_HANDLERS, create_invoice, handle_payment_succeeded
from models import Client, Invoice, Organization, User

DEMO_SLUG = "demo-team"
# a bcrypt hash of "correct horse battery staple": the CLI never sees real passwords
DEMO_PASSWORD_HASH = "$2b$12$KIXQJ7zq9rVbX1y5s0bW9eYlq3k2m6r8t0v2x4z6b8d0f2h4j6l8n"


def seed(session) -> None:
    """The demo organization, its owner, a client and a first invoice (idempotent)."""
    exists = session.scalar(select(Organization.id).where(Organization.slug == DEMO_SLUG)) is not None
    session.rollback()
    if exists:
        return
    owner = signup(session, email="owner@demo-team.example.com", password_hash=DEMO_PASSWORD_HASH,
                   full_name="Demo Owner", team_name="Demo Team")
    org_id, owner_id = owner.organization_id, owner.id
    with session.begin():
        client = Client(organization_id=org_id, name="Acme Inc", email="billing@acme.example.com",
                        billing_address={"city": "Berlin", "country": "DE"})
        session.add(client)
        session.flush()
        client_id = client.id
    create_invoice(session, organization_id=org_id, client_id=client_id, created_by_id=owner_id,
                   lines=[("Onboarding", Decimal("1"), Decimal("500.00"))])


def demo_ids(session) -> tuple[int, int, int]:
    """(organization, client, owner) of the demo organization."""
    org_id = session.scalar(select(Organization.id).where(Organization.slug == DEMO_SLUG))
    if org_id is None:
        raise SystemExit("no demo organization: run `python -m app.cli seed` first")
    client_id = session.scalar(select(Client.id).where(Client.organization_id == org_id).order_by(Client.id))
    owner_id = session.scalar(select(User.id).where(User.organization_id == org_id, User.role == "owner"))
    session.rollback()
    return org_id, client_id, owner_id


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli")
    parser.add_argument("flow", choices=["seed", "signup", "invite", "invoice", "payment", "deliver"])
    parser.add_argument("event", nargs="?", help="deliver: the event's JSON file")
    parser.add_argument("--run", type=int, default=0, help="tags this execution's rows")
    args = parser.parse_args(argv)
    run = args.run
    with SessionLocal() as session:
        if args.flow == "seed":
            seed(session)
        elif args.flow == "signup":
            signup(session, email=f"owner{run}@signup.example.com", password_hash=DEMO_PASSWORD_HASH,
                   full_name=f"Owner {run}", team_name=f"Signup Team {run}")
        elif args.flow == "invite":
            org_id, _, _ = demo_ids(session)
            invite_member(session, organization_id=org_id, email=f"member{run}@demo-team.example.com",
                          full_name=f"Member {run}")
        elif args.flow == "invoice":
            org_id, client_id, owner_id = demo_ids(session)
            create_invoice(session, organization_id=org_id, client_id=client_id, created_by_id=owner_id,
                           lines=[(f"run {run}: consulting (hours)", Decimal("2"), Decimal("150.00")),
                                  (f"run {run}: hosting, monthly", Decimal("1"), Decimal("49.99"))])
        elif args.flow == "deliver":
            with open(args.event) as f:
                event = json.load(f)
            handler = WEBHOOK_HANDLERS.get(event["type"])
            if handler is None:
                print(f"ignored {event['type']}")  # acknowledged, as the endpoint does
            else:
                handler(session, event)
        elif args.flow == "payment":
            _, _, _ = demo_ids(session)
            invoice_id = session.scalar(select(Invoice.id).join(Organization)
                                        .where(Organization.slug == DEMO_SLUG).order_by(Invoice.id))
            session.rollback()
            handle_payment_succeeded(session, {
                "id": f"evt_cli_{run}",
                "type": "payment_intent.succeeded",
                "data": {"object": {"id": f"pi_cli_{run}", "object": "payment_intent",
                                    "amount_received": 1000,
                                    "metadata": {"invoice_id": str(invoice_id)}}},
            })
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
