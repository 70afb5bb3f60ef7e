"""The Gradio page: two tabs wired to the playground's streams, the settings mirrored in the URL.

Everything a tab shows comes from `streams` (which runs nnref's heads, optimizers and
experiments); this file only lays out the fields and wires the events:

- Train streams a run (a generator: each yield is a frame); Stop ends it between two epochs.
  A run's state lives in its generator and in per-session gr.State, so two browsers never share one.
- Bad input is caught by a validator before the event runs: Gradio shows its message next to the
  field it names (gr.validate), and nothing runs.
- Every settings change re-encodes the query string (settings.encode) and a line of JavaScript
  puts it in the address bar; on load, the page's query string (gr.Request) restores the settings.
- Structural changes (data, head, body, seed, start) redraw the untrained network's map at once.
"""

from __future__ import annotations

import gradio as gr
import torch

from ..data import BATCHINGS
from ..experiments.optimizer_paths import SURFACES
from ..heads import HEADS
from ..nets import ACTIVATIONS
from ..optim import OPTIMIZERS, USES_BETAS, USES_MOMENTUM
from . import streams
from .pictures import FrameFiles, point_at
from .runs import view
from .settings import (
    DATASETS,
    MAX_EPOCHS,
    MAX_VISITS,
    PATH_KEYS,
    SCHEDULES,
    TRAINING_KEYS,
    PathSettings,
    SettingsError,
    TrainingSettings,
    decode,
    encode,
    format_hidden,
    parse_paths,
    parse_training,
    surface_defaults,
)

TRAINING_FIELDS = [
    "data",
    "csv_file",
    "csv_target",
    "head",
    "loss",
    "encoding",
    "output",
    "hidden",
    "activation",
    "optimizer",
    "lr",
    "gamma",
    "beta1",
    "beta2",
    "batching",
    "batch_size",
    "schedule",
    "epochs",
    "seed",
    "wrong_start",
]
PATH_FIELDS = ["surface", "x0", "y0", "optimizers", "lr", "gamma", "steps"]
STRUCTURAL = {
    "data",
    "csv_target",
    "head",
    "loss",
    "encoding",
    "output",
    "hidden",
    "activation",
    "seed",
    "wrong_start",
}  # what changes the untrained network's map
HEAD_FOR_DATA = {
    "red_black": "binary",
    "red_yellow_blue": "multiclass",
    "tagged_points": "multilabel",
    "curve": "regression",
}
CONCURRENT_RUNS = 4  # runs at once across all sessions; more wait in Gradio's queue

CSS = """
#train-status {font-size: 0.92em}
.field-note {font-size: 0.85em; color: var(--body-text-color-subdued)}
"""

# Put the query string in the address bar, keeping any parameter that is not the playground's.
SET_URL_JS = """
(query) => {
  const ours = new Set(__KEYS__);
  const others = [...new URLSearchParams(window.location.search)].filter(([k]) => !ours.has(k))
    .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v));
  const search = [query, ...others].filter(Boolean).join("&");
  window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") \
+ window.location.hash);
  return window.location.href;
}
""".replace("__KEYS__", str(sorted({*TRAINING_KEYS.values(), *PATH_KEYS.values(), "tab"})))


# ---------------------------------------------------------------- form values -> settings
def training_form(values) -> dict:
    return dict(zip(TRAINING_FIELDS, values))


def training_errors(form: dict) -> dict:
    """{field: message} for everything wrong with the form, data included; {} when a run can
    start."""
    try:
        settings = parse_training(form)
        streams.check_data(settings, form.get("csv_file"))
    except SettingsError as e:
        return e.errors
    return {}


def check_training(*values):
    errors = training_errors(training_form(values))
    return [gr.validate(name not in errors, errors.get(name, "")) for name in TRAINING_FIELDS]


def check_paths(*values):
    try:
        parse_paths(dict(zip(PATH_FIELDS, values)))
        errors = {}
    except SettingsError as e:
        errors = e.errors
    return [gr.validate(name not in errors, errors.get(name, "")) for name in PATH_FIELDS]


