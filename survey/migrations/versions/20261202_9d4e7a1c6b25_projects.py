"""Capacity-building projects, their beneficiary countries and targets

Revision ID: 9d4e7a1c6b25
Revises: 9d4b6a1c8e52
Create Date: 2026-11-30 20:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4e7a1c6b25"
down_revision = "9d4b6a1c8e52"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("implementer", sa.String(length=200), nullable=False),
        sa.Column("donors", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("budget", sa.Numeric(precision=17, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_project_owner_id_user"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_owner_id"), ["owner_id"], unique=False)
    op.create_table(
        "project_country",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("country_id", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["country_id"], ["country.id"], name=op.f("fk_project_country_country_id_country")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_country_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "country_id", name=op.f("pk_project_country")),
    )
    with op.batch_alter_table("project_country", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_country_country_id"), ["country_id"], unique=False)
    op.create_table(
        "project_target",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_project_target_project_id_project"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "code", name=op.f("pk_project_target")),
    )
    with op.batch_alter_table("project_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_target_code"), ["code"], unique=False)


def downgrade():
    with op.batch_alter_table("project_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_target_code"))
    op.drop_table("project_target")
    with op.batch_alter_table("project_country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_country_country_id"))
    op.drop_table("project_country")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_owner_id"))
    op.drop_table("project")
