"""nnref-playground [--port N] [--host H] [--concurrency N]: serve the playground and print its
address.

Only this machine can reach it unless --host says otherwise (e.g. --host 0.0.0.0 for a classroom
network); behind a reverse proxy that serves it under a path, --root-path names the path. Ctrl+C
stops it. --presets prints the presets (one per claim the playground shows) and their links.
"""

from __future__ import annotations

import argparse
import os
import signal

from .. import quiet
from ..locale.messages import _, environment_language, render


def interrupted(signum, frame):
    raise KeyboardInterrupt


def arguments() -> argparse.ArgumentParser:
    """The command line's options."""
    parser = argparse.ArgumentParser(prog="nnref-playground", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=os.cpu_count() or 1,
        help="runs trained at once, one worker process each (default: the number of cores)",
    )
    parser.add_argument(
        "--root-path",
        default=None,
        help="the path a reverse proxy serves the page under, e.g. /playground (default: none)",
    )
    parser.add_argument(
        "--presets", action="store_true", help="print the presets and their links, then exit"
    )
    return parser


def main(argv=None) -> None:
    parser = arguments()
    args = parser.parse_args(argv)
    if args.presets:
        from .presets import PRESETS

        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        print("| preset | the claim | lecture | link |\n|---|---|---|---|")
        for name, preset in PRESETS.items():
            link = f"http://{shown}:{args.port}/?preset={name}"
            print(f"| {preset.title} | {preset.claim} | {preset.lecture} | `{link}` |")
        return

    quiet.install()
    # No telemetry calls: the page works offline.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # What it says here, in the environment's language (the page has its own: ?lang=).
    lang = environment_language()
    print(render(_("nnref playground: starting (imports take a few seconds)..."), lang), flush=True)
    # Imported after the filters and the environment above, which Gradio reads as it loads.
    from .page import build_app
    from .server import close_room, launch

    if args.concurrency < 1:
        parser.error(
            render(
                _("--concurrency {n}: give a whole number >= 1", n=args.concurrency),
                lang,
            )
        )
    demo = build_app(args.concurrency)
    try:
        launch(
            demo,
            host=args.host,
            port=args.port,
            concurrency=args.concurrency,
            prevent_thread_lock=True,
            root_path=args.root_path,
        )
    except OSError as e:
        # The port is taken (another playground?) or the address is not this machine's.
        cannot = _(
            "nnref playground: cannot listen on {host}:{port} ({why}); choose another with "
            "--port N",
            host=args.host,
            port=args.port,
            why=str(e),
        )
        raise SystemExit(render(cannot, lang)) from None
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    address = _(
        "nnref playground: http://{host}:{port}  (Ctrl+C to stop)", host=shown, port=args.port
    )
    print(render(address, lang), flush=True)
    # `kill` (or a service manager's stop) ends it as Ctrl+C does: the room's workers go with it.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
        close_room()


if __name__ == "__main__":
    main()
