"""Browser tests' fixtures: real headless Chromium driven by Playwright's sync API, for the
browser tests of every directory (the root conftest loads this module as a plugin, so one
browser serves the whole session: a second Playwright cannot start beside the first).

Chromium is Debian's (`chromium` on the PATH, or the `CHROMIUM` environment variable), never
a browser downloaded by Playwright. In CI (the `CI` variable set) a missing Chromium fails the
tests, since a browser test may not skip there; on a workstation it skips them.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Village staff work on phones: an iPhone 12-14 sized viewport.
PHONE = {"width": 390, "height": 844}
# Generous for a local server, short enough that a hang fails fast.
TIMEOUT_MS = 10_000


def chromium_path() -> str:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        message = (
            f"Chromium not found at {path!r}: install Debian's `chromium` "
            "or point the CHROMIUM environment variable at it."
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message} Browser tests may not skip in CI.", pytrace=False)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in the test's thread for as long as it is
    # started, which trips Django's async-safety check as soon as a test touches the ORM
    # (creating its users, say). Lift the check for exactly that long: the variable is read
    # at each ORM call, and `make test`, which never starts the browser, keeps the check.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized browser context (no cookies, no session) and a page in it."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        # A phone in mainland China: it asks for Simplified Chinese (Accept-Language: zh-CN).
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Uncaught JavaScript errors of the page, to assert there are none."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def task_worker(live_server) -> Iterator[None]:
    """A worker of the task framework beside the live server, as `tongxing db_worker` runs
    beside the web server: it takes the background jobs the pages hand it."""
    import threading

    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-tests",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()  # this thread's own

    thread = threading.Thread(target=run, name="task-worker", daemon=True)
    thread.start()
    yield
    worker.running = False
    thread.join(timeout=10)
