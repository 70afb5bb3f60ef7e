"""Weights do not all change alike: after training, some have moved a lot and some hardly at all.

The same digits MLP, from the same initial weights, is trained with GD, AdaGrad and Adam (each at
its default lr, nnref.optim.OPTIMIZERS) on the same mini-batches. Per layer (each Linear's weight
matrix, and "all" of them together; biases left out) and per weight, three numbers:

- total_change: |w_end - w_start|, what the course looks at after training;
- step_change: the mean over updates of |w_{t+1} - w_t|, the per-step move the optimizer chose;
- grad_rms: sqrt(mean over updates of g^2), how steep the loss is along that weight.

GD's step is lr * g, so its step changes spread as widely as the gradients do. AdaGrad and Adam
divide each weight's step by a running size of its own gradient, which pulls the step changes
together: the chapter's wish for a learning rate per weight. Weights whose gradient was exactly 0 at
every update (the input weights of pixels that are blank in every training image, and those of any
hidden unit that never fired) cannot move under any of these optimizers; they are counted apart
(`always_zero_grad`) and left out of the quantiles.
"""

from __future__ import annotations

import torch

from ..data import TaskData
from ..heads import HEADS
from ..loop import accuracy, build, fit
from ..optim import OPTIMIZERS

# Each optimizer at its default lr (the course's table, as nnref-train optim=NAME uses it).
LRS = {name: OPTIMIZERS[name].lr for name in ("gd", "adagrad", "rmsprop", "adam")}
# 0.1 with 0.9 gives the spread; 0, 0.5 and 1 the range and middle.
QUANTILES = (
    0.0,
    0.1,
    0.5,
    0.9,
    1.0,
)


class StepRecorder:
    """Wraps an optimizer for `fit`: after each of its steps, adds every watched weight's g^2 and
    |step|. (`fit` only calls zero_grad() and step(closure); the gradient the step used is still in
    .grad.)"""

    def __init__(self, optimizer, watched):
        self.optimizer, self.watched = optimizer, list(watched)
        self.grad_squares = [torch.zeros_like(w) for w in self.watched]
        self.step_sizes = [torch.zeros_like(w) for w in self.watched]
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True):
        self.optimizer.zero_grad(set_to_none)

    def step(self, closure):
        before = [w.detach().clone() for w in self.watched]
        loss = self.optimizer.step(closure)
        for w, old, squares, sizes in zip(self.watched, before, self.grad_squares, self.step_sizes):
            squares += w.grad.detach() ** 2
            sizes += (w.detach() - old).abs()
        self.steps += 1
        return loss


def quantiles(values: torch.Tensor) -> dict:
    q = torch.quantile(values.double(), torch.tensor(QUANTILES, dtype=torch.float64))
    return {f"{level:g}": float(v) for level, v in zip(QUANTILES, q)}


def spread(q: dict) -> float:
    """90th over 10th percentile: 10 means an order of magnitude between them."""
    return q["0.9"] / q["0.1"]


def train(name: str, epochs: int, batch_size: int, hidden, seed: int, dm: TaskData) -> dict:
    if name not in LRS:
        raise ValueError(f"optimizer {name!r}: unknown; valid: {', '.join(LRS)}")
    # The same initial weights for every optimizer.
    net, head = build("multiclass", dm, hidden, seed=seed)
    layers = [m for m in net if isinstance(m, torch.nn.Linear)]
    start = [layer.weight.detach().clone() for layer in layers]
    recorder = StepRecorder(
        OPTIMIZERS[name].cls(net.parameters(), lr=LRS[name]), [m.weight for m in layers]
    )
    # Same batches for all.
    fit(net, head, dm.x_train, dm.y_train, recorder, epochs, batch_size, seed=seed)

    out = {
        "lr": LRS[name],
        "updates": recorder.steps,
        "test_acc": accuracy(net, head, dm.x_test, dm.y_test),
        "layers": {},
    }
    per_layer = {
        f"layer{i + 1}": (
            (layer.weight.detach() - w0).abs().flatten(),
            (sizes / recorder.steps).flatten(),
            (squares / recorder.steps).sqrt().flatten(),
        )
        for i, (layer, w0, squares, sizes) in enumerate(
            zip(layers, start, recorder.grad_squares, recorder.step_sizes)
        )
    }
    # The network's weights.
    per_layer["all"] = tuple(torch.cat(parts) for parts in zip(*per_layer.values()))
    for key, (total, step, rms) in per_layer.items():
        moving = rms > 0  # exactly 0 at every update: that weight cannot have moved
        stats = {
            "total_change": quantiles(total[moving]),
            "step_change": quantiles(step[moving]),
            "grad_rms": quantiles(rms[moving]),
        }
        stats.update(
            {
                f"{name}_spread": spread(stats[name])
                for name in ("total_change", "step_change", "grad_rms")
            }
        )
        stats.update(
            {
                "n_weights": len(total),
                "always_zero_grad": int((~moving).sum()),
                "always_zero_grad_moved": float(total[~moving].max()) if (~moving).any() else 0.0,
            }
        )
        out["layers"][key] = stats
    return out


def run(
    optimizers=("gd", "adagrad", "adam"),
    epochs: int = 10,
    batch_size: int = 32,
    hidden=(64,),
    seed: int = 0,
) -> dict:
    for name in optimizers:
        if name not in LRS:
            raise ValueError(f"optimizer {name!r}: unknown; valid: {', '.join(LRS)}")
    dm = TaskData(
        source="digits", target_encoding=HEADS["multiclass"].target_encoding(), seed=0
    ).load()
    runs = {name: train(name, epochs, batch_size, hidden, seed, dm) for name in optimizers}
    measures = ("total_change", "step_change", "grad_rms")
    return {
        # optimizer -> layer -> measure -> quantile level -> value
        "quantiles": {
            name: {
                layer: {m: stats.pop(m) for m in measures} for layer, stats in r["layers"].items()
            }
            for name, r in runs.items()
        },
        "runs": runs,  # what is left per layer: the spreads and the always-zero-gradient counts
        "blank_pixels": int((dm.x_train.std(dim=0) == 0).sum()),
        "settings": {
            "source": "digits",
            "task": "multiclass",
            "epochs": epochs,
            "batch_size": batch_size,
            "hidden": list(hidden),
            "seed": seed,
            "quantile_levels": list(QUANTILES),
            "lr": {name: LRS[name] for name in optimizers},
            "spread": "90th over 10th percentile, over the weights whose gradient was ever nonzero",
        },
    }
