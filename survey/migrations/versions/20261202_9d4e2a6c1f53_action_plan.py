"""Action plans: actions answering an assessment's priority needs

Revision ID: 9d4e2a6c1f53
Revises: 9d4b6e1a2c57
Create Date: 2026-11-30 20:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9d4e2a6c1f53"
down_revision = "9d4b6e1a2c57"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=120), nullable=True),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("lead_agency", sa.String(length=200), nullable=False),
        sa.Column("target_stage", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=17, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("funding", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target_stage BETWEEN 1 AND 5", name=op.f("ck_plan_action_target_stage")),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name=op.f("ck_plan_action_cost")),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_action_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_plan_action_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_plan_action_updated_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action")),
    )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_action_assessment_id"), ["assessment_id"], unique=False)


def downgrade():
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_assessment_id"))
    op.drop_table("plan_action")
