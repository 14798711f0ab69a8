"""`flask --app portal demo-data`: a living portal for newcomers and for trying the dashboards."""
from __future__ import annotations

import sys
import time

import click
from flask import current_app
from sqlalchemy import func, select

from demo.generator import ADMIN, AlreadyLoaded, NotSeeded, Replay, is_loaded
from events.models import Event, Registration, RegistrationStatus
from forums.models import Post, Report
from portal import db
from portal.accounts.models import User
from portal.governance import rollup
from portal.groups.models import Membership, MembershipRole
from portal.signals import Signal
from proposals.models import Proposal, Support

DEMO_PASSWORD = "cortile-demo"  # nosec B105 # printed at the end; demo-data refuses to run in production


@click.command("demo-data")
@click.option("--residents", default=3000, show_default=True, type=click.IntRange(10, 100_000),
              help="Residents who arrive over the period.")
@click.option("--days", default=365, show_default=True, type=click.IntRange(7, 3 * 365),
              help="Days of activity, ending at the last midnight.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Same seed, same data.")
@click.option("--check", is_flag=True, help="Only say whether demo data is loaded (exit status 0 if so).")
def demo_data_command(residents: int, days: int, seed: int, check: bool) -> None:
    """Replay a year of believable activity across the networks, through the real services."""
    if check:
        loaded = is_loaded()
        click.echo("Demo data is loaded." if loaded else "No demo data.")
        raise SystemExit(0 if loaded else 1)
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is for development machines, never for production.")
    started = time.monotonic()
    # Services build links and word notifications as in a request, in the default language.
    with current_app.test_request_context():
        replay = Replay(residents, days, seed, DEMO_PASSWORD)
        try:
            replay.set_up()
        except AlreadyLoaded:
            raise click.ClickException(f"Demo data is already here (there is a user {ADMIN}); start from "
                                       "an empty database to load it again.") from None
        except NotSeeded:
            raise click.ClickException("There are no neighbourhood networks yet: run "
                                       "`flask --app portal seed` first.") from None
        with click.progressbar(length=days, label="Replaying the days", file=sys.stderr, show_eta=True) as bar:
            replay.run(lambda done: bar.update(done - bar.pos))
        rollup.catch_up()  # the dashboards' summaries, so the first visit is quick
    click.echo(f"Replayed {days} days in {time.monotonic() - started:.0f} s ({replay.refused} clicks refused "
               "by the rules, as they would have been for people).")
    for line in _summary():
        click.echo(f"  {line}")
    click.echo(f"Sign in with password {DEMO_PASSWORD!r}, then open /governance, as:\n"
               f"  {ADMIN:<16} the city's admin\n"
               f"  {'demo-coord-6':<16} Municipio 6's coordinator (demo-coord-1 to demo-coord-9)\n"
               f"  {'demo-fac-barona':<16} Barona's facilitator (demo-fac-<neighbourhood>)")


def _summary() -> list[str]:
    """What the replay left, counted from the tables themselves."""
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    staff = count(User, User.nickname_key.like("demo-%"))
    return [
        f"{count(User) - staff} residents ({count(User, User.verified_at.is_not(None))} verified in person), "
        f"{staff} staff",
        f"{count(Membership, Membership.role == MembershipRole.MEMBER)} groups joined",
        f"{count(Post)} posts, {count(Report)} reports, "
        f"{count(Post, Post.moderated_by_id.is_not(None))} posts moderated",
        f"{count(Proposal)} proposals ({count(Proposal, Proposal.answered_at.is_not(None))} answered), "
        f"{count(Support)} supports",
        f"{count(Event)} events ({count(Event, Event.cancelled_at.is_not(None))} cancelled), "
        f"{count(Registration)} registrations ({count(Registration, Registration.promoted_at.is_not(None))} "
        f"from a waiting list, {count(Registration, Registration.status == RegistrationStatus.WAITLISTED)} "
        "still waiting)",
        f"{count(Signal)} participation signals",
    ]

