"""Every answer carries the Content-Security-Policy, and no template holds what it refuses.

The browser tests (tests/browser/test_content_security_policy.py) show the pages working
under it in Chromium.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
TEMPLATES = sorted(
    (Path(__file__).resolve().parent.parent / "tongxing").rglob("templates/**/*.html")
)
# An inline script (a <script> without src), an on…= handler, a style attribute or element,
# or htmx's hx-on (which evaluates its text as a script).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style\b|\shx-on", re.IGNORECASE
)


@pytest.mark.parametrize("path", ["/", "/needs/", "/accounts/login/", "/api/v1/needs", "/nowhere/"])
def test_every_answer_carries_the_policy(db, path):
    assert Client().get(path)["Content-Security-Policy"] == POLICY


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_holds_an_inline_script_handler_or_style(template):
    text = re.sub(r"{#.*?#}", "", template.read_text(), flags=re.DOTALL)
    assert INLINE.findall(text) == []
