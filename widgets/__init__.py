"""Storefront widgets: the one-tag script and the demo storefront that mounts it."""
