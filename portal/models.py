"""Every model, imported in one place so Base.metadata is complete (Alembic and tests use it):
portal's own here, the features' through portal.features, the one place portal names them."""
from portal import features  # noqa: F401
from portal.accounts.models import Consent, DeviceSession, ResetCode, Role, RoleGrant, User  # noqa: F401
from portal.audit import AuditEntry  # noqa: F401
from portal.db import Base  # noqa: F401
from portal.groups.models import Group, Membership  # noqa: F401
from portal.notifications.models import Notification  # noqa: F401
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation  # noqa: F401
from portal.signals import Signal  # noqa: F401
from portal.governance.rollup import SignalActor, SignalCount, SignalPeople  # noqa: F401
from portal.governance.targets import Target  # noqa: F401
