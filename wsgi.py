"""WSGI entry point: ``gunicorn wsgi:app`` (what ``make run`` starts)."""

from bridge import create_app

app = create_app()
