"""Publication: who outside a country may read its validated results."""
