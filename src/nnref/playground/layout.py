"""The page's components, laid out: every field from its declaration (fields.py), the buttons and
the results around them. Nothing here runs; events.py wires what happens.

Each component's texts (label, info, a button's words, a dropdown's choices) are kept as messages
beside it (`Page.texts`), so that the page can show them in a session's language as it loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import gradio as gr

from ..locale import NAMES as LANGUAGE_NAMES
from ..locale.messages import _, render
from ..optim import OPTIMIZERS
from .data import POINT_CLASSES
from .fields import Field, path_defaults, path_fields, training_defaults, training_fields
from .presets import PRESETS
from .runs import view
from .settings import MAX_VISITS, PathSettings, max_epochs

HEADING = _(
    "## nnref playground\nThe course's output layers, losses and optimizers, live: every "
    "number comes from nnref's own heads, `nnref.optim` and `nnref.experiments`. The address "
    "bar holds the settings: share it and the link opens this page as it is."
)


@dataclass
class Page:
    fields: dict = field(default_factory=dict)  # field name -> its component, both tabs
    parts: dict = field(default_factory=dict)  # the rest, by name: buttons, pictures, status...
    texts: dict = field(default_factory=dict)  # component -> {"label": message, ...}

    def __getitem__(self, name: str):
        return self.fields[name] if name in self.fields else self.parts[name]

    def add(self, name: str, component, **texts):
        """Keep a component by name, with the messages it shows."""
        self.parts[name] = component
        if texts:
            self.texts[component] = texts
        return component


def widget(f: Field, value, form: dict, page: Page):
    """A field's component, in English (the page's texts change language as it loads)."""
    choices = [(render(label), v) for label, v in f.choices(form)] if f.choices else None
    args = {
        "label": render(f.label),
        "elem_id": f"field-{f.name}",
        "visible": f.shown is None or f.shown(form),
        **({"info": render(f.info)} if f.info else {}),
        **f.extra,
    }
    if f.widget == "dropdown":
        component = gr.Dropdown(choices, value=value, **args)
    elif f.widget == "radio":
        component = gr.Radio(choices, value=value, **args)
    elif f.widget == "checkboxes":
        component = gr.CheckboxGroup(choices, value=list(value), **args)
    elif f.widget == "checkbox":
        component = gr.Checkbox(value, **args)
    elif f.widget == "number":
        component = gr.Number(value, precision=0 if f.range.whole else None, **args)
    elif f.widget == "file":
        component = gr.File(file_types=[".csv"], type="filepath", **args)
    else:
        placeholder = {"placeholder": render(f.placeholder)} if f.placeholder else {}
        component = gr.Textbox(value, **args, **placeholder)
    page.fields[f.name] = component
    page.texts[component] = {
        "label": f.label,
        **({"info": f.info} if f.info else {}),
        **({"placeholder": f.placeholder} if f.placeholder else {}),
        **({"choices": f.choices(form)} if f.choices else {}),
    }
    return component


def field_rows(fields: list[Field], values: dict, page: Page) -> None:
    """The fields in order, those that share a row side by side."""
    i = 0
    while i < len(fields):
        row = [fields[i]]
        while (
            fields[i].row
            and i + len(row) < len(fields)
            and fields[i + len(row)].row == fields[i].row
        ):
            row.append(fields[i + len(row)])
        if len(row) == 1:
            widget(row[0], values[row[0].name], values, page)
        else:
            with gr.Row():
                for f in row:
                    widget(f, values[f.name], values, page)
        i += len(row)


def top(page: Page) -> None:
    with gr.Row():
        page.add("heading", gr.Markdown(render(HEADING)), value=HEADING)
        page.add(
            "switch",
            gr.Radio(
                list(LANGUAGE_NAMES.values()),
                value=LANGUAGE_NAMES["en"],
                label="language",
                elem_id="field-lang",
                scale=0,
                min_width=180,
            ),
            label=_("language"),
        )
    with gr.Row():
        choices = [(_("choose a claim to see…"), ""), *((p.title, n) for n, p in PRESETS.items())]
        page.add(
            "preset",
            gr.Dropdown(
                [(render(label), name) for label, name in choices],
                value="",
                label=render(_("a claim of the course")),
                elem_id="field-preset",
                scale=1,
            ),
            label=_("a claim of the course"),
            choices=choices,
        )
        page.add("claim", gr.Markdown("", elem_id="preset-claim"))
    page.add("notice", gr.Markdown("", elem_id="link-notice"))
    page.add("tab", gr.Textbox("training", visible=False))


def point_tools(page: Page) -> None:
    """A click on the map adds a point of the chosen class (data: your points)."""
    with gr.Row():
        label = _("a click on the map adds a point of")
        page.add(
            "colour",
            gr.Radio(
                list(POINT_CLASSES),
                value=POINT_CLASSES[0],
                label=render(label),
                visible=False,
                elem_id="field-colour",
            ),
            label=label,
        )
        words = _("Clear the points")
        page.add(
            "clear",
            gr.Button(render(words), visible=False, size="sm", elem_id="clear-points"),
            value=words,
        )


def training_settings(page: Page, max_work_s: float) -> None:
    values = training_defaults()
    fields = training_fields()
    data_fields = [f for f in fields if f.name in ("data", "csv_file", "csv_target")]
    field_rows(data_fields, values, page)
    point_tools(page)
    field_rows([f for f in fields if f not in data_fields], values, page)
    epochs = page.fields["epochs"]
    note = epochs_note(200)
    epochs.info = render(note)
    page.texts[epochs]["info"] = note
    run_note = _(
        "A run gets at most {seconds:.0f} s of the server's work; one run per browser tab at a "
        "time.",
        seconds=max_work_s,
    )
    page.add("run_note", gr.Markdown(render(run_note), elem_classes="field-note"), value=run_note)
    with gr.Row():
        page.add(
            "train_button",
            gr.Button(render(_("Train")), variant="primary", elem_id="train-button"),
            value=_("Train"),
        )
        page.add(
            "stop_button",
            gr.Button(render(_("Stop")), variant="stop", elem_id="stop-button"),
            value=_("Stop"),
        )


def epochs_note(n: int | None):
    """The epochs field's note: the most these data allow (epochs × points ≤ MAX_VISITS)."""
    if n is None:
        return _("1 to {most}; epochs × points ≤ {cap:,}", most=max_epochs(0), cap=MAX_VISITS)
    return _(
        "1 to {most} for these {n} points (epochs × points ≤ {cap:,})",
        most=max_epochs(n),
        n=n,
        cap=MAX_VISITS,
    )


