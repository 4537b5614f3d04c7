"""tap-insightly: a Singer tap for the Insightly CRM API v3.1."""
