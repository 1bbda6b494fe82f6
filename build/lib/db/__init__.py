"""Storage: models, engine, migrations and seed data. Knows nothing of GraphQL."""
