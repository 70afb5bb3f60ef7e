"""Screenshots of the playground for docs/playground.md: docs/figures/playground_*.png.

Starts `nnref-playground` (as `python -m nnref.playground`) on a free port, drives it in a headless
Chromium (Debian's `chromium` where there is one, else Playwright's own) and saves:

  playground_training.png    the whole page after a NAG run on the red/black points
  playground_saturation.png  the saturation preset: MSE against CE from the same wrong start
  playground_tags.png        the tagged points (multi-label): one sigmoid per tag
  playground_paths.png       the paths tab on the local minimum, with its numbers
  playground_stepper.png     NAG step by step: its gradient, momentum and look-ahead
  playground_bad_input.png   bad input: each message beside its field

    python scripts/playground_screenshots.py [--out docs/figures]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402
from support import browser  # tests/support, shared with the browser tests
from support.serve import serve  # tests/support, shared with the browser tests


def ready(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "() => (document.querySelector('#share-link textarea, #share-link input')?.value || '')"
        ".startsWith('http')",
        timeout=60_000,
    )


def trained(page) -> None:
    page.locator("#train-button").click()
    page.wait_for_function(
        "() => (document.querySelector('#train-status')?.innerText || '').includes('done')",
        timeout=60_000,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/figures")
    out = parser.parse_args(argv).out
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, f"playground_{name}.png")  # noqa: E731
    with sync_playwright() as playwright, serve() as url:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)

        ready(page, url + "?opt=nag")
        trained(page)
        page.screenshot(path=path("training"), full_page=True)

        ready(page, url + "?preset=saturation")
        trained(page)
        page.locator("#train-results").screenshot(path=path("saturation"))

        ready(
            page,
            url + "?data=tagged_points&head=multilabel&opt=adam&lr=0.01&epochs=200&hidden=16,16",
        )
        trained(page)
        page.locator("#train-results").screenshot(path=path("tags"))

        ready(page, url + "?tab=paths")
        page.locator("#paths-button").click()
        page.wait_for_selector("#paths-table table", timeout=60_000)
        page.locator("#paths-results").screenshot(path=path("paths"))

        ready(page, url + "?tab=paths&surface=ravine")
        page.locator("#stepper").get_by_text("One optimizer, step by step").click()
        for step in range(1, 6):
            page.locator("#step-button").click()
            page.wait_for_function(
                f"() => (document.querySelector('#step-table')?.innerText || '')"
                f".includes('step {step}:')",
                timeout=30_000,
            )
        page.locator("#stepper").screenshot(path=path("stepper"))

        ready(page, url + "?hidden=a,b&lr=-1&epochs=5000")
        page.locator("#train-button").click()
        page.wait_for_function(
            "() => document.querySelector('#field-lr').innerText.includes('out of range')"
        )
        page.locator("#train-settings").screenshot(path=path("bad_input"))
        chromium.close()
    for name in ("training", "saturation", "tags", "paths", "stepper", "bad_input"):
        print(path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
