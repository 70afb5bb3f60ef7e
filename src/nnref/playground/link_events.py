"""The page and its link: the page's texts in the session's language as it loads, the link's
settings restored (a preset's first), a preset chosen from the menu, and every change written
back into the address bar.

In Korean (`?lang=ko`, kept in the link, or a browser that asks for Korean; the switch at the top
reloads the page in the other language) every label and message goes through the catalog
(nnref.locale.messages). Commands and config keys stay as they are. The pictures' own labels stay
English (their fonts have no Hangul).
"""

from __future__ import annotations

import json

import gradio as gr

from ..locale import NAMES as LANGUAGE_NAMES
from ..locale.messages import render
from . import streams, url
from .fields import path_defaults, path_fields, training_defaults, training_fields
from .form import checked, parse_paths, parse_training
from .layout import Page
from .presets import PRESETS
from .runs import view
from .sessions import say, set_language
from .settings import PathSettings, SettingsError
from .training_events import TrainingEvents

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
"""
# The language switch: the same page, its link's lang= set to the other language, loaded anew.
SWITCH_JS = """
(name) => {
  const url = new URL(window.location.href);
  url.searchParams.set("lang", name === "__KO__" ? "ko" : "en");
  window.location.href = url.toString();
}
""".replace("__KO__", LANGUAGE_NAMES["ko"])
# The page's language on <html lang>, for the Korean typography (server.CSS) and for readers.
LANG_JS = "(name) => { document.documentElement.lang = name === '__KO__' ? 'ko' : 'en'; }".replace(
    "__KO__", LANGUAGE_NAMES["ko"]
)


def set_url_js() -> str:
    return SET_URL_JS.replace("__KEYS__", json.dumps(url.keys()))


def preset_values(name: str) -> tuple[dict, dict, str]:
    """(training values, path values, tab) a preset sets: its own, on the defaults of its tab."""
    preset = PRESETS.get(name)
    if preset is None:
        return {}, {}, "training"
    if preset.tab == "training":
        return {**training_defaults(), **preset.values}, {}, "training"
    fields = {f.attribute: f.name for f in path_fields()}
    values = {fields.get(k, k): v for k, v in preset.values.items()}
    return {}, {**path_defaults(values.get("surface", PathSettings.surface)), **values}, "paths"


class LinkEvents:
    def __init__(self, page: Page):
        self.page = page
        self.training = [f.name for f in training_fields() if f.url_key]
        self.paths = [f.name for f in path_fields()]

    def relabel(self, request: gr.Request):
        """Every text of the page in the session's language (set here, as the page loads)."""
        lang = set_language(request)
        out = {}
        for component, texts in self.page.texts.items():
            if component is self.page["switch"]:
                out[component] = gr.update(
                    value=LANGUAGE_NAMES[lang], label=render(texts["label"], lang)
                )
            elif lang != "en":
                shown = {k: render(v, lang) for k, v in texts.items() if k != "choices"}
                if "choices" in texts:
                    shown["choices"] = [(render(a, lang), b) for a, b in texts["choices"]]
                out[component] = gr.update(**shown)
        return out

    def preset_picked(self, request: gr.Request, preset):
        """A preset sets its tab's fields, opens the tab and says the claim."""
        training, paths, tab = preset_values(preset)
        chosen = PRESETS.get(preset)
        out = {
            self.page.fields[k]: v
            for k, v in {**training, **paths}.items()
            if k in self.page.fields and k != "csv_file"
        }
        return out | {
            self.page["tabs"]: gr.Tabs(selected=tab),
            self.page["tab"]: tab,
            self.page["claim"]: say(chosen.sentence, request) if chosen else "",
        }

    def query(self, tab, preset, **form):
        """The link's query string for the page's values now."""
        training = {k: v for k, v in form.items() if k in self.training}
        training["hidden"] = training.get("hidden") if training.get("hidden") is not None else ""
        paths = {k: v for k, v in form.items() if k in self.paths}
        query = url.encode(training, paths, tab or "training")
        return "&".join(
            part for part in (f"preset={preset}" if preset in PRESETS else "", query) if part
        )

    def restore(self, request: gr.Request):
        """The settings a link names, a preset's first: a bad value is named in its field's note and
        the field keeps its default; the pictures follow the settings."""
        params = dict(request.query_params) if request else {}
        preset = params.get("preset") if params.get("preset") in PRESETS else ""
        training, paths, tab = url.decode(params)
        training, paths, errors = checked(training, paths)
        base_training, base_paths, preset_tab = preset_values(preset)
        training, paths = {**base_training, **training}, {**base_paths, **paths}
        # A link's surface brings its own start, lr, gamma and steps, unless it names them.
        if paths:
            paths = {**path_defaults(paths.get("surface", PathSettings.surface)), **paths}
        out = self.restored_fields(training, paths, errors, request)
        out |= self.restored_pictures(training, paths, request)
        notice = "  \n".join(f"⚠ {say(message, request)}" for message in errors.values())
        return out | {
            self.page["tabs"]: gr.Tabs(selected=tab if "tab" in params else preset_tab),
            self.page["tab"]: tab if "tab" in params else preset_tab,
            self.page["preset"]: preset,
            self.page["claim"]: say(PRESETS[preset].sentence, request) if preset else "",
            self.page["notice"]: notice,
        }

    def restored_fields(self, training: dict, paths: dict, errors: dict, request) -> dict:
        """Each field the link names, or a bad one's default with its note."""
        out = {}
        form = {**training_defaults(), **training}
        for name in self.training:
            if errors.get(name):
                out[self.page.fields[name]] = gr.update(
                    value=form[name], info=say(errors[name], request)
                )
            elif name in training:
                out[self.page.fields[name]] = training[name]
        for name in self.paths:
            note = errors.get(name if name.startswith("p_") else f"p_{name}")
            if note:
                out[self.page.fields[name]] = gr.update(info=say(note, request))
            elif name in paths:
                out[self.page.fields[name]] = paths[name]
        return out

    def restored_pictures(self, training: dict, paths: dict, request) -> dict:
        """The untrained network for a link that changes it, and a surface it names."""
        out = {}
        redraws = {f.name for f in training_fields() if f.redraws} | {"data", "head"}
        form = {**training_defaults(), **training}
        if redraws & set(training):
            try:
                frame = streams.preview(parse_training(form))
                out |= {
                    self.page["picture"]: frame.picture,
                    self.page["status"]: say(frame.status, request),
                    self.page["command"]: gr.update(
                        value=frame.command[0], language=frame.command[1]
                    ),
                    self.page["data_out"]: gr.update(
                        value=frame.data_csv, visible=frame.data_csv is not None
                    ),
                }
                if frame.view:
                    out[self.page["train_view"]] = json.dumps(frame.view)
            except SettingsError as error:
                if form.get("data") == "points":  # no points yet: the plane to click on
                    why = error.errors.get("points")
                    out |= TrainingEvents(self.page).empty_points_map("[]", why, request)
                # else the fields show the link's values; Train's validator names what is wrong
        if paths:
            try:
                settings = parse_paths(paths)
                out[self.page["paths_picture"]] = streams.empty_paths(settings).picture
                out[self.page["paths_view"]] = json.dumps(view(settings))
            except SettingsError:
                pass
        return out