def settings_or_error(parse, form: dict):
    """Settings, or a gr.Error naming the fields (the validator has already shown them beside the
    fields)."""
    try:
        return parse(form)
    except SettingsError as e:
        raise gr.Error(str(e)) from None


# ---------------------------------------------------------------- training tab
def frame_outputs(frame: streams.TrainingFrame, files: FrameFiles | None = None) -> tuple:
    """(map, curves, status, command, data file, run state) for one frame; the command and the
    data file travel with the first frame only. Within a stream, pictures go as files
    (frame_files)."""
    first = frame.command is not None
    pictures = (frame.map, frame.curves)
    if files is not None:
        pictures = tuple(files.write(p, lossless=frame.state != "running") for p in pictures)
    command = gr.update(value=frame.command[0], language=frame.command[1]) if first else gr.skip()
    data_file = (
        gr.update(value=frame.data_csv, visible=frame.data_csv is not None) if first else gr.skip()
    )
    state = {"state": frame.state, "epoch": frame.epoch, "status": frame.status}
    return (*pictures, frame.status, command, data_file, state)


# Sessions whose Stop was pressed during a run. The run's own loop ends at its next frame and draws
# "stopped" itself: cancelling the stream instead raced with a frame already on its way, which could
# overwrite the stopped message with "running" after the run had ended.
STOP_REQUESTED: set[str] = set()


def train(request: gr.Request, *values):
    form = training_form(values)
    settings = settings_or_error(parse_training, form)
    session = request.session_hash
    STOP_REQUESTED.discard(session)
    try:
        with FrameFiles() as files:
            last = None
            for frame in streams.training_frames(settings, form["csv_file"]):
                if session in STOP_REQUESTED and last is not None:
                    message = stopped(last[-1])
                    yield (
                        gr.skip(),
                        gr.skip(),
                        message,
                        gr.skip(),
                        gr.skip(),
                        {**last[-1], "state": "stopped"},
                    )
                    return
                last = frame_outputs(frame, files)
                yield last
    except SettingsError as e:
        raise gr.Error(str(e)) from None
    finally:
        STOP_REQUESTED.discard(session)


def preview(*values):
    form = training_form(values)
    settings = settings_or_error(parse_training, form)
    try:
        return frame_outputs(streams.preview(settings, form["csv_file"]))
    except SettingsError as e:
        raise gr.Error(str(e)) from None


def stopped(run_state):
    """Stop's message: where the run was when it stopped."""
    if not run_state or run_state.get("state") != "running":
        return gr.skip()
    return run_state["status"].replace(
        "**running**", f"**stopped** at epoch {run_state['epoch']}", 1
    )


def request_stop(run_state, request: gr.Request):
    """Stop: the run ends at its next frame (see STOP_REQUESTED); the message shows at once."""
    if run_state and run_state.get("state") == "running":
        STOP_REQUESTED.add(request.session_hash)
    return stopped(run_state)


def head_for_data(data, head, loss):
    """Picking a data set picks the head that fits it (a teacher may still choose a wrong one)."""
    head = HEAD_FOR_DATA.get(data, head)
    return head, loss if loss in HEADS[head].losses else next(iter(HEADS[head].losses))


def loss_for_head(head, loss):
    return loss if loss in HEADS[head].losses else next(iter(HEADS[head].losses))


def visibility(data, head, optimizer, batching):
    """Show only the fields the current choices use."""
    return (
        gr.update(visible=data == "csv"),
        gr.update(visible=data == "csv"),
        gr.update(visible=head == "multiclass"),
        gr.update(visible=head == "regression"),
        gr.update(visible=optimizer in USES_MOMENTUM),
        gr.update(visible=optimizer in USES_BETAS),
        gr.update(visible=optimizer in USES_BETAS),
        gr.update(visible=batching == "mini"),
    )


