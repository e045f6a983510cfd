"""The application's own route table, flattened (FastAPI includes routers lazily)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def api_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every route object with its full path template."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            yield from api_routes(
                route.original_router.routes, prefix + route.include_context.prefix
            )


def _walk(routes: Iterable[Any]) -> Iterator[tuple[str, str]]:
    for path, route in api_routes(routes):
        for method in sorted(route.methods):
            yield method, path


def all_routes(app: FastAPI, methods: set[str] | None = None) -> list[tuple[str, str]]:
    """Every (method, path template) the application serves, optionally of some methods."""
    return sorted(
        (method, path)
        for method, path in set(_walk(app.routes))
        if methods is None or method in methods
    )
