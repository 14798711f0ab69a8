"""Commands for operators and cron: `flask --app portal <command>`."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal import db, text
from portal.accounts import mails, retention, service
from portal.accounts.models import RoleGrant, User
from portal.governance import rollup
from portal.groups.models import Group, Membership, MembershipRole
from portal.migrations import upgrade_to_head
from portal.places.models import Municipio
from portal.places.seed import seed_city
from portal.rules import RuleError
from portal.timeutil import utcnow


def init_app(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(roles)
    app.cli.add_command(governance)
    app.cli.add_command(erase_inactive_command)
    app.cli.add_command(rerender_text_command)


@click.command("rerender-text")
@click.option("--all", "everything", is_flag=True, help="Render every row, not only those from an older sanitiser.")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def rerender_text_command(everything: bool, batch: int) -> None:
    """After a change to portal/text.py's rules (SANITISER_VERSION raised): store every user text's
    HTML anew. Until then pages render the older rows on each view, so nothing shows stale HTML."""
    total = 0
    for model, fields in text.RENDERED:
        last = 0
        while True:
            # A batch per transaction, keyset on id: the write lock is never held for long.
            with db.write_transaction():
                query = select(model).where(model.id > last).order_by(model.id).limit(batch)
                if not everything:
                    query = query.where(model.text_version != text.SANITISER_VERSION)
                rows = db.session.scalars(query).all()
                for row in rows:
                    text.rerender(row, fields)
            if not rows:
                break
            total += len(rows)
            last = rows[-1].id
    click.echo(f"Rendered {total} texts with sanitiser version {text.SANITISER_VERSION}.")


@click.command("erase-inactive")
@click.option("--dry-run", is_flag=True, help="Count who would be told and erased; change nothing.")
def erase_inactive_command(dry_run: bool) -> None:
    """Daily: tell people whose account is unused that it will be erased; erase those told
    long enough ago who did not come back (CORTILE_RETENTION_MONTHS, CORTILE_RETENTION_NOTICE_DAYS)."""
    now = utcnow()
    if dry_run:
        click.echo(f"Would tell {len(retention.to_tell(now))} people and erase {len(retention.to_erase(now))} accounts.")
        return
    erased = 0
    for user_id in retention.to_erase(now):
        # One transaction each: an account that fails stays for the next run, the rest go.
        try:
            with db.write_transaction():
                retention.erase_unused(user_id)
        except (RuleError, SQLAlchemyError) as error:
            click.echo(f"Account {user_id} not erased, will be tried again: {error}", err=True)
            continue
        erased += 1
    told = []
    with db.write_transaction():
        for person in retention.to_tell(now):
            told.append((person, retention.tell(person, now)))
    for person, erase_on in told:
        mails.account_unused(person, erase_on)
    click.echo(f"Told {len(told)} people their account will be erased; erased {erased} accounts.")


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
