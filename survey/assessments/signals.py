"""What the assessment workflow tells, and asks, the features above it (review), without importing them."""

from __future__ import annotations

from blinker import Namespace

from survey.hooks import Hook

_signals = Namespace()

# Sent as `submitted.send(assessment, user=...)` when a draft or returned assessment is submitted,
# before its scores are stored: the review feature puts returned indicators back in the queue.
submitted = _signals.signal("assessment-submitted")
# Sent as `returned.send(assessment, user=...)` once the validator sends returned indicators back.
returned = _signals.signal("assessment-returned")
# Sent as `validated.send(assessment, user=...)` once the validator validates an assessment.
validated = _signals.signal("assessment-validated")
# Sent as `released.send(assessment, user=..., level=...)` before a new release level is stored
# (`assessment.visibility` still holds the previous one).
released = _signals.signal("assessment-released")
# Sent as `carried.send(assessment, source=..., indicators={old indicator id: new one}, user=...)` once
# last cycle's answers were copied into a new draft: the evidence feature copies their files too.
carried = _signals.signal("answers-carried")
# Sent as `cycle_opened.send(cycle)` when a cycle is opened.
cycle_opened = _signals.signal("cycle-opened")

reopened_codes = Hook(
    "indicator codes the validator reopened for changes, among these answers", default=lambda answers: frozenset()
)

filed_evidence = Hook(
    "ids of the indicators of this assessment that have an evidence file", default=lambda assessment_id: frozenset()
)
