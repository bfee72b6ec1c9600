"""Shopper events: views, clicks, add-to-cart and purchases, and merged shopper ids."""
