"""Read-only queries that return plain, immutable objects."""
