"""Every table, imported in one place so Alembic sees the whole schema."""

from bridge.accounts import models as accounts_models  # noqa: F401
from bridge.db import Base

metadata = Base.metadata
