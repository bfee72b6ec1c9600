"""Liveness, readiness and the API documentation assets."""
