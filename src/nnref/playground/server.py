"""The playground's server: the room of worker processes that train every session's runs, and
serving the page with the queue sized for a class.

`launch` starts the room's workers, then Gradio's server; `close_room` stops the workers when the
server shuts down (nnref-playground does both).
"""

from __future__ import annotations

import gradio as gr

from .room import Room

# A run waits its turn in Gradio's queue beyond this many per lane (worker); previews, paths and
# steps have lanes of their own, so they never wait behind training runs.
RUNS_PER_LANE = 24
MAX_FILE_SIZE = "1mb"  # an upload past this is refused before it reaches the server's disk
CSS = """
#train-status, #paths-outcome {font-size: 0.92em}
#preset-claim {font-size: 0.95em}
.field-note {font-size: 0.85em; color: var(--body-text-color-subdued)}
/* In Korean (the page sets <html lang="ko">): lines break between words, not inside one, as
   the Korean web does; a long code word may still break rather than overflow. Korean fonts
   first, by name (none is downloaded: the page works offline). */
html[lang="ko"] body, html[lang="ko"] body * {word-break: keep-all; overflow-wrap: anywhere}
html[lang="ko"] {--font: "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "Noto Sans CJK KR",
  ui-sans-serif, system-ui, sans-serif}
"""

ROOM: Room | None = None  # made by launch(): its worker processes start with the server


def room_capacity(lanes: int) -> int:
    """Runs admitted into the room at once; more wait in Gradio's queue, seeing their place."""
    return RUNS_PER_LANE * lanes


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    concurrency: int | None = None,
    **kwargs,
):
    """Start the room's workers, then serve the page; returns Gradio's (app, url, share_url)."""
    global ROOM
    if ROOM is None:
        ROOM = Room(concurrency)
        ROOM.wait_ready()
    theme = gr.themes.Default(
        font=("ui-sans-serif", "system-ui", "sans-serif"),  # no web fonts: works offline
        font_mono=("ui-monospace", "Consolas", "monospace"),
    )
    lanes = ROOM.concurrency
    demo.queue(default_concurrency_limit=lanes, max_size=room_capacity(lanes) * 2)
    return demo.launch(
        server_name=host,
        server_port=port,
        quiet=True,
        ssr_mode=False,
        show_error=True,
        theme=theme,
        css=CSS,
        footer_links=["gradio"],
        max_file_size=MAX_FILE_SIZE,
        max_threads=room_capacity(lanes) + 4 * lanes,
        **kwargs,
    )


def close_room() -> None:
    """Stop the room's worker processes (the server is shutting down)."""
    global ROOM
    if ROOM is not None:
        ROOM.close()
        ROOM = None
