"""Answers to date and single-choice facts

Revision ID: b7d41c2e9f10
Revises: 565d980716f4
Create Date: 2026-11-23 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7d41c2e9f10"
down_revision = "565d980716f4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("date_value", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("choice_value", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("choice_value")
        batch_op.drop_column("date_value")
