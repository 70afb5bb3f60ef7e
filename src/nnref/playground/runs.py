"""The playground's runs, on nnref's own parts: a training run epoch by epoch, and the paths tab's
numbers.

A training run is the run `nnref-train` makes with the same settings: the head from nnref.heads,
the body nnref.nets.MLP from the run's seed (its own generator, so runs in other threads never
change it), the optimizer from the course's table (nnref.optim.OPTIMIZERS), a schedule from
nnref/conf/scheduler, and the loop nnref.loop, which draws the batches train.py's data module
draws. After every epoch the run records the epoch's train loss (Lightning's `train/loss`), the
validation loss, the score on both splits and the mean |dE/dnet| at the output units.

The paths tab's numbers are nnref.experiments.optimizer_paths' own, run from the user's start.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from .. import schedules
from ..checkpoint import to_checkpoint
from ..experiments import optimizer_paths
from ..locale.messages import Joined, _, join
from ..loop import build, train_epochs
from ..optim import OPTIMIZERS
from .data import PlaygroundData
from .settings import PathSettings, TrainingSettings, check_budget

GRID = 60  # the decision map's resolution per axis (drawn smoothed)
MARGIN = 0.15  # of the data's range, around the points


def build_model(settings: TrainingSettings, data: PlaygroundData):
    """(net, head) as nnref-train builds them for these settings; from a confidently wrong start if
    asked."""
    net, head = build(
        settings.head,
        data.splits,
        settings.hidden,
        settings.activation,
        settings.seed,
        settings.loss,
        **settings.head_options(),
    )
    if settings.wrong_start:
        head.start_wrong(net)  # each head knows how its outputs start confidently wrong
    return net, head


def output_gradient(net, head, x, y) -> float:
    """Mean over rows and output units of |dE_n/dnet|: the head's own loss per row, by autograd."""
    with torch.no_grad():
        logits = net(x)
    logits.requires_grad_(True)
    (grad,) = torch.autograd.grad(head.loss(logits, y, reduction="sum"), logits)
    return float(grad.abs().mean())


