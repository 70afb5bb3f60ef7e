"""The Gradio page: two tabs wired to the playground's runs, the settings mirrored in the URL.

Everything a tab shows is computed elsewhere (streams, the room's workers, runs, stepper); this file
lays out the fields and wires the events:

- Train sends the run to the room (room.py): the server's worker processes take turns among every
  session's runs, and the page streams its run's frames. Stop, or a new Train, ends the session's
  run. A session never sees another's: runs are keyed by Gradio's session hash.
- The page keeps no gr.State: a state component makes every open tab hold a heartbeat connection
  to the server, and a browser allows six connections per host, so a sixth tab could not load.
  What a session carries (its points, the pictures' views) rides in hidden fields instead.
- Bad input is caught by a validator before an event runs; Gradio shows its message beside the
  field it names. A bad value in a link is named the same way, in the field's own note, and the
  field keeps its default.
- Every settings change re-encodes the query string (settings.encode) and a line of JavaScript
  puts it in the address bar; on load, the page's query string restores the settings and a preset.
- The paths tab, previews and the step-by-step mode run in the server's own process, in their own
  queue, so they never wait behind training runs.
- In Korean (`?lang=ko`, kept in the link, or a browser that asks for Korean; the switch at the
  top reloads the page in the other language): every label and every message the server writes
  goes through nnref.locale's catalog playground.ko.yaml on its way out (`say`). The code writes
  English, once; commands and config keys stay as they are. The pictures' own labels stay
  English (their fonts have no Hangul).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time

import gradio as gr
import torch

from ..data import BATCHINGS
from ..experiments.optimizer_paths import SURFACES
from ..heads import HEADS
from ..locale import NAMES as LANGUAGE_NAMES
from ..locale import catalog, language
from ..nets import ACTIVATIONS
from ..optim import OPTIMIZERS, USES_BETAS, USES_MOMENTUM
from . import streams
from .data import POINT_CLASSES, load, points_csv, points_head
from .pictures import map_point_at, point_at
from .presets import PRESETS, outcome
from .room import Room
from .runs import view
from .settings import (
    COMPARISONS,
    DATASETS,
    MAX_EPOCHS,
    MAX_VISITS,
    PATH_KEYS,
    SCHEDULES,
    TRAINING_KEYS,
    PathSettings,
    SettingsError,
    TrainingSettings,
    checked,
    decode,
    encode,
    format_hidden,
    max_epochs,
    parse_paths,
    parse_training,
    surface_defaults,
)
from .stepper import Stepper

TRAINING_FIELDS = [
    "data", "csv_file", "csv_target", "head", "loss", "encoding", "output", "hidden", "activation",
    "optimizer", "lr", "gamma", "beta1", "beta2", "batching", "batch_size", "schedule", "epochs",
    "seed", "wrong_start", "compare", "patience",
]  # fmt: skip
PATH_FIELDS = ["surface", "x0", "y0", "optimizers", "lr", "gamma", "steps"]
STRUCTURAL = {
    "data", "csv_target", "head", "loss", "encoding", "output", "hidden", "activation", "seed",
    "wrong_start", "compare",
}  # fmt: skip  # what changes the untrained network's map
HEAD_FOR_DATA = {
    "red_black": "binary",
    "red_yellow_blue": "multiclass",
    "tagged_points": "multilabel",
    "curve": "regression",
}
PATH_FRAME_GAP_S = 0.35  # the paths' animation: eight frames over about three seconds
# A session's files and stepper go after this long without a click, as Gradio's cache files do
# (delete_cache): the page holds no heartbeat (see above), so idleness is how a session ends.
SESSION_IDLE_S = 900
MAX_FILE_SIZE = "1mb"  # an upload past this is refused before it reaches the server's disk

CSS = """
#train-status, #paths-outcome {font-size: 0.92em}
#preset-claim {font-size: 0.95em}
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
""".replace(
    "__KEYS__", str(sorted({*TRAINING_KEYS.values(), *PATH_KEYS.values(), "tab", "preset"}))
)


# The language switch: the same page, its link's lang= set to the other language, loaded anew.
SWITCH_JS = """
(name) => {
  const url = new URL(window.location.href);
  url.searchParams.set("lang", name === "__KO__" ? "ko" : "en");
  window.location.href = url.toString();
}
""".replace("__KO__", LANGUAGE_NAMES["ko"])


# ---------------------------------------------------------------- per-session things
class Sessions:
    """What the server keeps for a session: a folder (its points as CSV) and a stepper. Both go
    when the session has been idle for SESSION_IDLE_S (Gradio's cache is swept the same way)."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="nnref-playground-sessions-")
        self.seen: dict[str, float] = {}
        self.steppers: dict[str, Stepper] = {}
        self.languages: dict[str, str] = {}  # set as the page loads: its link's, or the browser's
        self.lock = threading.Lock()

    def language(self, session: str) -> str:
        return self.languages.get(session, "en")

    def folder(self, session: str) -> str:
        self.touch(session)
        path = os.path.join(self.root, session or "anonymous")
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
        for session in idle:
            shutil.rmtree(os.path.join(self.root, session or "anonymous"), ignore_errors=True)


ROOM: Room | None = None  # made by launch(): its worker processes start with the server
SESSIONS = Sessions()


# ---------------------------------------------------------------- form values -> settings
def training_form(values) -> dict:
    return dict(zip(TRAINING_FIELDS, values))


def data_file(form: dict, points, folder: str) -> str | None:
    """The CSV behind the form's data: an upload, or the session's points written as one."""
    if form.get("data") == "points":
        return points_csv(json.loads(points or "[]"), folder)
    return form.get("csv_file")


def training_errors(form: dict, points) -> dict:
    """{field: message} for everything wrong with the form, data included; {} when a run can
    start."""
    folder = tempfile.mkdtemp(prefix="nnref-playground-check-")
    try:
        settings = parse_training(form)
        streams.check_data(settings, data_file(form, points, folder))
    except SettingsError as e:
        return e.errors
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {}


def validations(fields, errors: dict, request, extra: int) -> list:
    """One gr.validate per input: each field's message (in the session's language), then
    `extra` inputs that are always fine."""
    return [
        gr.validate(name not in errors, say(errors.get(name, ""), request)) for name in fields
    ] + [gr.validate(True, "")] * extra


def check_training(request: gr.Request, *values):
    """The validator: the form's fields, then the points (no field of their own: named on data)."""
    errors = training_errors(training_form(values[:-2]), values[-2])
    if "points" in errors:
        errors.setdefault("data", errors.pop("points"))
    return validations(TRAINING_FIELDS, errors, request, extra=2)


def check_preview(request: gr.Request, *values):
    """The validator of a redraw: as Train's, except that too few points is no error here (the
    preview then shows the plane to click on)."""
    errors = training_errors(training_form(values[:-2]), values[-2])
    errors.pop("points", None)
    return validations(TRAINING_FIELDS, errors, request, extra=2)


def check_paths(request: gr.Request, *values):
    """The validator: the paths fields, then the preset (always fine)."""
    try:
        parse_paths(dict(zip(PATH_FIELDS, values)))
        errors = {}
    except SettingsError as e:
        errors = e.errors
    return validations(PATH_FIELDS, errors, request, extra=1)


def settings_or_error(parse, form: dict, request=None):
    """Settings, or a gr.Error naming the fields (the validator has shown them beside them)."""
    try:
        return parse(form)
    except SettingsError as e:
        raise gr.Error(say(str(e), request)) from None


def session_of(request) -> str:
    return getattr(request, "session_hash", None) or "anonymous"


def say(text: str, request) -> str:
    """A text the page shows, in the session's language."""
    lang = SESSIONS.language(session_of(request))
    return catalog("playground.ko.yaml").markdown(text, lang) if text else text


def english_texts(component) -> dict:
    """The texts a component shows, as the page was built (in English): label, info,
    placeholder, a button's or a note's text, a dropdown's choice labels."""
    out = {}
    for key in ("label", "info", "placeholder"):
        text = getattr(component, key, None)
        if isinstance(text, str) and text:
            out[key] = text
    if isinstance(component, (gr.Button, gr.Markdown)) and isinstance(component.value, str):
        out["value"] = component.value
    if isinstance(component, gr.Dropdown) and any(
        isinstance(c, (tuple, list)) and c[0] != c[1] for c in component.choices
    ):
        out["choices"] = [tuple(c) for c in component.choices]
    return out


def choice_label(label: str, request) -> str:
    """A choice's label: a surface's "name: formula" keeps its formula."""
    shown = say(label, request)
    name, colon, formula = label.partition(": ")
    if shown == label and colon:
        return f"{say(name, request)}: {formula}"
    return shown


def relabel(english: list, request):
    """Every text of the page in the session's language (set here, as the page loads; the
    language switch shows it)."""
    lang = page_language(request)
    with SESSIONS.lock:
        SESSIONS.languages[session_of(request)] = lang
    updates = []
    for texts in english:
        if texts.get("label") == "language":  # the switch: it shows the page's language
            updates.append(gr.update(value=LANGUAGE_NAMES[lang], label=say("language", request)))
            continue
        if lang == "en" or not texts:
            updates.append(gr.skip())
            continue
        shown = {k: say(v, request) for k, v in texts.items() if k != "choices"}
        if "choices" in texts:
            shown["choices"] = [(choice_label(a, request), b) for a, b in texts["choices"]]
        updates.append(gr.update(**shown))
    return updates


def page_language(request) -> str:
    """The link's ?lang= if it names one, else the browser's Accept-Language, else English."""
    params = dict(request.query_params) if request else {}
    if "lang" in params:
        return language(params["lang"])
    headers = getattr(request, "headers", None) or {}
    return language(headers.get("accept-language", ""))


# ---------------------------------------------------------------- training tab
def message_outputs(message: dict, preset_name: str, request=None) -> tuple:
    """(picture, status, command, data file, downloads, view) for a frame from the room; the
    command and the data file travel with the first frame, the downloads with the last."""
    first = message["command"] is not None
    status = message["status"]
    if message["state"] not in ("ready", "running"):
        line = outcome(PRESETS.get(preset_name), message["summaries"])
        status += f"  \n{line}" if line else ""
    status = say(status, request)
    command = (
        gr.update(value=message["command"][0], language=message["command"][1])
        if first
        else gr.skip()
    )
    csv_file = message["data_csv"]
    data = gr.update(value=csv_file, visible=csv_file is not None) if first else gr.skip()
    downloads = (
        gr.update(value=message["downloads"], visible=True) if message["downloads"] else gr.skip()
    )
    shown = json.dumps(message["view"]) if message["view"] else gr.skip()
    return message["picture"], status, command, data, downloads, shown


def waiting(request: gr.Request, *values):
    """At once, before the queue answers: the run is on its way, not ready (unless the form is
    wrong: then Train's validator names the fields, and the status stays as it was)."""
    if training_errors(training_form(values[:-2]), values[-2]):
        return gr.skip(), gr.skip()
    return say("**waiting** for a turn on the server…", request), gr.update(visible=False)


def train(request: gr.Request, *values):
    form, points, preset_name = training_form(values[:-2]), values[-2], values[-1]
    settings = settings_or_error(parse_training, form, request)
    session = session_of(request)
    try:
        csv_file = data_file(form, points, SESSIONS.folder(session))
    except SettingsError as e:
        raise gr.Error(say(str(e), request)) from None
    run = ROOM.start(session, settings, csv_file)
    try:
        ahead = ROOM.place(run)
        if ahead:  # a class pressed Train at once: say where this run stands
            going = ROOM.load
            text = (
                f"**waiting** for a turn: {ahead} run{'s' if ahead > 1 else ''} start before "
                f"yours; {going} runs share the server's {ROOM.concurrency} workers"
            )
            yield (gr.skip(), say(text, request), *[gr.skip()] * 4)
        for kind, payload in run:
            if kind == "error":
                raise gr.Error(say(payload, request))
            yield message_outputs(payload, preset_name, request)
    finally:
        if not run.ended:  # the page went away mid-run: end it in its worker
            ROOM.stop_run(run)
            run.drain()
        ROOM.finished(run)


def request_stop(request: gr.Request):
    """Stop: the session's run draws its last frame ("stopped at epoch N") and ends."""
    ROOM.stop(session_of(request))


def preview(request: gr.Request, *values):
    """The untrained network on the data (in this process: quick, and never queued behind runs)."""
    form, points = training_form(values[:-2]), values[-2]
    if ROOM is not None and ROOM.running(session_of(request)):
        return (gr.skip(),) * 6  # the run's own frames are showing; new settings apply at Train
    settings = settings_or_error(parse_training, form, request)
    try:
        frame = streams.preview(
            settings, data_file(form, points, SESSIONS.folder(session_of(request)))
        )
    except SettingsError as e:
        if form.get("data") == "points":  # no points yet, or too few: the empty map to click on
            return empty_points_map(points, str(e), request)
        raise gr.Error(say(str(e), request)) from None
    command = gr.update(value=frame.command[0], language=frame.command[1])
    csv_file = frame.data_csv
    shown = json.dumps(frame.view) if frame.view else gr.skip()
    return (
        frame.picture,
        say(frame.status, request),
        command,
        gr.update(value=csv_file, visible=csv_file is not None),
        gr.update(visible=False),
        shown,
    )


def empty_points_map(points, why: str, request=None):
    from .pictures import blank_points_map  # drawn only for this case

    picture, shown = blank_points_map(json.loads(points or "[]"), POINT_CLASSES)
    return (
        picture,
        say(f"**your points**: {why.removeprefix('your points: ')}", request),
        gr.skip(),
        gr.update(visible=False),
        gr.update(visible=False),
        json.dumps(shown),
    )


def add_point(points, shown, data, colour, evt: gr.SelectData):
    """A click on the map adds a point of the chosen class, where it was clicked."""
    if data != "points" or not evt.index:
        return gr.skip()
    limits = json.loads(shown) if shown else ((-3.0, 3.0), (-3.0, 3.0))
    point = map_point_at(evt.index[0], evt.index[1], limits)
    if point is None:
        return gr.skip()
    listed = json.loads(points or "[]")
    listed.append([round(point[0], 3), round(point[1], 3), colour])
    return json.dumps(listed)


def head_for_data(data, head, loss, points):
    """Picking a data set picks the head that fits it (a teacher may still choose a wrong one)."""
    head = (
        points_head(json.loads(points or "[]"))
        if data == "points"
        else HEAD_FOR_DATA.get(data, head)
    )
    return head, loss_for_head(head, loss)


def csv_head(csv_file, target, head) -> str:
    """The head an upload asks for: the one chosen if its target fits it, else the first of
    binary, multiclass, regression and multilabel that the data loads for (the heads' own rules
    decide, through data.load); the one chosen if none does (the validator then names why)."""
    for name in dict.fromkeys([head, "binary", "multiclass", "regression", "multilabel"]):
        try:
            load(
                parse_training({"data": "csv", "head": name, "csv_target": target or ""}), csv_file
            )
        except SettingsError:
            continue
        return name
    return head


def fitted(values) -> tuple:
    """An upload's form values with the head (and loss) its target asks for."""
    form = training_form(values[:-2])
    if form.get("csv_file"):
        form["head"] = csv_head(form["csv_file"], form.get("csv_target"), form["head"])
        form["loss"] = loss_for_head(form["head"], form["loss"])
    return (*[form[f] for f in TRAINING_FIELDS], *values[-2:])


def check_upload(request: gr.Request, *values):
    """The validator of an upload: as a redraw's, on the head the upload asks for."""
    return check_preview(request, *fitted(values))


def uploaded(request: gr.Request, *values):
    """An upload: the head its target asks for, then the untrained network on it."""
    values = fitted(values)
    form = training_form(values[:-2])
    return (form["head"], form["loss"], *preview(request, *values))


def loss_for_head(head, loss):
    return loss if loss in HEADS[head].losses else next(iter(HEADS[head].losses))


def epochs_note(data, csv_file, points, request: gr.Request):
    """The epochs field's note: the most these data allow (epochs × points ≤ MAX_VISITS)."""
    try:
        settings = parse_training({"data": data, "head": HEAD_FOR_DATA.get(data, "binary")})
        csv = data_file(
            {"data": data, "csv_file": csv_file}, points, SESSIONS.folder(session_of(request))
        )
        n = load(settings, csv).n_points
        most = max_epochs(n)
        note = f"1 to {most} for these {n} points (epochs × points ≤ {MAX_VISITS:,})"
    except (SettingsError, ValueError, OSError):
        note = f"1 to {MAX_EPOCHS}; epochs × points ≤ {MAX_VISITS:,}"
    return gr.update(info=say(note, request))


def visibility(data, head, optimizer, batching):
    """Show only the fields the current choices use."""
    return (
        gr.update(visible=data == "csv"),
        gr.update(visible=data == "csv"),
        gr.update(visible=data == "points"),
        gr.update(visible=data == "points"),
        gr.update(visible=head == "multiclass"),
        gr.update(visible=head == "regression"),
        gr.update(visible=optimizer in USES_MOMENTUM),
        gr.update(visible=optimizer in USES_BETAS),
        gr.update(visible=optimizer in USES_BETAS),
        gr.update(visible=batching == "mini"),
    )


# ---------------------------------------------------------------- paths tab
def run_paths(request: gr.Request, *values):
    """The paths growing over about three seconds, then the numbers; with a preset, the outcome."""
    settings = settings_or_error(parse_paths, dict(zip(PATH_FIELDS, values[:-1])), request)
    preset = PRESETS.get(values[-1])
    frames = list(streams.path_frames(settings))
    for i, frame in enumerate(frames):
        if i:
            time.sleep(PATH_FRAME_GAP_S)  # so that an eye can follow the paths
        last = i == len(frames) - 1
        line = (
            outcome(preset, frame.result)
            if last and preset is not None and preset.tab == "paths"
            else ""
        )
        yield (
            frame.picture,
            say(frame.table, request) if last else gr.skip(),
            say(line, request) if last else gr.skip(),
            json.dumps(view(settings)),
        )


def surface_picked(surface):
    """A surface brings its own start, lr, gamma and steps, and its picture."""
    d = surface_defaults(surface)
    settings = PathSettings(surface=surface, **d)
    frame = streams.empty_paths(settings)
    return (
        d["x0"],
        d["y0"],
        d["lr"],
        d["gamma"],
        d["steps"],
        frame.picture,
        "",
        "",
        json.dumps(view(settings)),
    )


def clicked(shown, evt: gr.SelectData):
    """A click on the picture: the start moves there (the picture's own view maps pixels)."""
    point = point_at(evt.index[0], evt.index[1], json.loads(shown)) if shown and evt.index else None
    if point is None:
        return gr.skip(), gr.skip()
    return round(point[0], 3), round(point[1], 3)


def session_stepper(key: tuple, request, fresh: bool = False) -> Stepper:
    """The session's stepper for these settings (a new one when they changed, or when asked)."""
    session = session_of(request)
    SESSIONS.touch(session)
    with SESSIONS.lock:
        held = SESSIONS.steppers.get(session)
    if fresh or held is None or held[0] != key:
        surface, x0, y0, inspected, lr, gamma = key
        try:
            held = key, Stepper(surface, (x0, y0), inspected, lr, gamma)
        except ValueError as e:
            raise gr.Error(say(str(e), request)) from None
        with SESSIONS.lock:
            SESSIONS.steppers[session] = held
    return held[1]


def stepper_outputs(stepper: Stepper, surface, x0, y0, request):
    settings = PathSettings(surface=surface, x0=x0, y0=y0)
    return stepper.picture(view(settings)), say(stepper.table(), request)


def stepper_reset(surface, x0, y0, lr, gamma, inspected, request: gr.Request):
    """A fresh step-by-step run of one optimizer from the paths tab's start."""
    stepper = session_stepper((surface, x0, y0, inspected, lr, gamma), request, fresh=True)
    return stepper_outputs(stepper, surface, x0, y0, request)


def stepper_step(surface, x0, y0, lr, gamma, inspected, request: gr.Request):
    """One update of the session's stepper (a fresh one if the settings changed)."""
    stepper = session_stepper((surface, x0, y0, inspected, lr, gamma), request)
    try:
        stepper.step()
    except ValueError as e:
        raise gr.Error(say(str(e), request)) from None
    return stepper_outputs(stepper, surface, x0, y0, request)


# ---------------------------------------------------------------- presets and the URL
def preset_values(name: str) -> tuple[dict, dict, str]:
    """(training values, path values, tab) a preset sets: its own, on the defaults of its tab."""
    preset = PRESETS.get(name)
    if preset is None:
        return {}, {}, "training"
    if preset.tab == "training":
        return {**initial_training_form(), **preset.values}, {}, "training"
    surface = preset.values.get("surface", PathSettings.surface)
    return {}, {"surface": surface, **surface_defaults(surface), **preset.values}, "paths"


def preset_picked(name, request: gr.Request):
    """A preset sets its tab's fields, opens the tab and says the claim."""
    training, paths, tab = preset_values(name)
    preset = PRESETS.get(name)
    claim = say(preset.sentence, request) if preset else ""
    t = [training.get(f, gr.skip()) for f in TRAINING_FIELDS if f != "csv_file"]
    p = [paths.get(f, gr.skip()) for f in PATH_FIELDS]
    return (*t, *p, gr.Tabs(selected=tab), tab, claim)


def encode_query(*values):
    n, m = len(TRAINING_FIELDS), len(PATH_FIELDS)
    training = {k: v for k, v in training_form(values[:n]).items() if k != "csv_file"}
    training["hidden"] = training.get("hidden") if training.get("hidden") is not None else ""
    paths = dict(zip(PATH_FIELDS, values[n : n + m]))
    query = encode(training, paths, values[n + m] or "training")
    preset = values[n + m + 1]
    return "&".join(
        part for part in (f"preset={preset}" if preset in PRESETS else "", query) if part
    )


def restore(request: gr.Request):
    """The settings a link names, a preset's first: a bad value is named in its field's note and
    the field keeps its default; the pictures follow the settings."""
    params = dict(request.query_params) if request else {}
    preset = params.get("preset") if params.get("preset") in PRESETS else ""
    training, paths, tab = decode(params)
    training, paths, errors = checked(training, paths)
    base_training, base_paths, preset_tab = preset_values(preset)
    training, paths = {**base_training, **training}, {**base_paths, **paths}
    tab = tab if "tab" in params else preset_tab
    form = {**initial_training_form(), **training}
    notes = {f: errors.get(f) for f in TRAINING_FIELDS}
    training_updates = [
        gr.update(value=form[f], info=say(notes[f], request))
        if notes.get(f)
        else (form[f] if f in training else gr.skip())
        for f in TRAINING_FIELDS
        if f != "csv_file"
    ]
    first = [gr.skip()] * 6
    if STRUCTURAL & set(training):
        try:
            frame = streams.preview(parse_training(form))
            first = [
                frame.picture,
                say(frame.status, request),
                gr.update(value=frame.command[0], language=frame.command[1]),
                gr.update(value=frame.data_csv, visible=frame.data_csv is not None),
                gr.skip(),
                json.dumps(frame.view) if frame.view else gr.skip(),
            ]
        except SettingsError as error:
            if form.get("data") == "points":  # no points yet: the empty plane to click on
                first = list(empty_points_map("[]", str(error), request))
            # else the fields show the link's values; Train's validator names what is wrong
    if paths:  # a link's surface brings its own start, lr, gamma and steps, unless it names them
        surface = paths.get("surface", PathSettings.surface)
        paths = {"surface": surface, **surface_defaults(surface), **paths}
    path_updates = [
        gr.update(value=paths.get(f, gr.skip()), info=say(errors.get(f"p_{f}"), request))
        if errors.get(f"p_{f}")
        else (paths[f] if f in paths else gr.skip())
        for f in PATH_FIELDS
    ]
    picture = [gr.skip()] * 2
    if paths:
        try:
            settings = parse_paths(paths)
            picture = [streams.empty_paths(settings).picture, json.dumps(view(settings))]
        except SettingsError:
            pass
    notice = "  \n".join(f"⚠ {say(message, request)}" for message in errors.values())
    claim = say(PRESETS[preset].sentence, request) if preset else ""
    return (
        *training_updates,
        *first,
        *path_updates,
        *picture,
        gr.Tabs(selected=tab),
        tab,
        preset,
        claim,
        notice,
    )


def initial_training_form() -> dict:
    d = TrainingSettings().as_dict()
    return {**d, "hidden": format_hidden(d["hidden"]), "csv_file": None}


# ---------------------------------------------------------------- the page
def build_app(concurrency: int | None = None) -> gr.Blocks:
    torch.set_num_threads(1)  # small nets: one thread each is fastest
    start = streams.preview(TrainingSettings())
    path_start = PathSettings()
    path_picture = streams.empty_paths(path_start)
    d = TrainingSettings()
    lanes = max(2, concurrency or os.cpu_count() or 2)
    with gr.Blocks(title="nnref playground", delete_cache=(120, SESSION_IDLE_S)) as demo:
        with gr.Row():
            heading = gr.Markdown(
                "## nnref playground\nThe course's output layers, losses and optimizers, live: "
                "every number comes from nnref's own heads, `nnref.optim` and `nnref.experiments`. "
                "The address bar holds the settings: share it and the link opens this page as it "
                "is.",
            )
            switch = gr.Radio(
                list(LANGUAGE_NAMES.values()),
                value=LANGUAGE_NAMES["en"],
                label="language",
                elem_id="field-lang",
                scale=0,
                min_width=180,
            )
        with gr.Row():
            preset = gr.Dropdown(
                [("choose a claim to see…", "")] + [(p.title, n) for n, p in PRESETS.items()],
                value="",
                label="a claim of the course",
                elem_id="field-preset",
                scale=1,
            )
            claim = gr.Markdown("", elem_id="preset-claim")
        notice = gr.Markdown("", elem_id="link-notice")
        tab = gr.Textbox("training", visible=False)
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
                            colour = gr.Radio(
                                list(POINT_CLASSES),
                                value=POINT_CLASSES[0],
                                label="a click on the map adds a point of",
                                visible=False,
                                elem_id="field-colour",
                            )
                            clear = gr.Button(
                                "Clear the points", visible=False, size="sm", elem_id="clear-points"
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
                                info=f"1 to {max_epochs(200)} for these 200 points "
                                f"(epochs × points ≤ {MAX_VISITS:,})",
                            )
                            f["seed"] = gr.Number(
                                d.seed, label="seed", precision=0, elem_id="field-seed"
                            )
                        wrong = "confidently wrong start (output bias: y ≈ 0 where t = 1)"
                        f["wrong_start"] = gr.Checkbox(
                            d.wrong_start, label=wrong, elem_id="field-wrong_start"
                        )
                        with gr.Row():
                            f["compare"] = gr.Dropdown(
                                list(COMPARISONS),
                                value=d.compare,
                                label="compare runs that differ in",
                                elem_id="field-compare",
                            )
                            f["patience"] = gr.Number(
                                d.patience,
                                label="early stop after",
                                precision=0,
                                info="epochs without a lower val loss; 0: off",
                                elem_id="field-patience",
                            )
                        run_note = gr.Markdown(
                            f"A run gets at most {streams.MAX_WORK_S:.0f} s of the server's work; "
                            "one run "
                            "per browser tab at a time.",
                            elem_classes="field-note",
                        )
                        with gr.Row():
                            train_button = gr.Button(
                                "Train", variant="primary", elem_id="train-button"
                            )
                            stop_button = gr.Button("Stop", variant="stop", elem_id="stop-button")
                    with gr.Column(scale=2, elem_id="train-results"):
                        picture = gr.Image(
                            start.picture,
                            label="the decision map, the curves and the validation rows",
                            interactive=False,
                            format="png",
                            buttons=[],
                            show_label=False,
                            elem_id="train-picture",
                        )
                        status = gr.Markdown(start.status, elem_id="train-status")
                        command = gr.Code(
                            start.command[0],
                            language=start.command[1],
                            label="reproduce this run",
                            lines=2,
                            interactive=False,
                            wrap_lines=True,
                            elem_id="train-command",
                        )
                        data_out = gr.File(
                            start.data_csv,
                            label="the data as CSV",
                            visible=start.data_csv is not None,
                            interactive=False,
                            elem_id="train-data",
                        )
                        downloads = gr.File(
                            label="take home: the model (for nnref-predict), the numbers per "
                            "epoch, the picture",
                            file_count="multiple",
                            visible=False,
                            interactive=False,
                            elem_id="train-downloads",
                        )
                points = gr.Textbox("[]", visible=False, elem_id="points")
                train_view = gr.Textbox(json.dumps(start.view), visible=False)
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
                        start_note = gr.Markdown(
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
                        with gr.Row():
                            paths_button = gr.Button(
                                "Run", variant="primary", elem_id="paths-button"
                            )
                            replay_button = gr.Button("Replay", elem_id="replay-button")
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
                        paths_outcome = gr.Markdown("", elem_id="paths-outcome")
                        paths_table = gr.Markdown(
                            "Press Run: the table gives each optimizer's numbers.",
                            elem_id="paths-table",
                        )
                with gr.Accordion(
                    "One optimizer, step by step: its insides", open=False, elem_id="stepper"
                ) as stepper:
                    with gr.Row():
                        inspected = gr.Dropdown(
                            list(OPTIMIZERS),
                            value="nag",
                            label="optimizer",
                            elem_id="field-inspected",
                            scale=1,
                        )
                        step_button = gr.Button("Step", elem_id="step-button", scale=1)
                        play_button = gr.Button("Play", elem_id="play-button", scale=1)
                        pause_button = gr.Button("Pause", elem_id="pause-button", scale=1)
                        reset_button = gr.Button("Reset", elem_id="reset-button", scale=1)
                    step_picture = gr.Image(
                        label="the insides",
                        interactive=False,
                        format="png",
                        buttons=[],
                        show_label=False,
                        elem_id="step-picture",
                    )
                    step_table = gr.Markdown(
                        "Press Step: one update, and what the optimizer holds after it.",
                        elem_id="step-table",
                    )
                    timer = gr.Timer(0.6, active=False)
                paths_view = gr.Textbox(json.dumps(view(path_start)), visible=False)
        link = gr.Textbox(
            label="link to these settings",
            interactive=False,
            buttons=["copy"],
            elem_id="share-link",
        )
        query = gr.Textbox(visible=False)

        training_inputs = [f[k] for k in TRAINING_FIELDS]
        training_outputs = [picture, status, command, data_out, downloads, train_view]
        path_inputs = [p[k] for k in PATH_FIELDS]
        path_outputs = [paths_picture, paths_table, paths_outcome, paths_view]
        light = dict(concurrency_id="light", concurrency_limit=lanes)  # previews, paths, steps

        # Training: Train asks the room for a turn; Stop and any structural change end the run.
        train_button.click(
            waiting, [*training_inputs, points, preset], [status, downloads], queue=False
        ).then(
            train,
            [*training_inputs, points, preset],
            training_outputs,
            validator=check_training,
            concurrency_id="train",
            concurrency_limit=room_capacity(lanes),
            show_progress="minimal",
        )
        stop_button.click(request_stop, None, None, queue=False)
        data_picked = f["data"].input(
            head_for_data,
            [f["data"], f["head"], f["loss"], points],
            [f["head"], f["loss"]],
            queue=False,
        )
        head_picked = f["head"].input(loss_for_head, [f["head"], f["loss"]], f["loss"], queue=False)
        f["optimizer"].input(lambda name: OPTIMIZERS[name].lr, f["optimizer"], f["lr"], queue=False)
        redraw = dict(
            fn=preview,
            inputs=[*training_inputs, points, preset],
            outputs=training_outputs,
            validator=check_preview,
            show_progress="hidden",
            **light,
        )
        data_picked.then(**redraw)
        head_picked.then(**redraw)
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
                    "compare",
                )
            ]
            + [f["csv_file"].clear],
            trigger_mode="always_last",
            **redraw,
        )
        f["csv_file"].upload(
            uploaded,
            [*training_inputs, points, preset],
            [f["head"], f["loss"], *training_outputs],
            validator=check_upload,
            show_progress="hidden",
            **light,
        )
        gr.on(
            [f["data"].change, f["csv_file"].upload],
            epochs_note,
            [f["data"], f["csv_file"], points],
            f["epochs"],
            show_progress="hidden",
            **light,
        )
        gr.on(
            [f["data"].change, f["head"].change, f["optimizer"].change, f["batching"].change],
            visibility,
            [f["data"], f["head"], f["optimizer"], f["batching"]],
            [
                f["csv_file"],
                f["csv_target"],
                colour,
                clear,
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
        picture.select(
            add_point, [points, train_view, f["data"], colour], points, queue=False
        ).then(
            head_for_data,
            [f["data"], f["head"], f["loss"], points],
            [f["head"], f["loss"]],
            queue=False,
        ).then(**redraw)
        clear.click(lambda: "[]", None, points, queue=False).then(**redraw)

        # Paths: Run and Replay stream the animation; a click moves the start and runs.
        paths_event = dict(
            fn=run_paths,
            inputs=[*path_inputs, preset],
            outputs=path_outputs,
            validator=check_paths,
            show_progress="minimal",
            **light,
        )
        paths_button.click(**paths_event)
        replay_button.click(**paths_event)
        paths_picture.select(clicked, paths_view, [p["x0"], p["y0"]], queue=False).then(
            **paths_event
        )
        p["surface"].input(
            surface_picked,
            p["surface"],
            [p["x0"], p["y0"], p["lr"], p["gamma"], p["steps"], *path_outputs],
            show_progress="hidden",
            **light,
        )
        stepper_inputs = [p["surface"], p["x0"], p["y0"], p["lr"], p["gamma"], inspected]
        step_button.click(
            stepper_step,
            stepper_inputs,
            [step_picture, step_table],
            show_progress="hidden",
            **light,
        )
        reset_button.click(
            stepper_reset,
            stepper_inputs,
            [step_picture, step_table],
            show_progress="hidden",
            **light,
        )
        timer.tick(
            stepper_step,
            stepper_inputs,
            [step_picture, step_table],
            show_progress="hidden",
            **light,
        )
        play_button.click(lambda: gr.Timer(active=True), None, timer, queue=False)
        pause_button.click(lambda: gr.Timer(active=False), None, timer, queue=False)
        inspected.input(
            stepper_reset,
            stepper_inputs,
            [step_picture, step_table],
            show_progress="hidden",
            **light,
        )

        # Presets: a choice sets its tab's fields and says its claim.
        preset.input(
            preset_picked,
            preset,
            [
                *[c for c in training_inputs if c is not f["csv_file"]],
                *path_inputs,
                tabs,
                tab,
                claim,
            ],
            queue=False,
        ).then(**redraw)

        # The URL: every change re-encodes it; loading the page restores it.
        training_tab.select(lambda: "training", None, tab, queue=False)
        paths_tab.select(lambda: "paths", None, tab, queue=False)
        watched = [c for c in training_inputs if c is not f["csv_file"]] + path_inputs
        gr.on(
            [c.change for c in watched] + [tab.change, preset.change],
            encode_query,
            [*training_inputs, *path_inputs, tab, preset],
            query,
            queue=False,
            show_progress="hidden",
        ).then(None, query, link, js=SET_URL_JS, queue=False, show_progress="hidden")
        # The page's own texts, in the session's language (relabel), then the link's settings.
        texts = [
            heading, switch, preset, training_tab, paths_tab, *f.values(), colour, clear,
            run_note, train_button, stop_button, picture, status, command, data_out, downloads,
            *p.values(), start_note, paths_button, replay_button, paths_picture, paths_table,
            stepper, inspected, step_button, play_button, pause_button, reset_button, step_picture,
            step_table, link,
        ]  # fmt: skip
        english = [english_texts(c) for c in texts]

        def relabelled(request: gr.Request):
            return relabel(english, request)

        switch.input(None, switch, None, js=SWITCH_JS)
        demo.load(relabelled, None, texts, show_progress="hidden").then(
            restore,
            None,
            [
                *[c for c in training_inputs if c is not f["csv_file"]],
                *training_outputs,
                *path_inputs,
                paths_picture,
                paths_view,
                tabs,
                tab,
                preset,
                claim,
                notice,
            ],
            show_progress="hidden",
        ).then(
            None, None, link, js="() => window.location.href", queue=False, show_progress="hidden"
        )
    return demo


def room_capacity(lanes: int) -> int:
    """Runs admitted into the room at once; more wait in Gradio's queue, seeing their place."""
    return 24 * lanes


def close_room() -> None:
    """Stop the room's worker processes (the server is shutting down)."""
    global ROOM
    if ROOM is not None:
        ROOM.close()
        ROOM = None


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
