"""duplicate pairs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:30:04.794026
"""
from alembic import op
import sqlalchemy as sa
import bridge.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duplicate_pairs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('product_pk', sa.String(length=32), nullable=False),
    sa.Column('existing_pk', sa.String(length=32), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.Column('detected_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['existing_pk'], ['products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_pk'], ['products.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_pk', 'existing_pk', name='uq_duplicate_pairs')
    )
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pairs_account_id'), ['account_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('duplicate_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_pairs_account_id'))

    op.drop_table('duplicate_pairs')
