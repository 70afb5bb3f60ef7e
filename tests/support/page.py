"""The playground's page in a headless Chromium, for the browser tests: a server and a browser
for a test module (`site`), and what a user does on the page (open it, pick an option, press a
button, read a field or the status)."""

from __future__ import annotations

import contextlib
import importlib.util
import re

import pytest

READY_JS = (
    "() => (document.querySelector('#share-link textarea, #share-link input')?.value || '')"
    ".startsWith('http')"
)


@contextlib.contextmanager
def site(log_path: str, command=None):
    """(url, chromium): the playground in a subprocess and a headless Chromium; fails (not skips)
    naming what is missing."""
    from support.browser import INSTALL_HINT

    missing = [name for name in ("gradio", "playwright") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"the browser tests need {' and '.join(missing)}: {INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    from support import browser
    from support.serve import serve

    with sync_playwright() as playwright:
        try:
            chromium = browser.launch(playwright)
        except RuntimeError as e:
            pytest.fail(str(e))
        try:
            with serve(log_path=log_path, command=command) as url:
                yield url, chromium
        finally:
            chromium.close()


def open_page(site, query: str = "", context=None, wait: bool = True):
    """A new page (in its own browser context unless one is given), loaded and ready: its load
    events have run once the link to its settings is written."""
    url, chromium = site
    context = context or chromium.new_context(
        viewport={"width": 1400, "height": 1100}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(url + query)
    if wait:
        page.wait_for_function(READY_JS, timeout=60_000)
    return page


def choose(page, field: str, option: str) -> None:
    """Pick an option of a Gradio dropdown the way a user does."""
    page.locator(f"#field-{field} input").first.click()
    page.get_by_role("option", name=option, exact=True).click()


def field_value(page, field: str) -> str:
    return page.locator(f"#field-{field} input, #field-{field} textarea").first.input_value()


def wait_for_value(page, field: str, expected: str) -> None:
    page.wait_for_function(
        "([f, v]) => [...document.querySelectorAll(`#field-${f} input, #field-${f} textarea`)]"
        ".some(e => e.value === v)",
        arg=[field, expected],
        timeout=10_000,
    )


def wait_for_text(page, selector: str, words: str, timeout_ms: int = 30_000) -> str:
    page.wait_for_function(
        "([s, w]) => (document.querySelector(s)?.innerText || '').includes(w)",
        arg=[selector, words],
        timeout=timeout_ms,
    )
    return page.locator(selector).inner_text()


def wait_for_status(page, word: str, timeout_ms: int = 30_000) -> str:
    return wait_for_text(page, "#train-status", word, timeout_ms)


def losses(status: str) -> tuple:
    first, last = re.search(r"train loss ([-\d.e+]+) → ([-\d.e+]+)", status).groups()
    return float(first), float(last)
