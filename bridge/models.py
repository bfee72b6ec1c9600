"""Every table, imported in one place so Alembic sees the whole schema."""

from bridge.accounts import models as accounts_models  # noqa: F401
from bridge.catalog import models as catalog_models  # noqa: F401
from bridge.connections import models as connections_models  # noqa: F401
from bridge.db import Base
from bridge.events import models as events_models  # noqa: F401
from bridge.jobs import models as jobs_models  # noqa: F401
from bridge.search import models as search_models  # noqa: F401
from bridge.storefront import models as storefront_models  # noqa: F401

metadata = Base.metadata
