"""A real server on a free port with its own database, and Debian's Chromium driven by Playwright.

Without Chromium the browser tests are skipped, unless HTXSO_REQUIRE_BROWSER is set (CI sets
it), in which case a missing browser fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_SECRET, scratch_database

CHROMIUM = os.environ.get("HTXSO_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _browser_missing()
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # One xdist worker runs every browser test: they share one live server, whose demo
            # province takes longer to build than most browser tests take to run.
            item.add_marker(pytest.mark.xdist_group("browser"))
            # The first browser test also pays for the live server's demo province.
            item.add_marker(pytest.mark.timeout(600))
            if reason and not os.environ.get("HTXSO_REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    passwords: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `htxso` against the server's database."""
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    reason = _browser_missing()
    if reason:
        pytest.fail(reason)
    folder = tmp_path_factory.mktemp("live")
    with scratch_database(folder) as url:
        env = os.environ | {
            "DATABASE_URL": url,
            "SECRET_KEY": TEST_SECRET,
            "ENVIRONMENT": "test",
            "PYTHONUNBUFFERED": "1",
        }
        server = LiveServer(url="", env=env, passwords={})
        server.cli("init")
        printed = server.cli("demo", "--cooperatives", "60")
        server.passwords = dict(re.findall(r"^\s+(\w+)\s+([a-z0-9-]{19})$", printed, re.M))
        port = _free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "app.main:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server.url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server.url, process)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"server exited: {output}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start in 30 s")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized page (360×740) with its own cookies."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep a picture of what the user saw, under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
