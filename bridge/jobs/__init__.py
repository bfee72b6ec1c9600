"""Background jobs kept in SQL (bulk indexing first), run by an in-process worker pool."""
