"""Recommendations: similar products and seed 003's recommendation algorithms."""