class TrainingRun:
    """Build with settings and data; iterate `epochs()` to train. `history` has one entry per
    measurement (epoch 0 is the start), `diverged` the epoch whose loss stopped being finite."""

    def __init__(self, settings: TrainingSettings, data: PlaygroundData):
        check_budget(settings, data.n_points)
        self.settings, self.data = settings, data
        self.net, self.head = build_model(settings, data)
        entry = OPTIMIZERS[settings.optimizer]
        self.optimizer = entry.build(self.net.parameters(), **settings.hyperparameters())
        self.schedule = schedules.build(settings.schedule, self.optimizer, settings.epochs)
        self.batch_size = {"full": None, "mini": settings.batch_size, "stochastic": 1}[
            settings.batching
        ]
        self.history = {
            k: []
            for k in ("epoch", "train_loss", "val_loss", "train_score", "val_score", "grad", "lr")
        }
        self.diverged = None
        self.stopped_early = None  # the epoch early stopping ended the run at
        self.best_val, self.waited = math.inf, 0
        self.grid_axes = self._grid_axes()
        self.grid_inputs = data.encode(self.grid_points())
        splits = data.splits
        # A few clicked points may lend no row to validation (a class needs 4 to give one): the run
        # trains on them all, its validation numbers stay NaN, and early stopping cannot apply.
        self.has_val = len(splits.x_val) > 0
        with torch.no_grad():
            start_loss = float(self.head.loss(self.net(splits.x_train), splits.y_train))
        self.measure(0, start_loss)

    # ------------------------------------------------------------ training
    def epochs(self):
        """Train; yield each epoch number (1, 2, ...) after its updates, schedule step and
        measurement."""
        s, splits = self.settings, self.data.splits
        for epoch in train_epochs(
            self.net,
            self.head,
            splits.x_train,
            splits.y_train,
            self.optimizer,
            s.epochs,
            self.batch_size,
            s.seed,
        ):
            if self.schedule is not None:
                self.schedule.step()  # once per epoch, after it (as Lightning's interval="epoch")
            self.measure(epoch.index + 1, epoch.train_loss)
            if self.diverged is not None:
                return
            stopping = self.settings.patience and self.has_val
            if stopping and self.no_better_for(self.settings.patience):
                self.stopped_early = epoch.index + 1
                yield epoch.index + 1
                return
            yield epoch.index + 1

    def no_better_for(self, patience: int) -> bool:
        """Early stopping as Lightning's EarlyStopping(monitor="val/loss", patience) does it: stop
        when the validation loss has not gone below its best for `patience` epochs in a row."""
        loss = self.history["val_loss"][-1]
        if loss < self.best_val:
            self.best_val, self.waited = loss, 0
        else:
            self.waited += 1
        return self.waited >= patience

    def measure(self, epoch: int, train_loss: float) -> None:
        """One row: the epoch's train loss as given, and the rest measured on the current
        weights."""
        splits, h = self.data.splits, self.history
        h["epoch"].append(epoch)
        h["train_loss"].append(train_loss)
        for part, x, y in (
            ("train", splits.x_train, splits.y_train),
            ("val", splits.x_val, splits.y_val),
        ):
            with torch.no_grad():
                logits = self.net(x)
                loss = float(self.head.loss(logits, y))
            if part == "val":
                h["val_loss"].append(loss)
            finite = math.isfinite(loss) and math.isfinite(train_loss)
            h[f"{part}_score"].append(self.head.score(logits, y) if finite else math.nan)
        h["grad"].append(output_gradient(self.net, self.head, splits.x_train, splits.y_train))
        h["lr"].append(float(self.optimizer.param_groups[0]["lr"]))
        if not math.isfinite(train_loss) and self.diverged is None:
            self.diverged = epoch

    # ------------------------------------------------------------ the map
    def _grid_axes(self) -> list:
        x, _ = self.data.points("train")
        axes = []
        for lo, hi in zip(x.min(axis=0), x.max(axis=0)):
            pad = MARGIN * (hi - lo or 1.0)
            axes.append(np.linspace(lo - pad, hi + pad, GRID if x.shape[1] == 2 else 200))
        return axes

    def grid_points(self) -> np.ndarray:
        """The map's points in original units: a GRID x GRID lattice (rows: x2), or a line for one
        feature."""
        if len(self.grid_axes) == 1:
            return self.grid_axes[0][:, None]
        g1, g2 = np.meshgrid(*self.grid_axes)
        return np.stack([g1.ravel(), g2.ravel()], axis=1)

    @torch.no_grad()
    def predictions(self) -> np.ndarray:
        """The head's outputs on the map's points, a column each (head.columns): class
        probabilities (n, K), label probabilities (n, L), or for a number its values (n,)."""
        out = self.head.columns(self.net(self.grid_inputs)).double().numpy()
        return out[:, 0] if self.data.kind == "number" else out

    # ------------------------------------------------------------ what a student takes home
    def history_csv(self) -> str:
        """The per-epoch numbers as CSV text (epoch 0 is the start)."""
        h = self.history
        keys = ["epoch", "train_loss", "val_loss", "train_score", "val_score", "grad", "lr"]
        lines = [",".join(keys)]
        for row in zip(*(h[k] for k in keys)):
            lines.append(",".join(f"{v:.8g}" if isinstance(v, float) else str(v) for v in row))
        return "\n".join(lines) + "\n"

    def checkpoint(self) -> dict:
        """The trained network as a checkpoint nnref-predict reads (nnref.checkpoint)."""
        rows = [
            {"epoch": e, "train/loss": t, "val/loss": v}
            for e, t, v in zip(
                self.history["epoch"], self.history["train_loss"], self.history["val_loss"]
            )
        ]
        return to_checkpoint(self.net, self.head, self.data.splits.encoders, rows)

    @torch.no_grad()
    def confusion(self) -> np.ndarray | None:
        """The head's confusion matrix on the validation rows: K x K (row = true class); for
        multilabel, per label L x 4 (true negatives, false positives, false negatives, true
        positives). None for regression (its score is R²)."""
        splits = self.data.splits  # no validation rows (a few clicked points): all counts are 0
        counts = self.head.confusion_matrix(self.net(splits.x_val), splits.y_val)
        if counts is None:
            return None
        return counts.reshape(len(counts), -1).numpy()

    def summary(self) -> dict:
        h = self.history
        return {
            "epochs_done": h["epoch"][-1],
            "first_loss": h["train_loss"][0],
            "final_loss": h["train_loss"][-1],
            "final_val_loss": h["val_loss"][-1],
            "first_score": h["train_score"][0],
            "final_score": h["train_score"][-1],
            "final_val_score": h["val_score"][-1],
            "score_name": self.head.score_name,
            "diverged": self.diverged,
            "stopped_early": self.stopped_early,
        }


