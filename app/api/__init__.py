"""The JSON API under /api/v1: the same query functions as the pages and the exports."""
