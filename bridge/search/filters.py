"""The filters of one search: pre-filters, seed 003 ``filters`` and seed 000 ``metadata_filters``,
combined into one tree, split into what Chroma pre-filters and what is checked afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.catalog.models import Product
from bridge.catalog.vectorviews import palette_names
from bridge.search.filtering import (
    AllOf,
    combine,
    from_prefilters,
    matches,
    parse_metadata_filters,
    parse_mongo,
    product_document,
    to_chroma_where,
)


@dataclass(frozen=True)
class SearchFilters:
    tree: AllOf = AllOf(())

    @classmethod
    def from_request(cls, values: dict[str, Any]) -> SearchFilters:
        """Every filter language a request may carry, ANDed; errors name the parameter."""
        trees = [
            from_prefilters(
                values.get("category"), values.get("price_min"), values.get("price_max"), values.get("color")
            )
        ]
        if values.get("filters") not in (None, "", {}):
            trees.append(parse_mongo(values["filters"]))
        if values.get("metadata_filters"):
            trees.append(parse_metadata_filters(values["metadata_filters"]))
        if values.get("colors"):
            trees.append(
                parse_metadata_filters(
                    [{"field": "colors", "operator": "in", "value": values["colors"]}], field="colors"
                )
            )
        return cls(combine(*trees))

    def where(self) -> dict | None:
        return to_chroma_where(self.tree)[0]

    @property
    def needs_check(self) -> bool:
        """Whether some condition is beyond Chroma and must be checked on each candidate."""
        return bool(to_chroma_where(self.tree)[1].conditions)

    def accepts(self, product: Product) -> bool:
        rest = to_chroma_where(self.tree)[1]
        return matches(rest, product_document(product.attributes, palette_names(product.attributes, product.colors)))

    def accepts_all(self, product: Product) -> bool:
        """Check every condition, for channels that cannot pre-filter at all (BM25)."""
        return matches(
            self.tree, product_document(product.attributes, palette_names(product.attributes, product.colors))
        )
