"""The browser's fixtures (a phone-sized headless Chromium) for the visit form's test."""

from tests.browser.conftest import browser, page, page_errors  # noqa: F401
