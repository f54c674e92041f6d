"""What the assessment workflow tells, and asks, the features above it (review), without importing them."""

from __future__ import annotations

from blinker import Namespace

from survey.hooks import Hook

_signals = Namespace()

# Sent as `submitted.send(assessment, user=...)` when a draft or returned assessment is submitted,
# before its scores are stored: the review feature puts returned indicators back in the queue.
submitted = _signals.signal("assessment-submitted")

reopened_codes = Hook("indicator codes the validator reopened for changes, among these answers",
                      default=lambda answers: frozenset())

filed_evidence = Hook("ids of the indicators of this assessment that have an evidence file",
                      default=lambda assessment_id: frozenset())
