"""Rules follow people: notifications remember the group they are about; supports remember the
supporter's neighbourhood when given; users remember when they last changed neighbourhood.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 05:00:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Notifications already sent, by the address they link to: the group they are about.
_LINKED_GROUPS = [
    (re.compile(r"^/forums/threads/(\d+)"), "threads"),
    (re.compile(r"^/events/(\d+)"), "events"),
    (re.compile(r"^/proposals/(\d+)"), "proposals"),
]
_GROUP_KINDS = ("reply", "post_hidden", "post_hidden_by_reports", "post_restored", "post_deleted",
                "thread_locked", "report_outcome", "event_promoted", "event_reminder", "event_cancelled",
                "proposal_answered", "proposal_state")


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_group_id_groups'), 'groups', ['group_id'], ['id'])
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('neighbourhood_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposal_supports_neighbourhood_id_neighbourhoods'),
                                    'neighbourhoods', ['neighbourhood_id'], ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_changed_at', sa.DateTime(), nullable=True))

    # The best knowledge of the past: supports were given from the supporter's present home, and
    # a home was chosen when the account was made.
    op.execute("UPDATE proposal_supports SET neighbourhood_id = (SELECT users.home_neighbourhood_id "
               "FROM users WHERE users.id = proposal_supports.user_id)")
    op.execute("UPDATE users SET home_changed_at = created_at WHERE home_neighbourhood_id IS NOT NULL")
    _backfill_notification_groups()


def _backfill_notification_groups() -> None:
    connection = op.get_bind()
    notifications = sa.table('notifications', sa.column('id'), sa.column('kind'), sa.column('link'),
                             sa.column('group_id'))
    sent = connection.execute(sa.select(notifications.c.id, notifications.c.link)
                              .where(notifications.c.kind.in_(_GROUP_KINDS))).all()
    for pattern, table_name in _LINKED_GROUPS:
        subjects = sa.table(table_name, sa.column('id'), sa.column('group_id'))
        about = {row.id: int(match.group(1)) for row in sent if (match := pattern.match(row.link or ""))}
        groups = dict(connection.execute(
            sa.select(subjects.c.id, subjects.c.group_id)
            .where(subjects.c.id.in_(set(about.values())), subjects.c.group_id.is_not(None))).all())
        updates = [{"notification": notification_id, "group": groups[subject_id]}
                   for notification_id, subject_id in about.items() if subject_id in groups]
        if updates:
            connection.execute(
                notifications.update().where(notifications.c.id == sa.bindparam("notification"))
                .values(group_id=sa.bindparam("group")), updates)


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('home_changed_at')
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_proposal_supports_neighbourhood_id_neighbourhoods'),
                                 type_='foreignkey')
        batch_op.drop_column('neighbourhood_id')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_group_id_groups'), type_='foreignkey')
        batch_op.drop_column('group_id')
