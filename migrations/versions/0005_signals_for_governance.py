"""Signals carry what governance needs: value, detail, language, verified, first act

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 20:23:34.804710
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='', nullable=False))
        batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('first', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_signals_actor_key', ['actor_key'], unique=False)
        batch_op.create_index('ix_signals_at', ['at'], unique=False)
        batch_op.create_index('ix_signals_neighbourhood_at', ['neighbourhood_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_neighbourhood_at')
        batch_op.drop_index('ix_signals_at')
        batch_op.drop_index('ix_signals_actor_key')
        batch_op.drop_column('first')
        batch_op.drop_column('verified')
        batch_op.drop_column('language')
        batch_op.drop_column('detail')
        batch_op.drop_column('value')
