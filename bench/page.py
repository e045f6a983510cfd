"""The questionnaire page on a phone's first visit: bytes over the wire and render time.

A manager opens step 1 of a draft with an empty cache: the HTML and every stylesheet, script
and icon it links, each asked for with `Accept-Encoding: gzip` as a browser does; the figure
is the sum of the bodies as sent (compressed where the server compresses). The largest step
is reported too. Render time is the median time to the last byte of the step page on a warm
keep-alive connection; its floor is a bare Starlette route sending the same HTML through the
same gzip middleware, under the same server settings.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.accounts.models import Role
from app.db import Database
from app.responses import service as responses
from app.responses.models import Response, ResponseStatus, Wave, WaveStatus
from bench.common import TMP, Client, Scale, Target, get, say, serve, sign_in
from bench.report import Figure, ratio_of

BUDGET_KB = 150
QUESTIONNAIRE = "digital"
ASSET = re.compile(r"""<(?:link|script)\b[^>]*?\b(?:href|src)="(/[^"]+)\"""")


def draft(target: Target) -> tuple[int, int, int]:
    """A cooperative-subject draft of the open wave: its id, cooperative and step count."""
    database = Database(target.url)
    with database.read_sessions() as session:
        found = session.scalar(
            select(Response)
            .join(Wave, Wave.id == Response.wave_id)
            .where(
                Wave.status == WaveStatus.OPEN,
                Response.status == ResponseStatus.DRAFT,
                Response.questionnaire_key == QUESTIONNAIRE,
            )
            .order_by(Response.id)
            .limit(1)
        )
        assert found is not None
        steps = len(responses.questionnaire_of(session, response=found).dimensions)
        result = found.id, found.cooperative_id, steps
    database.dispose()
    return result


def run(target: Target, scale: Scale) -> tuple[list[Figure], dict[str, Any]]:
    response_id, coop_id, steps = draft(target)
    cookie, _ = sign_in(target, f"bench_m{coop_id}", role=Role.MANAGER, cooperative_ids=(coop_id,))
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip, deflate, br"}
    repeats = scale.repeats * 5
    with serve("app.main:app_from_env", target.env(), f"page-{target.kind}") as server:
        step_bytes = {}
        raw_html = b""
        assets: dict[str, int] = {}
        for step in range(1, steps + 1):
            path = f"/responses/{response_id}/steps/{step}"
            status, answer_headers, body = get(server, path, headers)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status}")
            step_bytes[step] = len(body)
            if step == 1:
                encoding = answer_headers.get("content-encoding", "identity")
                _, _, raw_html = get(server, path, {"Cookie": cookie})
                for url in dict.fromkeys(ASSET.findall(raw_html.decode())):
                    status, _, asset = get(server, url, headers)
                    if status != 200:
                        raise RuntimeError(f"GET {url}: {status}")
                    assets[url] = len(asset)
        client = Client(server, headers)
        render = client.time_get(f"/responses/{response_id}/steps/1", repeats)
        client.close()
    page_file = TMP / f"htxso-bench-page-{target.kind}.html"
    page_file.write_bytes(raw_html)
    env = target.env() | {"BENCH_FLOOR_PAGE": str(page_file)}
    with serve("bench.floor_app:create", env, f"page-floor-{target.kind}") as server:
        client = Client(server, {"Accept-Encoding": "gzip, deflate, br"})
        floor = client.time_get("/page", repeats)
        client.close()
    first_load = step_bytes[1] + sum(assets.values())
    largest = max(step_bytes, key=lambda s: step_bytes[s])
    say(
        f"  first load {first_load / 1024:.1f} KB (HTML {step_bytes[1] / 1024:.1f} KB "
        f"{encoding}), render {render * 1000:.1f} ms vs floor {floor * 1000:.2f} ms"
    )
    details = {
        "path": f"/responses/{response_id}/steps/1",
        "html_encoding": encoding,
        "html_bytes_uncompressed": len(raw_html),
        "step_bytes": step_bytes,
        "assets": assets,
        "first_load_bytes": first_load,
        "render_seconds": render,
        "floor_seconds": floor,
    }
    sizes = ", ".join(f"{u.rsplit('/', 1)[-1]} {n / 1024:.1f} KB" for u, n in assets.items())
    figures = [
        Figure(
            database=target.kind,
            benchmark="questionnaire page, first load (HTML + CSS + JS, gzip)",
            figure=round(first_load / 1024, 1),
            unit="KB",
            target=f"< {BUDGET_KB} KB",
            met=first_load < BUDGET_KB * 1024,
            note=f"HTML {step_bytes[1] / 1024:.1f} KB ({encoding}; {len(raw_html) / 1024:.0f} KB "
            f"raw), largest step {largest}: {step_bytes[largest] / 1024:.1f} KB; {sizes}",
        ),
        Figure(
            database=target.kind,
            benchmark="questionnaire page, render (step 1)",
            figure=round(render * 1000, 2),
            unit="ms",
            floor=round(floor * 1000, 2),
            ratio=ratio_of(render, floor),
            target="report",
            note="floor: the same HTML from a bare Starlette route, same gzip middleware",
        ),
    ]
    return figures, details
