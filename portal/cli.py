"""Commands for operators and cron: `flask --app portal <command>`."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from portal import db
from portal.accounts import service
from portal.accounts.models import RoleGrant, User
from portal.governance import rollup
from portal.groups.models import Group, Membership, MembershipRole
from portal.migrations import upgrade_to_head
from portal.places.models import Municipio
from portal.places.seed import seed_city
from portal.rules import RuleError


def init_app(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(roles)
    app.cli.add_command(governance)


@click.command("migrate")
def migrate_command() -> None:
    """Bring the database schema up to date (Alembic migrations; creates the SQLite file)."""
    upgrade_to_head()
    click.echo("Database schema is up to date.")


@click.command("seed")
def seed_command() -> None:
    """Load Milan's Municipi, networks, organisations and thematic tables (safe to run again)."""
    with db.write_transaction():
        report = seed_city()
    click.echo(f"Seeded Milan: {report.created} rows created, {report.existing} already there.")


@click.group("roles")
def roles() -> None:
    """Grant, revoke and list roles: admin, coordinator (of a Municipio), facilitator (of a group)."""


def _person(nickname: str) -> User:
    person = service.find_by_nickname(nickname)
    if person is None:
        raise click.ClickException(f"Nobody has the nickname {nickname!r}.")
    return person


_role_options = [
    click.argument("nickname"),
    click.argument("role", type=click.Choice(["admin", "coordinator", "facilitator"])),
    click.option("--municipio", type=int, help="Municipio number, for coordinators."),
    click.option("--group", "group_slug", help="Group slug, for facilitators."),
]


def _with_role_options(command):
    for option in reversed(_role_options):
        command = option(command)
    return command


@roles.command("grant")
@_with_role_options
def grant(nickname: str, role: str, municipio: int | None, group_slug: str | None) -> None:
    try:
        with db.write_transaction():
            service.grant_role(_person(nickname), role, municipio_number=municipio,
                               group_slug=group_slug)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Granted {role} to {nickname}.")


@roles.command("revoke")
@_with_role_options
def revoke(nickname: str, role: str, municipio: int | None, group_slug: str | None) -> None:
    try:
        with db.write_transaction():
            changed = service.revoke_role(_person(nickname), role, municipio_number=municipio,
                                          group_slug=group_slug)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked {role} from {nickname}." if changed else f"{nickname} did not hold {role}.")


@roles.command("list")
def list_roles() -> None:
    grants = db.session.execute(
        select(User.nickname, RoleGrant.role, RoleGrant.municipio_id).join(User)
        .order_by(User.nickname)).all()
    facilitators = db.session.execute(
        select(User.nickname, Group.slug).join(Membership, Membership.user_id == User.id)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.role == MembershipRole.FACILITATOR).order_by(User.nickname)).all()
    numbers = dict(db.session.execute(select(Municipio.id, Municipio.number)).all())
    for nickname, role, municipio_id in grants:
        scope = f"Municipio {numbers[municipio_id]}" if municipio_id else "city"
        click.echo(f"{nickname}\t{role}\t{scope}")
    for nickname, slug in facilitators:
        click.echo(f"{nickname}\tfacilitator\t{slug}")


@click.group("governance")
def governance() -> None:
    """The signal summaries that dashboards read."""


@governance.command("catch-up")
def governance_catch_up() -> None:
    """Fold new signals into the summaries (dashboards also do this when opened)."""
    click.echo(f"Folded {rollup.catch_up()} new signals.")


@governance.command("rebuild")
def governance_rebuild() -> None:
    """Recount the summaries from every signal, e.g. after restoring a backup."""
    click.echo(f"Recounted {rollup.rebuild()} signals.")
