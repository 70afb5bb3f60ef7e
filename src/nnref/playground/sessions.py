"""What the server keeps for each browser tab (a Gradio session): a folder for its points as CSV,
its step-by-step optimizer, and its language; and every text the page shows, in that language.

The page keeps no gr.State: a state component makes every open tab hold a heartbeat connection to
the server, and a browser allows six connections per host, so a sixth tab could not load. What a
session carries (its points, the pictures' views) rides in hidden fields instead, and a session's
files and stepper go after SESSION_IDLE_S without a click, as Gradio's cache files do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time

from ..locale import language
from ..locale.messages import render

SESSION_IDLE_S = 900


class Sessions:
    """Each session's folder, stepper and language. Both files and stepper go when the session
    has been idle for SESSION_IDLE_S (Gradio's cache is swept the same way)."""

    def __init__(self):
        # Made when a session first needs a folder, not on import; removed with what it holds when
        # the server exits.
        self.files: tempfile.TemporaryDirectory | None = None
        self.seen: dict[str, float] = {}
        self.steppers: dict[str, tuple] = {}  # session -> (its settings, its Stepper)
        self.languages: dict[str, str] = {}  # set as the page loads: its link's, or the browser's
        self.lock = threading.Lock()

    def language(self, session: str) -> str:
        return self.languages.get(session, "en")

    def folder(self, session: str) -> str:
        self.touch(session)
        with self.lock:
            if self.files is None:
                self.files = tempfile.TemporaryDirectory(prefix="nnref-playground-sessions-")
        path = os.path.join(self.files.name, session or "anonymous")
        os.makedirs(path, exist_ok=True)
        return path

    def touch(self, session: str) -> None:
        with self.lock:
            self.seen[session] = time.monotonic()
        self.sweep()

    def sweep(self) -> None:
        now = time.monotonic()
        with self.lock:
            idle = [s for s, t in self.seen.items() if now - t > SESSION_IDLE_S]
            for session in idle:
                del self.seen[session]
                self.steppers.pop(session, None)
                self.languages.pop(session, None)
        if self.files is None:  # no session has had a folder yet
            return
        for session in idle:
            shutil.rmtree(os.path.join(self.files.name, session or "anonymous"), ignore_errors=True)


SESSIONS = Sessions()


def session_of(request) -> str:
    return getattr(request, "session_hash", None) or "anonymous"


def say(text, request) -> str:
    """A text (a message) the page shows, in the session's language."""
    return render(text, SESSIONS.language(session_of(request))) if text else ""


def page_language(request) -> str:
    """The link's ?lang= if it names one, else the browser's Accept-Language, else English."""
    params = dict(request.query_params) if request else {}
    if "lang" in params:
        return language(params["lang"])
    headers = getattr(request, "headers", None) or {}
    return language(headers.get("accept-language", ""))


def set_language(request) -> str:
    """The session's language, from its page's link or browser (as the page loads)."""
    lang = page_language(request)
    with SESSIONS.lock:
        SESSIONS.languages[session_of(request)] = lang
    return lang
