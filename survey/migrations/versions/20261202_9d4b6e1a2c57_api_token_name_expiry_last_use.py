"""API tokens users manage: a name, an optional expiry date, when last used, when revoked

Revision ID: 9d4b6e1a2c57
Revises: 3f9c2b7e4d18
Create Date: 2026-12-02 10:00:00.000000

Tokens created before (by the command line) get the name "command line", which is how they were made.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4b6e1a2c57"
down_revision = "3f9c2b7e4d18"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=80), server_default="", nullable=False))
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE api_token SET name = 'command line'")


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_on")
        batch_op.drop_column("name")