# ---------------------------------------------------------------- the paths tab
# The view of each surface, as scripts/optimizer_paths.py draws it.
VIEWS = {
    "ravine": ((-9.0, 2.0), (-1.6, 1.6)),
    "local_minimum": ((-1.8, 2.3), (-1.3, 1.3)),
    "rosenbrock": ((-2.0, 2.0), (-1.0, 3.0)),
}
# Path points kept for drawing (long runs are thinned evenly; the numbers use every step).
KEEP = 400


def run_paths(settings: PathSettings) -> dict:
    """optimizer_paths.run_surface with these settings, NAG's look-ahead points included."""
    return optimizer_paths.run_surface(
        settings.surface,
        steps=settings.steps,
        optimizers=settings.optimizers,
        keep=KEEP,
        start=[settings.x0, settings.y0],
        lr=settings.lr,
        momentum=settings.gamma,
        lookahead=True,
    )


def view(settings: PathSettings) -> tuple:
    """The surface's view, widened to hold the start point (with a margin)."""
    (x_lo, x_hi), (y_lo, y_hi) = VIEWS[settings.surface]
    mx, my = 0.08 * (x_hi - x_lo), 0.08 * (y_hi - y_lo)
    return (
        (min(x_lo, settings.x0 - mx), max(x_hi, settings.x0 + mx)),
        (min(y_lo, settings.y0 - my), max(y_hi, settings.y0 + my)),
    )


def rows(result: dict) -> list:
    """One dict per optimizer: the experiment's own numbers, in the order they were asked for."""
    names = result["settings"]["lr_shared_by"]
    return [
        {
            "optimizer": name,
            "final_loss": result[name]["final_loss"],
            "steps_to_tol": result[name]["steps_to_tol"],
            "diverged": result[name]["diverged"],
            "escaped": result[name].get("escaped"),
        }
        for name in names
    ]


def table(result: dict) -> Joined:
    """The numbers as a Markdown table (its words messages, shown in the page's language)."""
    s = result["settings"]
    local = "wells" in s
    head = [_("optimizer"), _("final loss"), _("first step within {tol:g}", tol=s["tol"])]
    head += [_("escaped the local minimum")] if local else []
    lines = [markdown_row(head), "|" + "---|" * len(head)]
    for row in rows(result):
        reached = "—" if row["steps_to_tol"] is None else str(row["steps_to_tol"])
        reached = _("diverged") if row["diverged"] else reached
        cells = [row["optimizer"], f"{row['final_loss']:.4g}", reached]
        if local:
            cells.append(_("yes") if row["escaped"] else _("no"))
        lines.append(markdown_row(cells))
    return join(lines, "\n")


def markdown_row(cells) -> Joined:
    return join(["| ", join(cells, " | "), " |"], "")
