"""Hostile bodies against a real uvicorn server: refused while its memory stays flat."""

from __future__ import annotations

import select
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.crash import _free_port, start_server
from tests.conftest import scratch_database

pytestmark = pytest.mark.slow
MB = 2**20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """(port, pid) of a portal served by uvicorn on a migrated scratch database."""
    from app import migrate

    with scratch_database(tmp_path_factory.mktemp("memory")) as url:
        migrate.upgrade(url)
        port = _free_port()
        process: subprocess.Popen[bytes] = start_server(url, port)
        try:
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def peak_memory(pid: int) -> int:
    """The server's peak resident memory so far, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def send(port: int, head: str, *, total: int, chunked: bool) -> int:
    """Send headers then up to `total` body bytes; the status the server answers with."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(10)
        conn.sendall(head.encode())
        piece = b"a" * MB
        sent = 0
        if "multipart" in head:
            # A well-formed start, so that the parser goes on reading the file's bytes.
            start = FILE_PART_START + b"a" * (MB - len(FILE_PART_START))
            conn.sendall(b"%x\r\n%s\r\n" % (len(start), start) if chunked else start)
            sent = MB
        while sent < total:
            readable, writable, _ = select.select([conn], [conn], [], 10)
            if readable or not writable:
                break
            try:
                conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        assert sent < total, "the server read the whole body"
        reply = conn.recv(4096).decode("latin-1")
    return int(reply.split()[1])


def head(path: str, *, content_type: str, cookie: str = "", length: int | None = None) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {content_type}"]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return "\r\n".join(lines) + "\r\n\r\n"


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=htxso"
FILE_PART_START = (
    b'--htxso\r\nContent-Disposition: form-data; name="file"; filename="htx.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\n"
)


def test_hostile_bodies__are_refused_while_memory_grows_by_under_20_mb(
    server: tuple[int, int],
) -> None:
    port, pid = server
    before = peak_memory(pid)
    # An anonymous 200 MB form, streamed with a cookie so that only its token field could
    # decide: counted and refused at the form limit.
    assert (
        send(
            port,
            head("/signin", content_type=FORM, cookie="htxso_anon=x"),
            total=200 * MB,
            chunked=True,
        )
        == 413
    )
    # The same, declared: refused before a byte is read.
    assert (
        send(
            port,
            head("/signin", content_type=FORM, length=200 * MB, cookie="htxso_anon=x"),
            total=200 * MB,
            chunked=False,
        )
        == 413
    )
    # A 1 GB upload without a cookie, declared and streamed.
    assert send(
        port,
        head("/admin/registry/check", content_type=MULTIPART, length=2**30),
        total=2**30,
        chunked=False,
    ) in (403, 413)
    assert (
        send(port, head("/admin/registry/check", content_type=MULTIPART), total=2**30, chunked=True)
        == 403
    )
    # A 1 GB upload streamed with a cookie: counted up to the registry's limit.
    assert (
        send(
            port,
            head("/admin/registry/check", content_type=MULTIPART, cookie="htxso_anon=x"),
            total=2**30,
            chunked=True,
        )
        == 413
    )
    growth = peak_memory(pid) - before
    print(f"peak memory growth: {growth / MB:.1f} MB")
    assert growth < 20 * MB
