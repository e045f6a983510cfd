"""The application's own route table, flattened (FastAPI includes routers lazily)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _walk(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, prefix + route.path
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def all_routes(app: FastAPI, methods: set[str] | None = None) -> list[tuple[str, str]]:
    """Every (method, path template) the application serves, optionally of some methods."""
    return sorted(
        (method, path)
        for method, path in set(_walk(app.routes))
        if methods is None or method in methods
    )
