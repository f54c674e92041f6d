"""Per-indicator review by the country's validator, comment threads, and validation."""
