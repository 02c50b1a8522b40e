"""The one version string of presswash (``setup.py`` reads it from here) and the output schema version."""

PIPELINE_VERSION = "0.2.0"
SCHEMA_VERSION = "2"  # bump on any change of ARTICLE_SCHEMA / REJECT_SCHEMA, with a step in schemas.compat.UPGRADES
