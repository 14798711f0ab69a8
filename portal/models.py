"""Every model, imported in one place so Base.metadata is complete (Alembic and tests use it).

The feature packages' models are imported here too: this module is only for the schema, so the
rule that portal does not import features holds for everything that runs requests."""
from portal.accounts.models import Consent, DeviceSession, ResetCode, Role, RoleGrant, User  # noqa: F401
from portal.audit import AuditEntry  # noqa: F401
from portal.db import Base  # noqa: F401
from portal.groups.models import Group, Membership  # noqa: F401
from portal.notifications.models import Notification  # noqa: F401
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation  # noqa: F401
from portal.signals import Signal  # noqa: F401
from portal.governance.rollup import SignalActor, SignalCount, SignalPeople  # noqa: F401
from portal.governance.targets import Target  # noqa: F401
from forums.models import Post, PostRevision, Report, Thread  # noqa: E402,F401
from events.models import CalendarFeed, Event, Registration  # noqa: E402,F401
from proposals.models import Coauthor, Follow, NeighbourhoodProposalSettings, Proposal, ProposalStep, Support  # noqa: E402,F401
