"""The HTML layer: pages and htmx fragments on top of the domain services."""
