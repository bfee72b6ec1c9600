from tests.platforms import app, merchant, photos, sleeps  # noqa: F401
