"""A fixed-rate (open-model) HTTP/1.1 load generator: `python -m bench.loadgen --help`.

wrk2 is not packaged for Debian and wrk itself is closed-model (each connection waits for its
answer before sending the next, so a slow server is offered less load and its slow answers are
under-counted). This one sends request i at start + i / rate whatever happened before, over a
pool of keep-alive connections (a new connection opens when none is free), and measures each
latency from the moment the request was due, not from when it went out: a server that falls
behind sees its queue in the percentiles (no coordinated omission). It prints one JSON line:
the offered and achieved rates, the status counts and the latency percentiles.

Run it pinned to its own core (`taskset -c 1`); check that it holds the rate against the bare
floor endpoint first (the benchmark does, every run, and reports the achieved rate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path


def load_requests(path: Path, host: str) -> list[bytes]:
    """Raw requests from a file of `path<TAB>cookie<TAB>csrf<TAB>body` lines."""
    made = []
    for line in path.read_text().splitlines():
        target, cookie, csrf, body = line.split("\t")
        data = body.encode()
        head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
            f"X-CSRF-Token: {csrf}\r\nHX-Request: true\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        made.append(head.encode() + data)
    return made


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def exchange(self, request: bytes) -> int:
        """Send one request, read the whole answer; returns the status."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        return status


async def run(
    host: str,
    port: int,
    requests: list[bytes],
    rate: float,
    duration: float,
    warmup: float,
    max_connections: int = 256,
) -> dict[str, object]:
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    opened = 0
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = 0
    waiting: dict[asyncio.Task[None], float] = {}

    async def one(request: bytes, due: float, counted: bool) -> None:
        nonlocal opened, errors
        try:
            if not idle.empty() or opened >= max_connections:
                conn = await idle.get()
            else:
                opened += 1
                reader, writer = await asyncio.open_connection(host, port)
                conn = Connection(reader, writer)
            status = await conn.exchange(request)
            idle.put_nowait(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            opened -= 1
            errors += 1
            return
        if counted:
            latencies.append(time.perf_counter() - due)
            statuses[status] += 1

    total = int(rate * (warmup + duration))
    skip = int(rate * warmup)
    start = time.perf_counter() + 0.05
    lag_max = 0.0
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lag_max = max(lag_max, -delay)
        task = asyncio.create_task(one(requests[i % len(requests)], due, i >= skip))
        if i >= skip:
            waiting[task] = due
        task.add_done_callback(lambda t: waiting.pop(t, None))
    sent_over = time.perf_counter() - (start + skip / rate)
    if waiting:
        await asyncio.wait(list(waiting), timeout=max(10.0, duration))
    # Whatever has not come back counts with the time it has waited so far (a lower bound).
    now = time.perf_counter()
    incomplete = len(waiting)
    latencies += [now - due for due in waiting.values()]
    for task in list(waiting):
        task.cancel()
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    measured = total - skip
    return {
        "offered_rate": rate,
        "achieved_rate": round(measured / sent_over, 1) if sent_over > 0 else None,
        "requests": measured,
        "completed": sum(statuses.values()),
        "incomplete": incomplete,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connections": opened,
        "scheduler_lag_max_ms": round(1000 * lag_max, 2),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(1000 * latencies[-1], 2) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    args = parser.parse_args()
    requests = load_requests(args.requests, f"{args.host}:{args.port}")
    result = asyncio.run(run(args.host, args.port, requests, args.rate, args.duration, args.warmup))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
