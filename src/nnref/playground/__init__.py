"""The playground: the course's heads, losses and optimizers live in a browser, on nnref's own code.

`nnref-playground` (or `make playground`) serves it at http://127.0.0.1:7860. Two tabs: output
layers and losses (a network training on 2-D points, streamed), and optimizer paths (the six
optimizers on the experiments' surfaces). Gradio is an optional dependency
(`pip install "nnref[playground]"`); only page.py imports it.
"""
