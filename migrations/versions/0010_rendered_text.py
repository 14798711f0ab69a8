"""Rendered text: posts, earlier versions of posts, proposals and events store the cleaned HTML of
their Markdown with the sanitiser's version, so pages never run Markdown or bleach
(flask --app portal rerender-text renders them again when the rules change).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:45:00
"""
from alembic import op
import sqlalchemy as sa

from portal.text import SANITISER_VERSION, rendered


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = {'posts': ('body',), 'post_revisions': ('body',), 'proposals': ('description', 'answer'),
          'events': ('description',)}
BATCH = 500


def _fill(table: str, fields: tuple[str, ...]) -> None:
    """Render the rows already there, a batch at a time (keyset on id: big forums fit in memory)."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column('id'), sa.column('text_version'),
                    *(sa.column(name) for field in fields for name in (field, f'{field}_html')))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, *(rows.c[field] for field in fields))
            .where(rows.c.id > last).order_by(rows.c.id).limit(BATCH)).all()
        if not batch:
            return
        for row in batch:
            values = {f'{field}_html': rendered(source) for field, source in zip(fields, row[1:])}
            connection.execute(sa.update(rows).where(rows.c.id == row[0])
                               .values(text_version=SANITISER_VERSION, **values))
        last = batch[-1][0]


def upgrade() -> None:
    for table, fields in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for field in fields:
                batch_op.add_column(sa.Column(f'{field}_html', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('text_version', sa.Integer(), nullable=False, server_default='0'))
        _fill(table, fields)


def downgrade() -> None:
    for table, fields in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('text_version')
            for field in fields:
                batch_op.drop_column(f'{field}_html')
