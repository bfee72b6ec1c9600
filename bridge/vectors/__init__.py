"""The derived vector index (ChromaDB): one collection per account and vector space."""
