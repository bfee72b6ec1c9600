from tests.connector_fixtures import app, merchant, photos, sleeps  # noqa: F401
