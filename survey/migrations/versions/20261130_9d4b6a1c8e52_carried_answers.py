"""Answers carried over from last cycle: their source and whether they wait for confirmation

Revision ID: 9d4b6a1c8e52
Revises: 9d4e2a7c1b55
Create Date: 2026-11-30 20:30:00.000000

Existing answers were typed by someone: none is carried, none waits for confirmation.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4b6a1c8e52"
down_revision = "9d4e2a7c1b55"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("to_confirm", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(
            batch_op.f("fk_answer_carried_from_id_answer"), "answer", ["carried_from_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_answer_carried_from_id_answer"), type_="foreignkey")
        batch_op.drop_column("to_confirm")
        batch_op.drop_column("carried_from_id")
