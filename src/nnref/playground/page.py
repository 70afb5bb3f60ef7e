"""The Gradio page: the layout (layout.py) wired to what each tab does (training_events.py,
paths_events.py) and to its link (link_events.py).

Bad input is caught by a validator before an event runs, and Gradio shows its message beside the
field it names; a bad value in a link is named in its field's own note, and the field keeps its
default. Every change re-encodes the link, and loading the page restores it. The events are wired
here and nowhere else; what each one does is in the module of its tab.
"""

from __future__ import annotations

import os

import gradio as gr
import torch

from . import streams
from .fields import training_fields
from .layout import Page, layout
from .link_events import LANG_JS, SWITCH_JS, LinkEvents, set_url_js
from .paths_events import PathsEvents
from .server import room_capacity
from .sessions import SESSION_IDLE_S
from .settings import PathSettings, TrainingSettings
from .training_events import TrainingEvents


def wire_training(page: Page, events: TrainingEvents, light: dict, lanes: int) -> dict:
    """Train, Stop, the redraws that follow a change, uploads, clicks and visibility; returns the
    redraw, for the events of the other parts that redraw too."""
    form = events.inputs
    page["train_button"].click(
        events.waiting, inputs_kwargs=form, outputs=[page["status"], page["downloads"]], queue=False
    ).then(
        events.train,
        inputs_kwargs=form,
        outputs=events.outputs,
        validator=events.check_train,
        api_name="train",
        concurrency_id="train",
        concurrency_limit=room_capacity(lanes),
        show_progress="minimal",
    )
    page["stop_button"].click(events.stop, None, None, queue=False)
    choices = dict(inputs_kwargs=form, outputs=[page["head"], page["loss"]], queue=False)
    redraw = dict(
        fn=events.preview,
        inputs_kwargs=form,
        outputs=events.outputs,
        validator=events.check_preview,
        show_progress="hidden",
        **light,
    )
    page["data"].input(events.data_picked, **choices).then(**redraw)
    page["head"].input(events.head_picked, **choices).then(**redraw)
    page["optimizer"].input(
        events.optimizer_picked, inputs_kwargs=form, outputs=page["lr"], queue=False
    )
    redrawn = [page[f.name].input for f in training_fields() if f.redraws and f.widget != "file"]
    gr.on([*redrawn, page["csv_file"].clear], trigger_mode="always_last", **redraw)
    page["csv_file"].upload(
        events.uploaded,
        inputs_kwargs=form,
        outputs=[page["head"], page["loss"], *events.outputs],
        validator=events.check_upload,
        show_progress="hidden",
        **light,
    )
    gr.on(
        [page["data"].change, page["csv_file"].upload],
        events.epochs_info,
        inputs_kwargs=form,
        outputs=page["epochs"],
        show_progress="hidden",
        **light,
    )
    shown = [page[f.name] for f in training_fields() if f.shown is not None]
    choosers = [page[f.name].change for f in training_fields() if f.widget in ("dropdown", "radio")]
    gr.on(
        choosers,
        events.visibility,
        inputs_kwargs=form,
        outputs=[*shown, page["colour"], page["clear"]],
        queue=False,
        show_progress="hidden",
    )
    clicked = [page["points"], page["train_view"], page["data"], page["colour"]]
    page["picture"].select(events.add_point, clicked, page["points"], queue=False).then(
        events.data_picked, **choices
    ).then(**redraw)
    page["clear"].click(lambda: "[]", None, page["points"], queue=False).then(**redraw)
    return redraw


def wire_paths(page: Page, events: PathsEvents, light: dict) -> None:
    """Run and Replay stream the animation; a click moves the start and runs; the stepper."""
    form = {**events.inputs, "preset": page["preset"]}
    run = dict(
        fn=events.run,
        inputs_kwargs=form,
        outputs=events.outputs,
        validator=events.check,
        show_progress="minimal",
        **light,
    )
    page["paths_button"].click(**run, api_name="run_paths")
    page["replay_button"].click(**run, api_name="replay_paths")
    page["paths_picture"].select(
        events.clicked, page["paths_view"], [page["x0"], page["y0"]], queue=False
    ).then(**run)
    starts = [page[name] for name in ("x0", "y0", "p_lr", "p_gamma", "steps")]
    page["surface"].input(
        events.surface_picked,
        page["surface"],
        [*starts, *events.outputs],
        show_progress="hidden",
        **light,
    )
    stepped = {**events.inputs, "inspected": page["inspected"]}
    outputs = [page["step_picture"], page["step_table"]]
    steps = dict(inputs_kwargs=stepped, outputs=outputs, show_progress="hidden", **light)
    page["step_button"].click(events.step, **steps)
    page["timer"].tick(events.step, **steps)
    page["reset_button"].click(events.reset, **steps)
    page["inspected"].input(events.reset, **steps)
    page["play_button"].click(lambda: gr.Timer(active=True), None, page["timer"], queue=False)
    page["pause_button"].click(lambda: gr.Timer(active=False), None, page["timer"], queue=False)


def wire_link(page: Page, events: LinkEvents, redraw: dict, demo: gr.Blocks) -> None:
    """Presets, the link written on every change, and the page restored as it loads."""
    fields = [page[name] for name in events.training if name in page.fields]
    fields += [page[name] for name in events.paths]
    preset_outputs = [*fields, page["tabs"], page["tab"], page["claim"]]
    page["preset"].input(events.preset_picked, page["preset"], preset_outputs, queue=False).then(
        **redraw
    )
    page["training_tab"].select(lambda: "training", None, page["tab"], queue=False)
    page["paths_tab"].select(lambda: "paths", None, page["tab"], queue=False)
    linked = {name: page[name] for name in [*events.training, *events.paths]}
    gr.on(
        [c.change for c in linked.values()] + [page["tab"].change, page["preset"].change],
        events.query,
        inputs_kwargs={**linked, "tab": page["tab"], "preset": page["preset"]},
        outputs=page["query"],
        queue=False,
        show_progress="hidden",
    ).then(None, page["query"], page["link"], js=set_url_js(), queue=False, show_progress="hidden")
    page["switch"].input(None, page["switch"], None, js=SWITCH_JS)
    restored = [
        *fields,
        *(page[name] for name in ("picture", "status", "command", "data_out", "downloads")),
        page["train_view"],
        *(page[name] for name in ("paths_picture", "paths_view", "tabs", "tab", "preset")),
        page["claim"],
        page["notice"],
    ]
    demo.load(events.relabel, None, list(page.texts), show_progress="hidden").then(
        None, page["switch"], None, js=LANG_JS, queue=False
    ).then(events.restore, None, restored, show_progress="hidden").then(
        None,
        None,
        page["link"],
        js="() => window.location.href",
        queue=False,
        show_progress="hidden",
    )


def build_app(concurrency: int | None = None) -> gr.Blocks:
    torch.set_num_threads(1)  # small nets: one thread each is fastest
    start = streams.preview(TrainingSettings())
    path_picture = streams.empty_paths(PathSettings()).picture
    # At least two lanes for previews, paths and steps, so that one click never waits on another.
    lanes = max(2, concurrency or os.cpu_count() or 2)
    with gr.Blocks(title="nnref playground", delete_cache=(120, SESSION_IDLE_S)) as demo:
        page = layout(start, path_picture, streams.MAX_WORK_S)
        light = dict(concurrency_id="light", concurrency_limit=lanes)  # previews, paths, steps
        redraw = wire_training(page, TrainingEvents(page), light, lanes)
        wire_paths(page, PathsEvents(page), light)
        wire_link(page, LinkEvents(page), redraw, demo)
    return demo
