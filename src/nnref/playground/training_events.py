"""What the training tab does: Train, Stop, the untrained network redrawn as settings change, a
click on the map adding a point, an upload choosing its head, and which fields show.

Every callback takes the form by field name (Gradio's `inputs_kwargs`) and returns its updates by
component: no value is found by its position in a list. Train sends the run to the room (room.py),
whose worker processes take turns among every session's runs; the page streams its run's frames.
Stop, or a new Train, ends the session's run. Previews run in the server's own process, in a lane
of their own, so they never wait behind training runs.
"""

from __future__ import annotations

import json
import shutil
import tempfile

import gradio as gr

from ..heads import HEADS, fitting
from ..locale.messages import _, _n, join
from ..optim import OPTIMIZERS
from . import server, streams
from .data import POINT_CLASSES, TARGETS, load, points_csv, points_head
from .fields import training_fields
from .form import parse_training
from .layout import Page, epochs_note
from .pictures import map_point_at
from .presets import PRESETS, outcome
from .room import Failed
from .sessions import SESSIONS, say, session_of
from .settings import SettingsError

RESULTS = ("picture", "status", "command", "data_out", "downloads", "train_view")


class TrainingEvents:
    def __init__(self, page: Page):
        self.page = page
        self.names = [f.name for f in training_fields()]
        # the form: every training field, then the session's points and the preset chosen
        self.inputs = {name: page.fields[name] for name in self.names}
        self.inputs |= {"points": page["points"], "preset": page["preset"]}
        self.outputs = [page[name] for name in RESULTS]

    # -------------------------------------------------------------- the form
    @staticmethod
    def data_file(form: dict, folder: str) -> str | None:
        """The CSV behind the form's data: an upload, or the session's points written as one."""
        if form.get("data") == "points":
            return points_csv(json.loads(form.get("points") or "[]"), folder)
        return form.get("csv_file")

    def errors(self, form: dict) -> dict:
        """{field: message} for everything wrong with the form, data included; {} when a run
        can start."""
        folder = tempfile.mkdtemp(prefix="nnref-playground-check-")
        try:
            streams.check_data(parse_training(form), self.data_file(form, folder))
        except SettingsError as e:
            return e.errors
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return {}

    def validated(self, errors: dict, request) -> dict:
        """One gr.validate per input, each field's message in the session's language."""
        return {
            component: gr.validate(name not in errors, say(errors.get(name), request))
            for name, component in self.inputs.items()
        }

    def check_train(self, request: gr.Request, **form):
        """Train's validator; the points have no field of their own: they are named on data."""
        errors = self.errors(form)
        if "points" in errors:
            errors.setdefault("data", errors.pop("points"))
        return self.validated(errors, request)

    def check_preview(self, request: gr.Request, **form):
        """A redraw's validator: as Train's, except that too few points is no error here (the
        preview then shows the plane to click on)."""
        errors = self.errors(form)
        errors.pop("points", None)
        return self.validated(errors, request)

    def settings(self, form: dict, request):
        """Settings, or a gr.Error naming the fields (the validator has shown them beside them)."""
        try:
            return parse_training(form)
        except SettingsError as e:
            raise gr.Error(say(e.args[0], request)) from None

    # -------------------------------------------------------------- a run
    def waiting(self, request: gr.Request, **form):
        """At once, before the queue answers: the run is on its way (unless the form is wrong:
        then Train's validator names the fields, and the status stays as it was)."""
        if self.errors(form):
            return gr.skip()
        status = say(_("**waiting** for a turn on the server…"), request)
        return {self.page["status"]: status, self.page["downloads"]: gr.update(visible=False)}

    def frame_updates(self, message: dict, preset: str, request) -> dict:
        """The outputs for a frame from the room; the command and the data file travel with the
        first frame, the downloads with the last."""
        status = message["status"]
        if message["state"] not in ("ready", "running"):
            line = outcome(PRESETS.get(preset), message["summaries"])
            status = join([status, line]) if line else status
        out = {self.page["picture"]: message["picture"], self.page["status"]: say(status, request)}
        if message["command"] is not None:
            text, language = message["command"]
            out[self.page["command"]] = gr.update(value=text, language=language)
            csv_file = message["data_csv"]
            out[self.page["data_out"]] = gr.update(value=csv_file, visible=csv_file is not None)
        if message["downloads"]:
            out[self.page["downloads"]] = gr.update(value=message["downloads"], visible=True)
        if message["view"]:
            out[self.page["train_view"]] = json.dumps(message["view"])
        return out

    def train(self, request: gr.Request, **form):
        settings = self.settings(form, request)
        session = session_of(request)
        try:
            csv_file = self.data_file(form, SESSIONS.folder(session))
        except SettingsError as e:
            raise gr.Error(say(e.args[0], request)) from None
        room = server.ROOM
        run = room.start(session, settings, csv_file)
        try:
            ahead = room.place(run)
            if ahead:  # a class pressed Train at once: say where this run stands
                text = _n(
                    "**waiting** for a turn: {n} run starts before yours; {going} runs share the "
                    "server's {workers} workers",
                    "**waiting** for a turn: {n} runs start before yours; {going} runs share the "
                    "server's {workers} workers",
                    ahead,
                    going=room.load,
                    workers=room.concurrency,
                )
                yield {self.page["status"]: say(text, request)}
            for message in run:
                if isinstance(message, Failed):
                    raise gr.Error(say(message.why, request))
                yield self.frame_updates(message.message, form.get("preset"), request)
        finally:
            if not run.ended:  # the page went away mid-run: end it in its worker
                room.stop_run(run)
                run.drain()
            room.finished(run)

    @staticmethod
    def stop(request: gr.Request):
        """Stop: the session's run draws its last frame ("stopped at epoch N") and ends."""
        server.ROOM.stop(session_of(request))

    # -------------------------------------------------------------- the untrained network
    def preview(self, request: gr.Request, **form):
        """The untrained network on the data (in this process: quick, never queued behind runs)."""
        room = server.ROOM
        if room is not None and room.running(session_of(request)):
            return gr.skip()  # the run's own frames are showing; new settings apply at Train
        settings = self.settings(form, request)
        try:
            folder = SESSIONS.folder(session_of(request))
            frame = streams.preview(settings, self.data_file(form, folder))
        except SettingsError as e:
            if form.get("data") == "points":  # no points yet, or too few: the map to click on
                return self.empty_points_map(form.get("points"), e.errors.get("points"), request)
            raise gr.Error(say(e.args[0], request)) from None
        return self.frame_updates(
            {
                "picture": frame.picture,
                "status": frame.status,
                "state": "ready",
                "command": frame.command,
                "data_csv": frame.data_csv,
                "downloads": [],
                "view": frame.view,
                "summaries": [],
            },
            None,
            request,
        ) | {self.page["downloads"]: gr.update(visible=False)}

    def empty_points_map(self, points, why, request) -> dict:
        from .pictures import blank_points_map  # drawn only for this case

        picture, shown = blank_points_map(json.loads(points or "[]"), POINT_CLASSES)
        return {
            self.page["picture"]: picture,
            self.page["status"]: say(why, request),
            self.page["data_out"]: gr.update(visible=False),
            self.page["downloads"]: gr.update(visible=False),
            self.page["train_view"]: json.dumps(shown),
        }

    # -------------------------------------------------------------- choices that follow others
    def head_choices(self, head: str, loss: str) -> dict:
        """A head's losses as the loss field's choices, its loss kept if it takes it."""
        losses = list(HEADS[head].losses)
        return {
            self.page.fields["head"]: head,
            self.page.fields["loss"]: gr.update(
                choices=[(name, name) for name in losses],
                value=loss if loss in losses else losses[0],
            ),
        }

    def data_picked(self, **form):
        """Picking a data set picks the head that fits it (a teacher may still choose another)."""
        data = form["data"]
        if data == "points":
            head = points_head(json.loads(form.get("points") or "[]"))
        elif data in TARGETS:
            head = fitting(*TARGETS[data])[0]
        else:
            head = form["head"]
        return self.head_choices(head, form["loss"])

    def head_picked(self, **form):
        return self.head_choices(form["head"], form["loss"])

    def optimizer_picked(self, **form):
        """An optimizer brings its own default lr (nnref.optim's table)."""
        return {self.page.fields["lr"]: OPTIMIZERS[form["optimizer"]].lr}

    def fitted(self, form: dict) -> dict:
        """An upload's form with the head (and loss) its target asks for: the chosen head if the
        data loads for it, else the first head, by rank, that it loads for (the heads' own rules
        decide, through data.load); the chosen one if none does (the validator says why)."""
        if not form.get("csv_file"):
            return form
        ranked = sorted(HEADS, key=lambda name: HEADS[name].rank)
        for name in dict.fromkeys([form["head"], *ranked]):
            loss = next(iter(HEADS[name].losses))
            try:
                load(
                    parse_training({**form, "data": "csv", "head": name, "loss": loss}),
                    form["csv_file"],
                )
            except SettingsError:
                continue
            return {
                **form,
                "head": name,
                "loss": form["loss"] if form["loss"] in HEADS[name].losses else loss,
            }
        return form

    def check_upload(self, request: gr.Request, **form):
        """The validator of an upload: as a redraw's, on the head the upload asks for."""
        return self.check_preview(request, **self.fitted(form))

    def uploaded(self, request: gr.Request, **form):
        """An upload: the head its target asks for, then the untrained network on it."""
        form = self.fitted(form)
        return self.head_choices(form["head"], form["loss"]) | self.preview(request, **form)

    def epochs_info(self, request: gr.Request, **form):
        """The epochs field's note: the most these data allow."""
        try:
            folder = SESSIONS.folder(session_of(request))
            n = load(parse_training({**form, "epochs": 1}), self.data_file(form, folder)).n_points
        except (SettingsError, ValueError, OSError):
            n = None
        return {self.page.fields["epochs"]: gr.update(info=say(epochs_note(n), request))}

    def visibility(self, **form):
        """Show only the fields the current choices use (each field's own rule), and the point
        tools with the points."""
        out = {
            self.page.fields[f.name]: gr.update(visible=f.shown(form))
            for f in training_fields()
            if f.shown is not None
        }
        points = form.get("data") == "points"
        return out | {
            self.page["colour"]: gr.update(visible=points),
            self.page["clear"]: gr.update(visible=points),
        }

    def add_point(self, points, shown, data, colour, evt: gr.SelectData):
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
