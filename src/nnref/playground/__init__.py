"""The playground: the course's heads, losses and optimizers live in a browser, on nnref's own code.

`python -m nnref.playground` (or `make playground`) serves it at http://127.0.0.1:7860. Two tabs:
output layers and losses (a network training on 2-D points, streamed), and optimizer paths (the six
optimizers on the experiments' surfaces). One idea per module:

- settings: the fields, their limits and the messages naming a bad one
- conf: optimizers and schedules from conf/, as train.py builds them
- datasets: the five data sets through nnref's TaskDataModule
- runs: one training run on nnref.experiments' loop, measured per epoch
- paths: the paths tab's numbers from nnref.experiments.optimizer_paths
- blit, colours, training_frames, path_frames: the pictures, drawn cheaply frame by frame
- frame_files: streamed frames written as image files cheaply (JPEG in between, PNG at the end)
- pacing: which epochs to draw
- streams: the frames each tab streams
- command: the train.py command (or experiment call) that reproduces a run
- urlstate: the settings in the page's URL
- app, __main__: the Gradio page and the command line
- serve, browser: starting the page in a subprocess and a headless Chromium (tests, scripts)

Gradio is an optional dependency (`pip install -e ".[playground]"`); nothing here imports it but app.
"""
