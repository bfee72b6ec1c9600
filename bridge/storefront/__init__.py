"""Storefront: publishable keys for widgets and the website settings they read."""
