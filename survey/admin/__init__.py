"""Administration: accounts, roles, and the audit log across countries."""
