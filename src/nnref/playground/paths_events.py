"""What the paths tab does: the optimizers' paths growing on a surface, a click moving the start,
a surface bringing its own settings, and one optimizer stepped by hand with its insides.

Each callback takes the tab's form by field name and returns its updates by component. All of it
runs in the server's own process, in a lane of its own (never behind training runs).
"""

from __future__ import annotations

import json
import time

import gradio as gr

from . import streams
from .fields import path_defaults, path_fields
from .form import parse_paths
from .layout import Page
from .pictures import point_at
from .presets import PRESETS, outcome
from .runs import view
from .sessions import SESSIONS, say, session_of
from .settings import PathSettings, SettingsError
from .stepper import Stepper

PATH_FRAME_GAP_S = 0.35  # the paths' animation: eight frames over about three seconds
RESULTS = ("paths_picture", "paths_table", "paths_outcome", "paths_view")


class PathsEvents:
    def __init__(self, page: Page):
        self.page = page
        self.inputs = {f.name: page.fields[f.name] for f in path_fields()}
        self.outputs = [page[name] for name in RESULTS]

    def settings(self, form: dict, request) -> PathSettings:
        try:
            return parse_paths(form)
        except SettingsError as e:
            raise gr.Error(say(e.args[0], request)) from None

    def check(self, request: gr.Request, **form):
        """The validator: each field's message beside it, in the session's language."""
        try:
            parse_paths({k: v for k, v in form.items() if k in self.inputs})
            errors = {}
        except SettingsError as e:
            errors = e.errors
        return {
            component: gr.validate(name not in errors, say(errors.get(name), request))
            for name, component in {**self.inputs, "preset": self.page["preset"]}.items()
        }

    def run(self, request: gr.Request, preset=None, **form):
        """The paths growing over about three seconds, then the numbers; with a preset, whether
        its claim showed."""
        settings = self.settings(form, request)
        chosen = PRESETS.get(preset)
        frames = list(streams.path_frames(settings))
        for i, frame in enumerate(frames):
            if i:
                time.sleep(PATH_FRAME_GAP_S)  # so that an eye can follow the paths
            out = {
                self.page["paths_picture"]: frame.picture,
                self.page["paths_view"]: json.dumps(view(settings)),
            }
            if i == len(frames) - 1:
                shows = chosen is not None and chosen.tab == "paths"
                line = outcome(chosen, frame.result) if shows else ""
                out[self.page["paths_table"]] = say(frame.table, request)
                out[self.page["paths_outcome"]] = say(line, request)
            yield out

    def surface_picked(self, surface):
        """A surface brings its own start, lr, gamma and steps, and its picture."""
        values = path_defaults(surface)
        settings = parse_paths(values)
        frame = streams.empty_paths(settings)
        return {self.page.fields[name]: value for name, value in values.items()} | {
            self.page["paths_picture"]: frame.picture,
            self.page["paths_table"]: "",
            self.page["paths_outcome"]: "",
            self.page["paths_view"]: json.dumps(view(settings)),
        }

    def clicked(self, shown, evt: gr.SelectData):
        """A click on the picture: the start moves there (the picture's own view maps pixels)."""
        point = (
            point_at(evt.index[0], evt.index[1], json.loads(shown)) if shown and evt.index else None
        )
        if point is None:
            return gr.skip()
        return {
            self.page.fields["x0"]: round(point[0], 3),
            self.page.fields["y0"]: round(point[1], 3),
        }

    # -------------------------------------------------------------- one optimizer, step by step
    def stepper(self, form: dict, request, fresh: bool = False) -> Stepper:
        """The session's stepper for these settings (a new one when they changed, or asked)."""
        session = session_of(request)
        SESSIONS.touch(session)
        key = tuple(form[name] for name in ("surface", "x0", "y0", "inspected", "p_lr", "p_gamma"))
        with SESSIONS.lock:
            held = SESSIONS.steppers.get(session)
        if fresh or held is None or held[0] != key:
            surface, x0, y0, inspected, lr, gamma = key
            try:
                held = key, Stepper(surface, (x0, y0), inspected, lr, gamma)
            except ValueError as e:
                raise gr.Error(say(e.args[0], request)) from None
            with SESSIONS.lock:
                SESSIONS.steppers[session] = held
        return held[1]

    def shown(self, stepper: Stepper, form: dict, request) -> dict:
        settings = PathSettings(surface=form["surface"], x0=form["x0"], y0=form["y0"])
        return {
            self.page["step_picture"]: stepper.picture(view(settings)),
            self.page["step_table"]: say(stepper.table(), request),
        }

    def reset(self, request: gr.Request, **form):
        """A fresh step-by-step run of one optimizer from the paths tab's start."""
        return self.shown(self.stepper(form, request, fresh=True), form, request)

    def step(self, request: gr.Request, **form):
        """One update of the session's stepper (a fresh one if the settings changed)."""
        stepper = self.stepper(form, request)
        try:
            stepper.step()
        except ValueError as e:
            raise gr.Error(say(e.args[0], request)) from None
        return self.shown(stepper, form, request)
