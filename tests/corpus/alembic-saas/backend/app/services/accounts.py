"""Signup: an organization and its owner are created together, or not at all."""
import re

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Organization, User


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63] or "team"


def signup(session: Session, *, email: str, password_hash: str, full_name: str, team_name: str) -> User:
    with session.begin():
        org = Organization(name=team_name, slug=slugify(team_name))
        session.add(org)
        session.flush()  # org.id for the owner
        owner = User(
            organization_id=org.id,
            email=email.lower(),
            password_hash=password_hash,
            full_name=full_name,
            role="owner",
        )
        session.add(owner)
    return owner


def invite_member(session: Session, *, organization_id: int, email: str, full_name: str,
                  role: str = "member") -> User:
    """A new member takes a seat: the member and the organization's seat count change together."""
    with session.begin():
        session.execute(
            update(Organization)
            .where(Organization.id == organization_id)
            .values(seats_used=Organization.seats_used + 1)
        )
        member = User(
            organization_id=organization_id,
            email=email.lower(),
            password_hash="!invited",  # set when the invitation is accepted
            full_name=full_name,
            role=role,
        )
        session.add(member)
    return member
