"""Governance: signals carry value, detail, language, verification and first acts; their summaries; targets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 20:41:15.903606
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signal_actors',
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('actor_key', sa.String(length=64), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('granularity', 'period_start', 'scope', 'scope_id', 'actor_key', name=op.f('pk_signal_actors'))
    )
    op.create_table('signal_counts',
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('municipio_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=40), nullable=False),
    sa.Column('signals', sa.Integer(), nullable=False),
    sa.Column('value_total', sa.Integer(), nullable=False),
    sa.Column('first_acts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('granularity', 'period_start', 'municipio_id', 'neighbourhood_id', 'kind', 'detail', name=op.f('pk_signal_counts'))
    )
    op.create_table('signal_people',
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('granularity', 'period_start', 'scope', 'scope_id', 'language', name=op.f('pk_signal_people'))
    )
    op.create_table('governance_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipio_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_governance_targets_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_targets')),
    sa.UniqueConstraint('municipio_id', 'indicator', name=op.f('uq_governance_targets_municipio_id_indicator'))
    )
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('value', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='', nullable=False))
        batch_op.add_column(sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('first', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('rolled_up', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_signals_actor_key', ['actor_key'], unique=False)
        batch_op.create_index('ix_signals_not_rolled_up', ['id'], unique=False, sqlite_where=sa.text('rolled_up = 0'), postgresql_where=sa.text('NOT rolled_up'))



def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_not_rolled_up', sqlite_where=sa.text('rolled_up = 0'), postgresql_where=sa.text('NOT rolled_up'))
        batch_op.drop_index('ix_signals_actor_key')
        batch_op.drop_column('rolled_up')
        batch_op.drop_column('first')
        batch_op.drop_column('verified')
        batch_op.drop_column('language')
        batch_op.drop_column('detail')
        batch_op.drop_column('value')

    op.drop_table('governance_targets')
    op.drop_table('signal_people')
    op.drop_table('signal_counts')
    op.drop_table('signal_actors')
