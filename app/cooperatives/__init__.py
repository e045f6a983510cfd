"""The cooperative registry and its products."""