def training_results(page: Page, start) -> None:
    picture = _("the decision map, the curves and the validation rows")
    page.add(
        "picture",
        gr.Image(
            start.picture,
            label=render(picture),
            interactive=False,
            format="png",
            buttons=[],
            show_label=False,
            elem_id="train-picture",
        ),
        label=picture,
    )
    page.add(
        "status", gr.Markdown(render(start.status), elem_id="train-status"), value=start.status
    )
    command = _("reproduce this run")
    page.add(
        "command",
        gr.Code(
            start.command[0],
            language=start.command[1],
            label=render(command),
            lines=2,
            interactive=False,
            wrap_lines=True,
            elem_id="train-command",
        ),
        label=command,
    )
    data = _("the data as CSV")
    page.add(
        "data_out",
        gr.File(
            start.data_csv,
            label=render(data),
            visible=start.data_csv is not None,
            interactive=False,
            elem_id="train-data",
        ),
        label=data,
    )
    downloads = _("take home: the model (for nnref-predict), the numbers per epoch, the picture")
    page.add(
        "downloads",
        gr.File(
            label=render(downloads),
            file_count="multiple",
            visible=False,
            interactive=False,
            elem_id="train-downloads",
        ),
        label=downloads,
    )


def training_tab(page: Page, start, max_work_s: float) -> None:
    with gr.Tab(render(_("Output layers and losses")), id="training") as tab:
        with gr.Row():
            with gr.Column(scale=1, min_width=300, elem_id="train-settings"):
                training_settings(page, max_work_s)
            with gr.Column(scale=2, elem_id="train-results"):
                training_results(page, start)
        page.add("points", gr.Textbox("[]", visible=False, elem_id="points"))
        page.add("train_view", gr.Textbox(json.dumps(start.view), visible=False))
    page.add("training_tab", tab, label=_("Output layers and losses"))


