"""How many indicators each stored score rests on ("scored on X of Y")

Revision ID: 7c1e5d2a9b40
Revises: b7d41c2e9f10
Create Date: 2026-12-01 10:00:00.000000

Scores already stored keep their values (they were computed under the methodology of their
submission); only the counts are filled in, from the answers as they stand.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c1e5d2a9b40"
down_revision = "b7d41c2e9f10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("overall_scored", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("overall_total", sa.Integer(), nullable=True))
    with op.batch_alter_table("pillar_score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scored", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("total", sa.Integer(), nullable=True))
    op.execute("""
        UPDATE pillar_score SET
          total = (SELECT count(*) FROM indicator i JOIN assessment a ON a.framework_version_id = i.framework_version_id
                   WHERE a.id = pillar_score.assessment_id AND i.pillar_code = pillar_score.pillar_code
                     AND i.kind = 'maturity'),
          scored = (SELECT count(*) FROM answer an JOIN indicator i ON i.id = an.indicator_id
                    WHERE an.assessment_id = pillar_score.assessment_id AND i.pillar_code = pillar_score.pillar_code
                      AND i.kind = 'maturity' AND an.state = 'level')
    """)
    op.execute("""
        UPDATE assessment SET
          overall_total = (SELECT sum(ps.total) FROM pillar_score ps WHERE ps.assessment_id = assessment.id),
          overall_scored = (SELECT coalesce(sum(ps.scored), 0) FROM pillar_score ps
                            WHERE ps.assessment_id = assessment.id AND ps.status = 'scored')
        WHERE EXISTS (SELECT 1 FROM pillar_score ps WHERE ps.assessment_id = assessment.id)
    """)


def downgrade():
    with op.batch_alter_table("pillar_score", schema=None) as batch_op:
        batch_op.drop_column("total")
        batch_op.drop_column("scored")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("overall_total")
        batch_op.drop_column("overall_scored")
