"""Record who loaded each framework version (a command or the start-up); the agency of an account

Revision ID: 4b8e2f6a1c93
Revises: 9d4e7a1c6b25
Create Date: 2026-12-02 10:00:00.000000

Versions already stored count as loaded by command, so the development start-up never
overwrites one of them with the shipped file. Accounts may name the agency their holder works for.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "4b8e2f6a1c93"
down_revision = "9d4e7a1c6b25"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("framework_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), server_default="command", nullable=False))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency", sa.String(length=120), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("agency")
    with op.batch_alter_table("framework_version", schema=None) as batch_op:
        batch_op.drop_column("source")
