"""The Elasticsearch backend: index mapping (documents.py), query building (queries.py),
searching (backend.py) and indexing with aliases (indexing.py). See docs/search.md."""
