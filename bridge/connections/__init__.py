"""Connectors as an account configures them: credentials, schedules, sync runs and failures."""
