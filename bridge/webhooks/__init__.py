"""Webhooks: signed, retried POSTs to URLs merchants register (bulk-job callbacks use them now)."""
