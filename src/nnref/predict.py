"""Predictions from a checkpoint, in the user's own terms.

python predict.py checkpoint=RUN/checkpoints/best.ckpt input=new.csv output=predicted.csv

The checkpoint carries everything needed to rebuild the preprocessing exactly: the feature encoder
(which columns, numeric means/stds, nominal categories) and the target encoder (class names, label
names, the regression scaler), all as plain data, so it loads with `torch.load(weights_only=True)`.
The head is named in the checkpoint (`nnref_task`), so no config from training is needed.

The output is the input rows plus `prediction` (a class name, label names joined by the separator,
or a value in the target's units) and, for classification, one `p_<name>` probability per class or
label. It is written whole or not at all (a temporary file in the same folder, then a rename).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig

from . import quiet
from .checkpoint import from_checkpoint, read_checkpoint
from .data.encoding import FeatureEncoder, UnseenCategoryWarning, encoder_from_dict
from .data.sources import DataError, empty_cells, empty_text, parse_columns, read_table
from .errors import refuse, shown
from .files import write_csv
from .locale.messages import _


class Predictor:
    """A trained network and its head, with the encoders they were trained with.

    Torch alone: the checkpoint's weights go into nnref.nets.MLP and its settings into the course
    head (nnref.heads), so predicting needs no Lightning; a bad input file is refused (from the
    encoders alone) before the network is even built."""

    def __init__(self, path, ckpt: dict):
        self.path, self.ckpt = path, ckpt
        self.task, self.hparams = ckpt["nnref_task"], ckpt["hyper_parameters"]
        self.features: FeatureEncoder = encoder_from_dict(self.hparams["encoders"]["features"])
        self.target = encoder_from_dict(self.hparams["encoders"]["target"])
        self.built = None  # (net, head), on first use

    @classmethod
    def load(cls, checkpoint) -> Predictor:
        path = checkpoint_path(checkpoint)
        return cls(path, read_checkpoint(path))

    def model(self):
        """(net, head) rebuilt from the checkpoint (nnref.checkpoint), with its weights."""
        if self.built is None:
            self.built = from_checkpoint(self.ckpt, self.path)
        return self.built

    # ------------------------------------------------------------------ rows in, columns out
    @property
    def names(self) -> list[str]:
        """Class or label names, in the order of the model's outputs (empty for regression)."""
        return list(
            getattr(self.target, "labels", None) or getattr(self.target, "classes", None) or []
        )

    def encode(self, header, rows, what: str = "input") -> np.ndarray:
        """The feature matrix, parsed the way the saved encoder says (nominal stays nominal)."""
        trained_on = self.features.names
        missing = [c for c in trained_on if c not in header]
        if missing:
            raise DataError(
                _(
                    "{what}: feature column(s) {missing} missing; the model was trained on "
                    "{trained_on}; the file has {columns}",
                    what=what,
                    missing=missing,
                    trained_on=trained_on,
                    columns=header,
                )
            )
        empty = empty_cells(header, rows, trained_on)
        if empty:
            raise DataError(
                _(
                    "{what}: empty cells in {detail}; every feature needs a value to predict "
                    "(fill them in, or remove those rows)",
                    what=what,
                    detail=empty_text(empty),
                )
            )
        kinds = {c["name"]: c["type"] for c in self.features.columns}
        table = parse_columns(
            header,
            rows,
            trained_on,
            what=what,
            nominal=[c for c, t in kinds.items() if t == "nominal"],
            numeric=[c for c, t in kinds.items() if t == "numeric"],
        )
        return self.features.encode(table)

    def predict(self, header, rows, what: str = "input") -> dict:
        """{output column: list of cells (strings)} for the given rows."""
        x = torch.from_numpy(self.encode(header, rows, what))
        net, head = self.model()
        with torch.no_grad():
            prediction, values = head.decode(head.predict(net(x)))
        columns = {} if prediction is None else {"prediction": prediction}
        columns.update(
            {
                name: [f"{v:.8g}" if prediction is None else f"{v:.6g}" for v in column]
                for name, column in values.items()
            }
        )
        return columns


def checkpoint_path(checkpoint) -> Path:
    """A checkpoint file, or a run folder (its results.json names the best checkpoint)."""
    if not checkpoint:
        raise DataError(
            _(
                "checkpoint is not set: give a run's checkpoint, "
                "e.g. checkpoint=RUN/checkpoints/best.ckpt"
            )
        )
    path = Path(checkpoint)
    if path.is_dir() and (path / "results.json").is_file():
        named = json.loads((path / "results.json").read_text()).get("checkpoint")
        if named:
            path = path / named
    if not path.is_file():
        raise DataError(
            _(
                "checkpoint={checkpoint}: no such file; give RUN/checkpoints/best.ckpt "
                "(or the run folder: its results.json names the best checkpoint)",
                checkpoint=checkpoint,
            )
        )
    return path


def predict_file(checkpoint, input, output) -> dict:
    """Read `input`, predict every row, write `output` atomically; return a short summary.

    Raises DataError (nothing written) for a bad checkpoint, input or output; a nominal value never
    seen in training is a UnseenCategoryWarning and its rows are still predicted."""
    path = checkpoint_path(checkpoint)
    header, rows = read_table(input, what="input")
    if not output:
        raise DataError(
            _("output is not set: name the CSV file to write, e.g. output=predictions.csv")
        )
    if os.path.isdir(output):
        raise DataError(
            _(
                "output={output}: is a folder; name a CSV file to write, e.g. "
                "output={output}/predictions.csv",
                output=output,
            )
        )
    predictor = Predictor.load(path)
    columns = predictor.predict(header, rows, what=f"input={input}")
    # A column of the same name (a previous prediction) is replaced, not duplicated.
    kept = [j for j, h in enumerate(header) if h not in columns]
    out_header = [header[j] for j in kept] + list(columns)
    out_rows = [
        [r[j] for j in kept] + [col[i] for col in columns.values()] for i, r in enumerate(rows)
    ]
    write_csv(output, out_header, out_rows)
    return {
        "task": predictor.task,
        "rows": len(rows),
        "columns": out_header,
        "output": str(output),
        "counts": dict(Counter(columns["prediction"])) if predictor.names else None,
    }


def run(cfg) -> dict:
    """The command line: predict_file, with each unseen-value warning shown as one line on
    stderr (in the environment's language, as a refusal is)."""
    torch.set_num_threads(int(cfg.get("threads") or 1))
    with warnings.catch_warnings(record=True) as caught:
        # Shown even under PYTHONWARNINGS=ignore.
        warnings.simplefilter("always", UnseenCategoryWarning)
        try:
            summary = predict_file(cfg.get("checkpoint"), cfg.get("input"), cfg.get("output"))
        finally:
            for w in caught:
                if issubclass(w.category, UnseenCategoryWarning):
                    print(f"nnref: warning: {shown(w.message)}", file=sys.stderr)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    counts = summary["counts"]
    detail = (
        ": " + ", ".join(f"{k or '(no label)'} {n}" for k, n in sorted(counts.items()))
        if counts
        else ""
    )
    print(f"{summary['task']}: predicted {summary['rows']} rows{detail}")
    print(f"wrote {summary['output']} (columns: {', '.join(summary['columns'])})")
    return summary


@hydra.main(version_base="1.3", config_path="pkg://nnref.conf", config_name="predict")
def main(cfg: DictConfig) -> None:
    """The console command nnref-predict (python predict.py): a bad checkpoint or file ends in one
    line."""
    quiet.install()
    try:
        run(cfg)
    except DataError as error:
        refuse(error)


if __name__ == "__main__":
    main()