# ---------------------------------------------------------------- paths tab
def path_outputs(
    frame: streams.PathFrame, settings: PathSettings, files: FrameFiles | None = None
) -> tuple:
    table = frame.table if frame.table is not None else gr.skip()
    picture = (
        files.write(frame.picture, lossless=frame.table is not None) if files else frame.picture
    )
    return picture, table, {"view": view(settings)}


def run_paths(*values):
    settings = settings_or_error(parse_paths, dict(zip(PATH_FIELDS, values)))
    with FrameFiles() as files:
        for frame in streams.path_frames(settings):
            yield path_outputs(frame, settings, files)


def surface_picked(surface):
    """A surface brings its own start, lr, gamma and steps (optimizer_paths.SURFACES), and its
    picture."""
    d = surface_defaults(surface)
    settings = PathSettings(surface=surface, **d)
    picture, _, state = path_outputs(streams.empty_paths(settings), settings)
    return d["x0"], d["y0"], d["lr"], d["gamma"], d["steps"], picture, "", state


def clicked(paths_state, evt: gr.SelectData):
    """A click on the picture: the start moves there (the picture's own view maps pixels to
    points)."""
    point = (
        point_at(evt.index[0], evt.index[1], paths_state["view"])
        if paths_state and evt.index
        else None
    )
    if point is None:
        return gr.skip(), gr.skip()
    return round(point[0], 3), round(point[1], 3)


# ---------------------------------------------------------------- the URL
def encode_query(*values):
    n = len(TRAINING_FIELDS)
    training = {k: v for k, v in training_form(values[:n]).items() if k != "csv_file"}
    training["hidden"] = training.get("hidden") if training.get("hidden") is not None else ""
    paths = dict(zip(PATH_FIELDS, values[n : n + len(PATH_FIELDS)]))
    return encode(training, paths, values[-1] or "training")


def restore(request: gr.Request):
    """The settings a link names (the rest keep their defaults), with the pictures they imply."""
    training, paths, tab = decode(dict(request.query_params) if request else {})
    form = {**initial_training_form(), **training}
    training_updates = [
        form[f] if f in training else gr.skip() for f in TRAINING_FIELDS if f != "csv_file"
    ]
    first = gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
    if STRUCTURAL & set(training):
        try:
            settings = parse_training(form)
            first = frame_outputs(streams.preview(settings))
        except SettingsError:
            pass  # the fields show the link's values; Train's validator will name what is wrong
    if (
        paths
    ):  # a link's surface brings its own start, lr, gamma and steps, unless the link names them
        surface = paths.get("surface", PathSettings.surface)
        paths = {"surface": surface, **surface_defaults(surface), **paths}
    path_updates = [paths[f] if f in paths else gr.skip() for f in PATH_FIELDS]
    picture = gr.skip(), gr.skip(), gr.skip()
    if paths:
        try:
            settings = parse_paths(paths)
            picture = path_outputs(streams.empty_paths(settings), settings)
        except SettingsError:
            pass
    return (*training_updates, *first, *path_updates, *picture, gr.Tabs(selected=tab), tab)


def initial_training_form() -> dict:
    d = TrainingSettings().as_dict()
    return {**d, "hidden": format_hidden(d["hidden"]), "csv_file": None}


