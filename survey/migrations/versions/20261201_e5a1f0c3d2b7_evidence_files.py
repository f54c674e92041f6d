"""Evidence files attached to answers

Revision ID: e5a1f0c3d2b7
Revises: 7c1e5d2a9b40
Create Date: 2026-11-24 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5a1f0c3d2b7"
down_revision = "7c1e5d2a9b40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("scan", sa.String(length=16), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_evidence_file_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_evidence_file_indicator_id_indicator")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_evidence_file_uploaded_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_digest"), ["digest"], unique=False)
        batch_op.create_index("ix_evidence_file_assessment_indicator", ["assessment_id", "indicator_id"], unique=False)


def downgrade():
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_assessment_indicator")
        batch_op.drop_index(batch_op.f("ix_evidence_file_digest"))
    op.drop_table("evidence_file")
