"""Accounts, users, credentials and OAuth 2.0 access tokens."""
