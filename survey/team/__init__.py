"""A country's team: who holds which role, and which pillars each contributor answers."""
