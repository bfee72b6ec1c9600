"""Catalog connectors: pull products from shop platforms and keep Bridge's catalog in step.

Nothing here imports Flask or touches storage: a connector turns platform responses into
catalog payloads, and :mod:`connectors.sync` hands them to the catalog service.
"""