def button(page: Page, name: str, words, **args):
    return page.add(name, gr.Button(render(words), **args), value=words)


def paths_tab(page: Page, start_picture) -> None:
    with gr.Tab(render(_("Optimizer paths")), id="paths") as tab:
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                fields = path_fields()
                values = path_defaults()
                field_rows(fields[:3], values, page)
                note = _("…or click the contour plot to start there.")
                page.add(
                    "start_note", gr.Markdown(render(note), elem_classes="field-note"), value=note
                )
                field_rows(fields[3:], values, page)
                with gr.Row():
                    button(
                        page, "paths_button", _("Run"), variant="primary", elem_id="paths-button"
                    )
                    button(page, "replay_button", _("Replay"), elem_id="replay-button")
            with gr.Column(scale=3, elem_id="paths-results"):
                paths_results(page, start_picture)
        stepper(page)
        page.add("paths_view", gr.Textbox(json.dumps(view(PathSettings())), visible=False))
    page.add("paths_tab", tab, label=_("Optimizer paths"))


def paths_results(page: Page, start_picture) -> None:
    label = _("paths (click to move the start)")
    page.add(
        "paths_picture",
        gr.Image(
            start_picture,
            label=render(label),
            interactive=False,
            format="png",
            buttons=[],
            show_label=False,
            elem_id="paths-picture",
        ),
        label=label,
    )
    page.add("paths_outcome", gr.Markdown("", elem_id="paths-outcome"))
    table = _("Press Run: the table gives each optimizer's numbers.")
    page.add("paths_table", gr.Markdown(render(table), elem_id="paths-table"), value=table)


def stepper(page: Page) -> None:
    """One optimizer, step by step: its insides after each update."""
    title = _("One optimizer, step by step: its insides")
    with gr.Accordion(render(title), open=False, elem_id="stepper") as accordion:
        with gr.Row():
            label = _("optimizer")
            page.add(
                "inspected",
                gr.Dropdown(
                    list(OPTIMIZERS),
                    value="nag",
                    label=render(label),
                    elem_id="field-inspected",
                    scale=1,
                ),
                label=label,
            )
            for name, words in (("step", _("Step")), ("play", _("Play"))):
                button(page, f"{name}_button", words, elem_id=f"{name}-button", scale=1)
            for name, words in (("pause", _("Pause")), ("reset", _("Reset"))):
                button(page, f"{name}_button", words, elem_id=f"{name}-button", scale=1)
        label = _("the insides")
        page.add(
            "step_picture",
            gr.Image(
                label=render(label),
                interactive=False,
                format="png",
                buttons=[],
                show_label=False,
                elem_id="step-picture",
            ),
            label=label,
        )
        table = _("Press Step: one update, and what the optimizer holds after it.")
        page.add("step_table", gr.Markdown(render(table), elem_id="step-table"), value=table)
        page.add("timer", gr.Timer(0.6, active=False))
    page.add("stepper", accordion, label=title)


def link(page: Page) -> None:
    label = _("link to these settings")
    page.add(
        "link",
        gr.Textbox(
            label=render(label),
            interactive=False,
            buttons=["copy"],
            elem_id="share-link",
        ),
        label=label,
    )
    page.add("query", gr.Textbox(visible=False))


def layout(start, start_picture, max_work_s: float) -> Page:
    """Every component, inside the Blocks being built (page.py opens it)."""
    page = Page()
    top(page)
    with gr.Tabs(selected="training") as tabs:
        training_tab(page, start, max_work_s)
        paths_tab(page, start_picture)
    page.add("tabs", tabs)
    link(page)
    return page
