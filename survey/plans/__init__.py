"""The action plan: what a country will do about its priority needs, who leads, by when, at what cost."""
