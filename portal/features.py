"""The one place `portal` names the feature packages and the demo replay.

Dependencies point one way: forums, proposals, events and demo import portal, never the reverse,
except here, where their blueprints and commands join the app and their models join
Base.metadata, so the schema is complete for Alembic and the tests. tests/test_layering.py keeps
it so.

portal/__init__.py cannot import this module at its top: every feature imports portal, so that
would be a cycle. create_app imports it when it builds an app, and portal.models for the schema,
both once portal itself is loaded.
"""
from demo.cli import demo_data_command
from events import models as events_models  # noqa: F401  (the schema)
from events import personal_data as events_data
from events.cli import send_reminders_command
from events.views import bp as events_bp
from forums import models as forums_models  # noqa: F401  (the schema)
from forums import personal_data as forums_data
from forums.views import bp as forums_bp
from proposals import models as proposals_models  # noqa: F401  (the schema)
from proposals import personal_data as proposals_data
from proposals.cli import close_expired_command
from proposals.views import bp as proposals_bp

BLUEPRINTS = (forums_bp, proposals_bp, events_bp)
# The features' commands for cron, and the demo replay: top-level `flask --app portal <command>`.
COMMANDS = (send_reminders_command, close_expired_command, demo_data_command)
# What each feature holds about a person, for their download and their erasure.
PERSONAL_DATA = (forums_data.HOLDER, proposals_data.HOLDER, events_data.HOLDER)
