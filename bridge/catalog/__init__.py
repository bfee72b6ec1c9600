"""Products: the catalog in SQL, and its indexing into the vector spaces."""
