"""nnref-playground [--port N] [--host H]: serve the playground and print its address.

Only this machine can reach it unless --host says otherwise (e.g. --host 0.0.0.0 for a classroom
network); Ctrl+C stops it.
"""

from __future__ import annotations

import argparse
import os

from .. import quiet


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="nnref-playground", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")
    args = parser.parse_args(argv)

    quiet.install()
    os.environ.setdefault(
        "GRADIO_ANALYTICS_ENABLED", "False"
    )  # no telemetry calls: the page works offline
    print("nnref playground: starting (imports take a few seconds)...", flush=True)
    # Imported after the filters and the environment above, which Gradio reads as it loads.
    from .page import build_app, launch

    demo = build_app()
    try:
        launch(demo, host=args.host, port=args.port, prevent_thread_lock=True)
    except (
        OSError
    ) as e:  # the port is taken (another playground?) or the address is not this machine's
        raise SystemExit(
            f"nnref playground: cannot listen on {args.host}:{args.port} "
            f"({e}); choose another with --port N"
        ) from None
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"nnref playground: http://{shown}:{args.port}  (Ctrl+C to stop)", flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()


if __name__ == "__main__":
    main()
