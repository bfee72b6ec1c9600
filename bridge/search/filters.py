"""Pre-filters shared by every search endpoint, as one Chroma ``where`` clause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.embedding.colors import similar_palette_names
from bridge.errors import InvalidInputError


@dataclass(frozen=True)
class SearchFilters:
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    color: str | None = None

    @classmethod
    def from_request(cls, values: dict[str, Any]) -> SearchFilters:
        filters = cls(values.get("category"), values.get("price_min"), values.get("price_max"), values.get("color"))
        if filters.price_min is not None and filters.price_max is not None and filters.price_min > filters.price_max:
            raise InvalidInputError("price_min must not be greater than price_max.", field="price_min")
        return filters

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.category:
            clauses.append({"category": self.category.strip().lower()})
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if self.color:
            names = similar_palette_names(self.color)
            color_clauses = [{"colors": {"$contains": name}} for name in names]
            clauses.append(color_clauses[0] if len(color_clauses) == 1 else {"$or": color_clauses})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
