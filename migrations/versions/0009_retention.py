"""Retention: users remember when they were last active and when they were told their unused
account will be erased (flask --app portal erase-inactive).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('inactivity_warned_at', sa.DateTime(), nullable=True))
    # The best knowledge of the past: the latest use of a device still signed in, else joining.
    op.execute("UPDATE users SET last_active_at = COALESCE((SELECT MAX(device_sessions.last_used_at) "
               "FROM device_sessions WHERE device_sessions.user_id = users.id), created_at)")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('inactivity_warned_at')
        batch_op.drop_column('last_active_at')
