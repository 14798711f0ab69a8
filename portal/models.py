"""Every model, imported in one place so Base.metadata is complete (Alembic and tests use it)."""
from portal.accounts.models import Consent, ResetCode, Role, RoleGrant, User  # noqa: F401
from portal.audit import AuditEntry  # noqa: F401
from portal.db import Base  # noqa: F401
from portal.groups.models import Group, Membership  # noqa: F401
from portal.places.models import Municipio, Neighbourhood, NetworkMembership, Organisation  # noqa: F401
