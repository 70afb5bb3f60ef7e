"""A headless Chromium for Playwright: Debian's `chromium` where there is one, else Playwright's
own.

Where Playwright cannot download its browser (machines without internet), the system's Chromium is
launched through `executable_path`; NNREF_CHROMIUM names another binary. Where neither exists,
Playwright's own download is used (`playwright install chromium`). Missing pieces raise an error
that says what to install.
"""

from __future__ import annotations

import os
import shutil

INSTALL_HINT = (
    "install them with: pip install -e '.[playground]' (gradio, playwright) and either "
    "apt-get install chromium (Debian's) or python -m playwright install chromium"
)


def chromium_path() -> str | None:
    """NNREF_CHROMIUM, else `chromium` (or `chromium-browser`) on PATH, else None (Playwright's
    own)."""
    named = os.environ.get("NNREF_CHROMIUM")
    if named:
        if not (shutil.which(named) or os.path.isfile(named)):
            raise RuntimeError(f"NNREF_CHROMIUM={named}: no such executable")
        return shutil.which(named) or named
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright, **kwargs):
    """playwright.chromium.launch(headless) on the system's Chromium if there is one."""
    path = chromium_path()
    options = {"headless": True, **kwargs}
    if path:
        options["executable_path"] = path
    try:
        return playwright.chromium.launch(**options)
    except Exception as e:  # noqa: BLE001 - Playwright raises its own Error class; keep its text, add the fix
        raise RuntimeError(
            f"could not start Chromium ({path or 'Playwright’s own'}): {e}\n{INSTALL_HINT}"
        ) from e