# ---------------------------------------------------------------- the page
def build_app() -> gr.Blocks:
    torch.set_num_threads(
        1
    )  # small nets: one thread each is fastest, and runs of several users share the cores
    start = streams.preview(TrainingSettings())
    path_start = PathSettings()
    path_picture = streams.empty_paths(path_start)
    d = TrainingSettings()
    with gr.Blocks(title="nnref playground", delete_cache=(600, 1800)) as demo:
        gr.Markdown(
            "## nnref playground\nThe course's output layers, losses and optimizers, live: "
            "every number comes from nnref's own heads, `nnref.optim` and `nnref.experiments`. "
            "The address bar holds the settings: share it and the link opens this page as it is."
        )
        tab = gr.State("training")
        with gr.Tabs(selected="training") as tabs:
            with gr.Tab("Output layers and losses", id="training") as training_tab:
                with gr.Row():
                    with gr.Column(scale=1, min_width=300, elem_id="train-settings"):
                        f = {}
                        f["data"] = gr.Dropdown(
                            [(v, k) for k, v in DATASETS.items()],
                            value=d.data,
                            label="data",
                            elem_id="field-data",
                        )
                        f["csv_file"] = gr.File(
                            label="CSV file",
                            file_types=[".csv"],
                            type="filepath",
                            visible=False,
                            elem_id="field-csv_file",
                        )
                        f["csv_target"] = gr.Textbox(
                            label="target column",
                            placeholder="the last column",
                            visible=False,
                            elem_id="field-csv_target",
                        )
                        with gr.Row():
                            f["head"] = gr.Dropdown(
                                list(HEADS), value=d.head, label="task head", elem_id="field-head"
                            )
                            f["loss"] = gr.Dropdown(
                                ["ce", "mse"], value=d.loss, label="loss", elem_id="field-loss"
                            )
                        f["encoding"] = gr.Radio(
                            ["onehot", "ordinal"],
                            value=d.encoding,
                            label="encoding",
                            visible=False,
                            elem_id="field-encoding",
                        )
                        f["output"] = gr.Radio(
                            ["identity", "sigmoid"],
                            value=d.output,
                            label="output",
                            visible=False,
                            elem_id="field-output",
                        )
                        with gr.Row():
                            f["hidden"] = gr.Textbox(
                                format_hidden(d.hidden),
                                label="hidden layer sizes",
                                info="e.g. 16, 8 · empty: none",
                                elem_id="field-hidden",
                            )
                            f["activation"] = gr.Dropdown(
                                list(ACTIVATIONS),
                                value=d.activation,
                                label="hidden activation",
                                elem_id="field-activation",
                            )
                        with gr.Row():
                            f["optimizer"] = gr.Dropdown(
                                list(OPTIMIZERS),
                                value=d.optimizer,
                                label="optimizer",
                                elem_id="field-optimizer",
                            )
                            f["lr"] = gr.Number(d.lr, label="lr", elem_id="field-lr")
                        with gr.Row():
                            f["gamma"] = gr.Number(
                                d.gamma, label="γ (momentum)", elem_id="field-gamma"
                            )
                            f["beta1"] = gr.Number(
                                d.beta1, label="β1", visible=False, elem_id="field-beta1"
                            )
                            f["beta2"] = gr.Number(
                                d.beta2, label="β2", visible=False, elem_id="field-beta2"
                            )
                        with gr.Row():
                            f["batching"] = gr.Radio(
                                list(BATCHINGS),
                                value=d.batching,
                                label="batching",
                                elem_id="field-batching",
                            )
                            f["batch_size"] = gr.Number(
                                d.batch_size,
                                label="batch size",
                                precision=0,
                                elem_id="field-batch_size",
                            )
                        with gr.Row():
                            f["schedule"] = gr.Dropdown(
                                list(SCHEDULES),
                                value=d.schedule,
                                label="lr schedule",
                                elem_id="field-schedule",
                            )
                            f["epochs"] = gr.Number(
                                d.epochs,
                                label="epochs",
                                precision=0,
                                elem_id="field-epochs",
                                info=f"1 to {MAX_EPOCHS}; epochs × points ≤ {MAX_VISITS:,}",
                            )
                            f["seed"] = gr.Number(
                                d.seed, label="seed", precision=0, elem_id="field-seed"
                            )
                        wrong = "confidently wrong start (output bias: y ≈ 0 where t = 1)"
                        f["wrong_start"] = gr.Checkbox(
                            d.wrong_start, label=wrong, elem_id="field-wrong_start"
                        )
                        with gr.Row():
                            train_button = gr.Button(
                                "Train", variant="primary", elem_id="train-button"
                            )
                            stop_button = gr.Button("Stop", variant="stop", elem_id="stop-button")
                    with gr.Column(scale=2, elem_id="train-results"):
                        with gr.Row():
                            train_map = gr.Image(
                                start.map,
                                label="decision map",
                                interactive=False,
                                format="png",
                                buttons=[],
                                show_label=False,
                                elem_id="train-map",
                            )
                            train_curves = gr.Image(
                                start.curves,
                                label="loss, score and |∂E/∂net| per epoch",
                                interactive=False,
                                format="png",
                                buttons=[],
                                show_label=False,
                                elem_id="train-curves",
                            )
                        train_status = gr.Markdown(start.status, elem_id="train-status")
                        command = gr.Code(
                            start.command[0],
                            language=start.command[1],
                            label="reproduce this run",
                            lines=2,
                            interactive=False,
                            wrap_lines=True,
                            elem_id="train-command",
                        )
                        data_file = gr.File(
                            start.data_csv,
                            label="the data as CSV",
                            visible=start.data_csv is not None,
                            interactive=False,
                            elem_id="train-data",
                        )
                run_state = gr.State({"state": "ready"})
            with gr.Tab("Optimizer paths", id="paths") as paths_tab:
                with gr.Row():
                    with gr.Column(scale=1, min_width=260):
                        p = {}
                        p["surface"] = gr.Dropdown(
                            [
                                (n.replace("_", " ") + ": " + s["formula"], n)
                                for n, s in SURFACES.items()
                            ],
                            value=path_start.surface,
                            label="surface",
                            elem_id="field-surface",
                        )
                        with gr.Row():
                            p["x0"] = gr.Number(path_start.x0, label="start x", elem_id="field-x0")
                            p["y0"] = gr.Number(path_start.y0, label="start y", elem_id="field-y0")
                        gr.Markdown(
                            "…or click the contour plot to start there.", elem_classes="field-note"
                        )
                        p["optimizers"] = gr.CheckboxGroup(
                            list(OPTIMIZERS),
                            value=list(path_start.optimizers),
                            label="optimizers",
                            elem_id="field-optimizers",
                        )
                        with gr.Row():
                            p["lr"] = gr.Number(
                                path_start.lr, label="lr (all)", elem_id="field-p_lr"
                            )
                            p["gamma"] = gr.Number(
                                path_start.gamma, label="γ (momentum, nag)", elem_id="field-p_gamma"
                            )
                        p["steps"] = gr.Number(
                            path_start.steps, label="steps", precision=0, elem_id="field-steps"
                        )
                        paths_button = gr.Button("Run", variant="primary", elem_id="paths-button")
                    with gr.Column(scale=3, elem_id="paths-results"):
                        paths_picture = gr.Image(
                            path_picture.picture,
                            label="paths (click to move the start)",
                            interactive=False,
                            format="png",
                            buttons=[],
                            show_label=False,
                            elem_id="paths-picture",
                        )
                        paths_table = gr.Markdown(
                            "Press Run: the table gives each optimizer's numbers.",
                            elem_id="paths-table",
                        )
                paths_state = gr.State({"view": view(path_start)})
        link = gr.Textbox(
            label="link to these settings",
            interactive=False,
            buttons=["copy"],
            elem_id="share-link",
        )
        query = gr.Textbox(visible=False)

        training_inputs = [f[k] for k in TRAINING_FIELDS]
        training_outputs = [train_map, train_curves, train_status, command, data_file, run_state]
        path_inputs = [p[k] for k in PATH_FIELDS]
        path_outputs_ = [paths_picture, paths_table, paths_state]

        # Training: Train streams; Stop and any structural change cancel the stream.
        train_event = train_button.click(
            train,
            training_inputs,
            training_outputs,
            validator=check_training,
            concurrency_limit=CONCURRENT_RUNS,
            show_progress="minimal",
        )
        stop_button.click(request_stop, run_state, train_status, queue=False)
        data_picked = f["data"].input(
            head_for_data,
            [f["data"], f["head"], f["loss"]],
            [f["head"], f["loss"]],
            queue=False,
            cancels=[train_event],
        )
        head_picked = f["head"].input(
            loss_for_head, [f["head"], f["loss"]], f["loss"], queue=False, cancels=[train_event]
        )
        f["optimizer"].input(lambda name: OPTIMIZERS[name].lr, f["optimizer"], f["lr"], queue=False)
        redraw = dict(
            fn=preview,
            inputs=training_inputs,
            outputs=training_outputs,
            validator=check_training,
            concurrency_limit=CONCURRENT_RUNS,
            show_progress="hidden",
        )
        data_picked.then(**redraw)
        head_picked.then(**redraw)
        # .input: the user's own edits only (not a restored link), collapsed to the last while
        # typing.
        gr.on(
            [
                f[k].input
                for k in (
                    "loss",
                    "encoding",
                    "output",
                    "activation",
                    "wrong_start",
                    "hidden",
                    "seed",
                    "csv_target",
                )
            ]
            + [f["csv_file"].upload, f["csv_file"].clear],
            cancels=[train_event],
            trigger_mode="always_last",
            **redraw,
        )
        gr.on(
            [f["data"].change, f["head"].change, f["optimizer"].change, f["batching"].change],
            visibility,
            [f["data"], f["head"], f["optimizer"], f["batching"]],
            [
                f["csv_file"],
                f["csv_target"],
                f["encoding"],
                f["output"],
                f["gamma"],
                f["beta1"],
                f["beta2"],
                f["batch_size"],
            ],
            queue=False,
            show_progress="hidden",
        )

        # Paths: Run streams the animation; a click moves the start and runs; a surface brings its
        # defaults.
        paths_event = dict(
            fn=run_paths,
            inputs=path_inputs,
            outputs=path_outputs_,
            validator=check_paths,
            concurrency_limit=CONCURRENT_RUNS,
            show_progress="minimal",
        )
        paths_button.click(**paths_event)
        paths_picture.select(clicked, paths_state, [p["x0"], p["y0"]], queue=False).then(
            **paths_event
        )
        p["surface"].input(
            surface_picked,
            p["surface"],
            [p["x0"], p["y0"], p["lr"], p["gamma"], p["steps"], *path_outputs_],
            concurrency_limit=CONCURRENT_RUNS,
            show_progress="hidden",
        )

        # The URL: every change re-encodes it; loading the page restores it.
        training_tab.select(lambda: "training", None, tab, queue=False)
        paths_tab.select(lambda: "paths", None, tab, queue=False)
        watched = [c for c in training_inputs if c is not f["csv_file"]] + path_inputs
        gr.on(
            [c.change for c in watched] + [tab.change],
            encode_query,
            [*training_inputs, *path_inputs, tab],
            query,
            queue=False,
            show_progress="hidden",
        ).then(None, query, link, js=SET_URL_JS, queue=False, show_progress="hidden")
        # The link is written once the restore is done: a page whose link is filled shows the link's
        # settings.
        demo.load(
            restore,
            None,
            [
                *[c for c in training_inputs if c is not f["csv_file"]],
                *training_outputs,
                *path_inputs,
                *path_outputs_,
                tabs,
                tab,
            ],
            show_progress="hidden",
        ).then(
            None, None, link, js="() => window.location.href", queue=False, show_progress="hidden"
        )
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs):
    """Serve the page (Gradio's queue holds what exceeds CONCURRENT_RUNS); returns Gradio's (app,
    url, share_url)."""
    theme = gr.themes.Default(
        font=("ui-sans-serif", "system-ui", "sans-serif"),  # no web fonts: works offline
        font_mono=("ui-monospace", "Consolas", "monospace"),
    )
    demo.queue(default_concurrency_limit=CONCURRENT_RUNS)
    return demo.launch(
        server_name=host,
        server_port=port,
        quiet=True,
        ssr_mode=False,
        show_error=True,
        theme=theme,
        css=CSS,
        footer_links=["gradio"],
        **kwargs,
    )
