"""The engine tests' Spark session is the root conftest's ``spark`` fixture (one per run)."""
