"""`flask --app portal demo-data`: a living portal for newcomers and for trying the dashboards."""
from __future__ import annotations

import sys
import time

import click
from flask import current_app
from sqlalchemy import func, select

from portal import db
from portal.demo.generator import ADMIN, AlreadyLoaded, Year
from portal.governance import rollup
from portal.accounts.models import User
from portal.signals import Signal

DEMO_PASSWORD = "cortile-demo"  # printed at the end: only ever on a development machine


@click.command("demo-data")
@click.option("--residents", default=3000, show_default=True, type=click.IntRange(10, 100_000),
              help="Residents who arrive over the period.")
@click.option("--days", default=365, show_default=True, type=click.IntRange(7, 3 * 365),
              help="Days of activity, ending today.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed, same data.")
@click.option("--check", is_flag=True, help="Only say whether demo data is loaded (exit status 0 if so).")
def demo_data_command(residents: int, days: int, seed: int, check: bool) -> None:
    """Replay a year of believable activity across the 22 networks (through the real services)."""
    if check:
        loaded = db.session.scalar(select(User.id).where(User.nickname_key == ADMIN)) is not None
        click.echo("Demo data is loaded." if loaded else "No demo data.")
        raise SystemExit(0 if loaded else 1)
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is for development machines, never for production.")
    year = Year(residents, days, seed, DEMO_PASSWORD)
    started = time.monotonic()
    try:
        with current_app.test_request_context():  # services build links and speak Italian, as in a request
            with click.progressbar(length=days, label="Replaying the year", file=sys.stderr,
                                   show_eta=True) as bar:
                last = [0]

                def progress(done: int) -> None:
                    bar.update(done - last[0])
                    last[0] = done

                totals = year.run(progress)
            folded = rollup.catch_up()
    except AlreadyLoaded:
        raise click.ClickException(f"Demo data is already here (there is a user {ADMIN}).") from None
    signals = db.session.scalar(select(func.count(Signal.id)))
    click.echo(
        f"Done in {time.monotonic() - started:.0f} s: {totals.residents} residents, {totals.posts} posts, "
        f"{totals.reports} reports and {totals.decisions} moderation decisions, {totals.events} events with "
        f"{totals.registrations} registrations, {totals.proposals} proposals with {totals.supports} supports and "
        f"{totals.answers} answers; {signals} signals ({folded} counted for the dashboards).")
    click.echo(f"Sign in with password {DEMO_PASSWORD!r} as {ADMIN} (the city), demo-coord-6 (Municipio 6) "
               f"or demo-fac-barona (Barona's facilitator), then open /governance.")
