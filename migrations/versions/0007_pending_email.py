"""An email address waits for its owner's confirmation before it is used

Addresses saved before this revision stay in use as they are: moving them to "waiting" would stop
everyone who signs in with their email, with no way to reach them. One attached to the wrong
account is not stuck there: its real owner can now join with it (the page no longer says it is
taken), is told by mail which account holds it, and can reset that account's password by email.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_email', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('pending_email')
