"""The English texts the playground writes for a page, gathered by running it: what its Korean
catalog (src/nnref/locale/playground.ko.yaml) must cover. Used by tests/test_glossary.py and by
whoever extends the catalog:

    python tests/support/playground_texts.py      # prints each text once
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nnref.playground import presets, streams
from nnref.playground.data import points_csv
from nnref.playground.settings import (
    PathSettings,
    SettingsError,
    checked,
    decode,
    parse_paths,
    parse_training,
)
from nnref.playground.stepper import Stepper

BAD_TRAINING = [
    {"lr": -1}, {"lr": "abc"}, {"lr": 99}, {"epochs": 0}, {"epochs": 2.5}, {"epochs": 5000},
    {"hidden": "a,b"}, {"hidden": "200"}, {"hidden": "1,1,1,1,1,1"}, {"optimizer": "nope"},
    {"head": "nope"}, {"loss": "nope"}, {"batch_size": 0}, {"gamma": 1.5}, {"beta1": 1},
    {"beta2": -1}, {"seed": -1}, {"patience": -2}, {"activation": "x"}, {"batching": "x"},
    {"schedule": "x"}, {"encoding": "x", "head": "multiclass"},
    {"output": "x", "head": "regression"},
    {"head": "multiclass", "encoding": "ordinal", "loss": "ce"},
    {"head": "regression", "loss": "ce"}, {"compare": "x"},
    {"compare": "encoding", "head": "binary"}, {"compare": "output", "head": "binary"},
    {"wrong_start": True, "head": "regression", "output": "identity", "loss": "mse"},
    {"data": "nope"}, {"data": "red_yellow_blue", "head": "binary"},
    {"data": "curve", "head": "binary"}, {"data": "tagged_points", "head": "binary"},
    {"epochs": 1000}, {"data": "csv"},
]  # fmt: skip
BAD_PATHS = [
    {"surface": "nope"}, {"optimizers": ["nope"]}, {"optimizers": []}, {"lr": 0}, {"gamma": 2},
    {"steps": 0}, {"steps": 999999}, {"x0": "a"}, {"x0": 1e9},
]  # fmt: skip
BAD_CSVS = {
    "empty.csv": "a,b,label\n",
    "malformed.csv": 'a,b,label\n1,2,x\n3,"4,y\n',
    "words.csv": "a,b,label\n1,2,x\n3,oops,y\n1,1,x\n2,2,y\n",
    "many.csv": "a,b,label\n" + "1,2,x\n2,1,y\n" * 1250,
    "one.csv": "a,label\n1,x\n2,y\n3,x\n",
    "four.csv": "a,b,c,d,label\n" + "1,2,3,4,x\n2,1,3,4,y\n" * 5,
    "three.csv": "a,b,label\n" + "".join(f"{i},{i % 3},{'xyz'[i % 3]}\n" for i in range(30)),
}
BAD_POINTS = [
    [], [[0, 0, "red"]], [[0, 0, "red"], [1, 1, "red"], [2, 2, "red"]], [[0, "a", "red"]],
    [[0, 0, "green"]], [[0, 0]], [[0, 0, "red"]] * 400,
]  # fmt: skip


def errors(parse, values) -> list[str]:
    try:
        parse(values)
    except SettingsError as e:
        return list(e.errors.values())
    return []


def data_errors(values, csv_file=None) -> list[str]:
    try:
        streams.check_data(parse_training(values), csv_file)
    except SettingsError as e:
        return list(e.errors.values())
    return []


def texts() -> list[str]:
    out: list[str] = []
    for values in BAD_TRAINING:
        out += errors(parse_training, values) or data_errors(values)
    for values in BAD_PATHS:
        out += errors(parse_paths, values)
    folder = Path(tempfile.mkdtemp(prefix="nnref-texts-"))
    for name, text in BAD_CSVS.items():
        (folder / name).write_text(text)
        out += data_errors({"data": "csv"}, str(folder / name))
        out += data_errors({"data": "csv", "head": "regression", "loss": "mse"}, str(folder / name))
    for points in BAD_POINTS:
        try:
            points_csv(points, str(folder))
        except SettingsError as e:
            out += list(e.errors.values())
    out += list(
        checked(*decode("lr=abc&opt=nope&epochs=999999999&p_steps=x&surface=no")[:2])[2].values()
    )
    # statuses: every state, and the notes a run adds
    runs = [
        {"epochs": 5},
        {"epochs": 5, "wrong_start": True, "loss": "mse"},
        {"epochs": 5, "activation": "identity"},
        {"epochs": 30, "patience": 2, "lr": 5.0, "optimizer": "gd"},
        {"epochs": 5, "lr": 9.0, "optimizer": "gd", "data": "curve", "head": "regression",
         "loss": "mse", "hidden": "64, 64"},
        {"epochs": 5, "compare": "loss"},
        {"epochs": 5, "data": "tagged_points", "head": "multilabel"},
    ]  # fmt: skip
    for values in runs:
        settings = parse_training(values)
        frames = list(streams.training_frames(settings))
        out += [f.status for f in frames[:1] + frames[-1:]]
        out.append(streams.preview(settings).status)
        stream = streams.TrainingStream(settings)
        stream.first()
        out.append(stream.stop().status)
        out.append(list(streams.training_frames(settings, max_work_s=0.0))[-1].status)
        for preset in presets.PRESETS.values():
            if preset.tab == "training":
                out.append(presets.outcome(preset, frames[-1].summaries))
    three = points_csv([[0, 0, "red"], [1, 1, "black"], [0, 1, "red"]], str(folder))
    out.append(
        list(
            streams.training_frames(
                parse_training({"data": "points", "epochs": 3, "patience": 2}), three
            )
        )[-1].status
    )
    for name, preset in presets.PRESETS.items():
        out += [preset.title, preset.claim, preset.sentence]
        if preset.tab == "training":
            from nnref.playground.page import preset_values

            training, _, _ = preset_values(name)
            form = {k: v for k, v in training.items() if k != "csv_file"}
            frames = list(streams.training_frames(parse_training({**form, "epochs": 5})))
            out.append(presets.outcome(preset, frames[-1].summaries))
        else:
            from nnref.playground.page import preset_values
            from nnref.playground.runs import run_paths

            _, paths, _ = preset_values(name)
            result = run_paths(parse_paths({**paths, "steps": 40}))
            out.append(presets.outcome(preset, result))
            out.append(presets.outcome(preset, run_paths(parse_paths({**paths, "steps": 400}))))
    # the paths tab and the step-by-step mode
    last = list(streams.path_frames(PathSettings()))[-1]
    out.append(last.table)
    for name in ("gd", "momentum", "nag", "adagrad", "rmsprop", "adam"):
        stepper = Stepper("local_minimum", (1.2, 0.9), name, 0.01, 0.9)
        out.append(stepper.table())
        stepper.step()
        out.append(stepper.table())
    return [t for t in dict.fromkeys(out) if t]


if __name__ == "__main__":
    for text in texts():
        print(repr(text))
