"""Streaming ingestion (pure parts, no Beam import): Pub/Sub messages -> documents, dedup decisions."""
