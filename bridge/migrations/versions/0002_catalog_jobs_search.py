"""products, jobs, search logs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:43:19.166633
"""
from alembic import op
import sqlalchemy as sa
import bridge.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('succeeded', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('callback_url', sa.String(length=2000), nullable=True),
    sa.Column('callback_secret', sa.String(length=200), nullable=True),
    sa.Column('callback_status', sa.String(length=200), nullable=True),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', bridge.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', bridge.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('product_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('category', sa.String(length=300), nullable=True),
    sa.Column('brand', sa.String(length=200), nullable=True),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('colors', sa.JSON(), nullable=False),
    sa.Column('visual_model', sa.String(length=200), nullable=True),
    sa.Column('text_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'product_id', name='uq_products_account_product')
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_account_category', ['account_id', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_account_id'), ['account_id'], unique=False)

    op.create_table('search_logs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('query_text', sa.Text(), nullable=True),
    sa.Column('result_count', sa.Integer(), nullable=False),
    sa.Column('took_ms', sa.Float(), nullable=False),
    sa.Column('created_at', bridge.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_logs_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_logs_created_at'), ['created_at'], unique=False)

    op.create_table('job_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('error_field', sa.String(length=200), nullable=True),
    sa.Column('duration_ms', sa.Float(), nullable=True),
    sa.Column('finished_at', bridge.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_items', schema=None) as batch_op:
        batch_op.create_index('ix_job_items_job_status', ['job_id', 'status', 'position'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('job_items', schema=None) as batch_op:
        batch_op.drop_index('ix_job_items_job_status')

    op.drop_table('job_items')
    with op.batch_alter_table('search_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_logs_created_at'))
        batch_op.drop_index(batch_op.f('ix_search_logs_account_id'))

    op.drop_table('search_logs')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_account_id'))
        batch_op.drop_index('ix_products_account_category')

    op.drop_table('products')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_jobs_account_id'))

    op.drop_table('jobs')
