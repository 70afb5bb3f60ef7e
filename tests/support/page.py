"""The playground's page in a headless Chromium, for the browser tests: the page's address and the
worker's browser for one test (`Site`; tests/conftest.py starts one server and one Chromium per
test worker), and what a user does on the page (open it, pick an option, press a button, read a
field or the status)."""

from __future__ import annotations

import contextlib
import importlib.util
import re
import time

import pytest

# How long a wait may last before the test calls it hung. Every wait is for a condition, checked
# first and then as the page changes: this bound is only a guard, generous for a loaded machine.
GUARD_MS = 300_000
READY_JS = (
    "() => (document.querySelector('#share-link textarea, #share-link input')?.value || '')"
    ".startsWith('http')"
)


def chromium(playwright):
    """A headless Chromium (tests/support/browser.py); fails (not skips) naming what is missing."""
    from support import browser

    try:
        return browser.launch(playwright)
    except RuntimeError as e:
        pytest.fail(str(e))


def needs_browser_packages() -> None:
    from support.browser import INSTALL_HINT

    missing = [name for name in ("gradio", "playwright") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"the browser tests need {' and '.join(missing)}: {INSTALL_HINT}")


# Where the lines of the elements matching a selector break, as [before, after] pairs of letters:
# each letter's box (a Range over it) starting lower than the one before is a new line. Between two
# Hangul syllables such a break splits a word: Korean wraps at spaces (word-break: keep-all).
LINE_BREAKS_JS = r"""(elements) => {
  const pairs = [];
  for (const element of elements) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let top = null, before = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.textContent.length; i++) {
        const letter = node.textContent[i];
        // A space at the end of a line has no box of its own: it is what the break follows.
        if (/\s/.test(letter)) { before = letter; continue; }
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (!box || box.width === 0) continue;
        if (top !== null && box.top > top + box.height / 2) pairs.push([before, letter]);
        top = box.top;
        before = letter;
      }
    }
  }
  return pairs;
}"""
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def words_split(breaks: list) -> list:
    """The line breaks (LINE_BREAKS_JS's pairs) that fall inside a Korean word."""
    return [pair for pair in breaks if all(HANGUL.fullmatch(letter or "") for letter in pair)]


class Site:
    """The playground's address and a browser, for one test: `url, chromium = site` as before;
    every browser context the test opens (open_page, new_context) is closed when it ends, so a
    page left open keeps no timer running into the next test."""

    def __init__(self, url: str, browser):
        self.url, self.chromium, self.contexts = url, browser, []

    def __iter__(self):
        return iter((self.url, self.chromium))

    def __getitem__(self, index):
        return (self.url, self.chromium)[index]

    def new_context(self, **options):
        context = self.chromium.new_context(
            **{"viewport": {"width": 1400, "height": 1100}, "accept_downloads": True, **options}
        )
        context.set_default_timeout(GUARD_MS)  # clicks, loads and downloads too
        self.contexts.append(context)
        return context

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # a context the test closed itself
                context.close()


def open_page(site, query: str = "", context=None, wait: bool = True):
    """A new page (in its own browser context unless one is given), loaded and ready: its load
    events have run once the link to its settings is written."""
    context = context or site.new_context()
    page = context.new_page()
    page.goto(site.url + query)
    if wait:
        page.wait_for_function(READY_JS, timeout=GUARD_MS)
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
        timeout=GUARD_MS,
    )


def wait_for_text(page, selector: str, words: str, timeout_ms: int = GUARD_MS) -> str:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "([s, w]) => (document.querySelector(s)?.innerText || '').includes(w)",
            arg=[selector, words],
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        # Name what the page showed instead, so that a failure says where the run stood.
        shown = page.evaluate("s => document.querySelector(s)?.innerText", selector)
        raise AssertionError(f"{selector} never showed {words!r}; it shows {shown!r}") from None
    return page.locator(selector).inner_text()


def wait_for_status(page, word: str, timeout_ms: int = GUARD_MS) -> str:
    return wait_for_text(page, "#train-status", word, timeout_ms)


def losses(status: str) -> tuple:
    first, last = re.search(r"train loss ([-\d.e+]+) → ([-\d.e+]+)", status).groups()
    return float(first), float(last)


def wait_until(problems, every_s: float = 0.1):
    """Ask problems() until it finds none; after GUARD_MS, its last answer (which the test's assert
    then names). For what the page shows across several fields, which no one selector holds."""
    deadline = time.monotonic() + GUARD_MS / 1000
    while True:
        found = problems()
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(every_s)
