"""storefront keys settings events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:30:12.036546
"""
from alembic import op
import sqlalchemy as sa
import bridge.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('public_keys',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('allowed_origins', sa.JSON(), nullable=False),
    sa.Column('rate_limit_per_minute', sa.Integer(), nullable=False),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', bridge.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('public_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_keys_account_id'), ['account_id'], unique=False)

    op.create_table('shopper_events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('event_type', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=True),
    sa.Column('session_id', sa.String(length=200), nullable=True),
    sa.Column('query_id', sa.String(length=32), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shopper_events', schema=None) as batch_op:
        batch_op.create_index('ix_shopper_events_account_time', ['account_id', 'created_at'], unique=False)
        batch_op.create_index('ix_shopper_events_account_user', ['account_id', 'user_id'], unique=False)

    op.create_table('shopper_merges',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('old_user_id', sa.String(length=200), nullable=False),
    sa.Column('new_user_id', sa.String(length=200), nullable=False),
    sa.Column('events_moved', sa.Integer(), nullable=False),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shopper_merges', schema=None) as batch_op:
        batch_op.create_index('ix_shopper_merges_account_old', ['account_id', 'old_user_id'], unique=False)

    op.create_table('website_settings',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id')
    )
    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('session_id')
        batch_op.drop_column('user_id')

    op.drop_table('website_settings')
    with op.batch_alter_table('shopper_merges', schema=None) as batch_op:
        batch_op.drop_index('ix_shopper_merges_account_old')

    op.drop_table('shopper_merges')
    with op.batch_alter_table('shopper_events', schema=None) as batch_op:
        batch_op.drop_index('ix_shopper_events_account_user')
        batch_op.drop_index('ix_shopper_events_account_time')

    op.drop_table('shopper_events')
    with op.batch_alter_table('public_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_keys_account_id'))

    op.drop_table('public_keys')
