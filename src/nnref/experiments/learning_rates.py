"""Learning rates over time (schedules) and per weight (adaptive optimizers).

1. `constant_vs_decay`: one task, a constant lr against the same lr with step decay. At a high
   constant lr mini-batch GD keeps bouncing around the minimum; dividing the lr shrinks the bounce.
2. `effective_lrs`: AdaGrad, RMSProp and Adam give every weight its own step size (read from the
   optimizer's state); GD gives all of them the same one.
3. `momentum_at_drop`: the course's momentum (m = γm + ηg; w -= m) against torch's
   (b = γb + g; w -= ηb) under a step schedule. Equal at constant η; at the drop, the course's m
   still holds the old η in its past steps, while torch scales its whole buffer by the new η.

Parts 1 and 2 go through the project's own path (TaskDataModule, the task module, `nnref.optim`,
torch's schedulers, a Lightning Trainer); part 3 is a plain float64 loop so the two optimizers see
bit-identical weights and batches. Every function returns a JSON-serialisable dict.
"""

from __future__ import annotations

from functools import partial

import lightning as L
import torch

from .. import optim
from ..data import Batches, TaskData
from ..loop import build
from ..optim import OPTIMIZERS
from .lightning_run import fit, setup

# Each adaptive optimizer at its default lr (the course's table, as nnref-train optim=NAME uses it).
ADAPTIVE = {
    name: (OPTIMIZERS[name].cls, OPTIMIZERS[name].lr) for name in ("adagrad", "rmsprop", "adam")
}
GD_LR = OPTIMIZERS["gd"].lr


# ------------------------------------------------------------------------------------ helpers
class EpochLR(L.Callback):
    """The lr each epoch trains with. (The module's history records the lr after the epoch's
    scheduler step, which is the next epoch's.)"""

    def __init__(self):
        self.values = []

    def on_train_epoch_start(self, trainer, module):
        self.values.append(float(trainer.optimizers[0].param_groups[0]["lr"]))


def _stats(values: torch.Tensor) -> dict:
    return {
        "min": float(values.min()),
        "median": float(values.median()),
        "max": float(values.max()),
    }


# ------------------------------------------------------------------------------------ 1. schedule
def constant_vs_decay(
    epochs: int = 30,
    lr: float = 0.2,
    step_size: int = 10,
    gamma: float = 0.1,
    batch_size: int = 32,
    source: str = "diabetes",
    hidden=(),
    seed: int = 0,
) -> dict:
    """Linear regression (no hidden layer) by mini-batch GD: constant lr against StepLR.

    The loss is convex, so what the schedule changes is only the noise of the mini-batch steps
    around the minimum, not which minimum is found."""
    runs = {}
    for name, scheduler in (
        ("constant", None),
        ("decay", partial(torch.optim.lr_scheduler.StepLR, step_size=step_size, gamma=gamma)),
    ):
        dm, module = setup(
            "regression",
            source,
            "mini",
            batch_size,
            seed,
            hidden,
            partial(optim.GD, lr=lr),
            scheduler,
        )
        lrs = EpochLR()
        fit(dm, module, epochs, [lrs])
        runs[name] = {
            "lr": lrs.values,
            "train_loss": [row["train/loss"] for row in module.history],
            "val_loss": [row["val/loss"] for row in module.history],
        }
    tail = max(1, epochs // 3)  # the last third: after the last drop with the defaults
    return {
        "settings": {
            "task": "regression",
            "source": source,
            "hidden": list(hidden),
            "optimizer": "GD",
            "lr": lr,
            "batch_size": batch_size,
            "epochs": epochs,
            "scheduler": "StepLR",
            "step_size": step_size,
            "gamma": gamma,
            "seed": seed,
        },
        "runs": runs,
        "final_val_loss": {k: r["val_loss"][-1] for k, r in runs.items()},
        # How much the validation loss still bounces at the end: its spread over the last epochs.
        "val_loss_spread_last_epochs": {
            k: max(r["val_loss"][-tail:]) - min(r["val_loss"][-tail:]) for k, r in runs.items()
        },
    }


# ------------------------------------------------------------------------------------ 2. per weight
def per_weight_lr(name: str, opt: torch.optim.Optimizer) -> tuple[torch.Tensor, int]:
    """The step size each weight gets now, from the optimizer's own state, and how many weights
    have not had a non-zero gradient yet (left out: their rate is lr/eps, a number that never
    acts, because those weights have not moved).

    adagrad: η/(√s + ε) multiplies g.  rmsprop: η/(√v + ε) multiplies g.
    adam: η/(√v̂ + ε) multiplies the bias-corrected average gradient m̂ (v̂ = v/(1 − β₂ᵗ)).
    """
    rates, left_out = [], 0
    for group in opt.param_groups:
        lr, eps = group["lr"], group["eps"]
        for p in group["params"]:
            state = opt.state[p]
            if name == "adagrad":
                acc = state["sum"]
            elif name == "rmsprop":
                acc = state["square_avg"]
            else:
                acc = state["exp_avg_sq"] / (1 - group["betas"][1] ** state["step"])
            seen = acc.flatten() > 0
            left_out += int((~seen).sum())
            rates.append(lr / (acc.flatten()[seen].sqrt() + eps))
    return torch.cat(rates), left_out


class Snapshot(L.Callback):
    """Per-weight step sizes at the end of chosen epochs (1-based: epoch 1 is after the first),
    keyed by the epoch as a string, as JSON will have it."""

    def __init__(self, name, epochs, bins):
        self.name, self.epochs, self.bins = name, set(epochs), bins
        self.stats, self.counts, self.left_out = {}, {}, {}

    def on_train_epoch_end(self, trainer, module):
        epoch = trainer.current_epoch + 1
        if epoch in self.epochs:
            epoch = str(epoch)
            rates, left_out = per_weight_lr(self.name, trainer.optimizers[0])
            self.stats[epoch] = _stats(rates)
            counts = torch.histogram(
                rates.double().log10().clamp(self.bins[0], self.bins[-1]),
                torch.tensor(self.bins, dtype=torch.float64),
            ).hist
            self.counts[epoch] = [int(c) for c in counts]
            self.left_out[epoch] = left_out


def effective_lrs(
    epochs=(1, 5, 15),
    batch_size: int = 32,
    source: str = "digits",
    hidden=(64,),
    seed: int = 0,
    bins: int = 48,
    log10_range=(-3.5, 2.5),
) -> dict:
    """Train the same MLP with AdaGrad, RMSProp and Adam (their conf defaults) and read each
    weight's step size at the given epochs; GD's is one number for all. `effective_lr` holds the
    last snapshot; `histogram` counts log10(step size) in shared bins (ends clamped)."""
    edges = torch.linspace(log10_range[0], log10_range[1], bins + 1).tolist()
    out = {"by_epoch": {}, "histogram": {}, "never_updated": {}, "effective_lr": {}, "lr": {}}
    for name, (cls, lr) in ADAPTIVE.items():
        optimizer = partial(cls, lr=lr)
        dm, module = setup("multiclass", source, "mini", batch_size, seed, hidden, optimizer)
        snap = Snapshot(name, epochs, edges)
        fit(dm, module, max(epochs), [snap])
        out["by_epoch"][name], out["histogram"][name] = snap.stats, snap.counts
        out["never_updated"][name] = snap.left_out
        out["effective_lr"][name] = snap.stats[str(max(epochs))]
        out["lr"][name] = lr
    out["effective_lr"]["gd"] = {"min": GD_LR, "median": GD_LR, "max": GD_LR}
    out["lr"]["gd"] = GD_LR
    out["n_weights"] = sum(p.numel() for p in module.parameters())
    out["log10_bin_edges"] = edges
    out["settings"] = {
        "task": "multiclass",
        "source": source,
        "hidden": list(hidden),
        "batch_size": batch_size,
        "epochs": list(epochs),
        "seed": seed,
    }
    return out


# ------------------------------------------------------------------------------------ 3. momentum
def momentum_at_drop(
    epochs: int = 6,
    drop_epoch: int = 3,
    lr: float = 0.02,
    momentum: float = 0.9,
    gamma: float = 0.1,
    batch_size: int = 32,
    source: str = "digits",
    hidden=(64,),
    seed: int = 0,
) -> dict:
    """nnref.optim.Momentum against torch.optim.SGD(momentum=...) from the same float64 weights,
    on the same batches, each with StepLR(step_size=drop_epoch, gamma) stepped per epoch.

    Per step: the largest |w_course - w_torch| over all weights, and each one's step length |Δw|."""
    dm = TaskData(
        source=source, target_encoding="onehot", batching="mini", batch_size=batch_size, seed=seed
    ).load()
    course, head = build("multiclass", dm, hidden, seed=seed)
    ref, _ = build("multiclass", dm, hidden, seed=seed)  # the same weights
    course, ref = course.double(), ref.double()
    opts = {
        "course": optim.Momentum(course.parameters(), lr=lr, momentum=momentum),
        "torch": torch.optim.SGD(ref.parameters(), lr=lr, momentum=momentum),
    }
    scheds = [
        torch.optim.lr_scheduler.StepLR(o, step_size=drop_epoch, gamma=gamma) for o in opts.values()
    ]
    nets = {"course": course, "torch": ref}
    x = dm.x_train.double()
    gap, step_length, lr_per_step = [], {"course": [], "torch": []}, []
    for epoch in range(epochs):
        # The data module's own seeded order for this epoch; both nets take each batch in turn.
        batches = Batches(
            x, dm.y_train, batch_size, shuffle=True, seed=seed, epoch_fn=lambda e=epoch: e
        )
        for xb, yb in batches:
            lr_per_step.append(opts["course"].param_groups[0]["lr"])
            for key, net in nets.items():
                before = torch.cat([p.detach().flatten() for p in net.parameters()])
                opts[key].zero_grad()
                head.loss(net(xb), yb).backward()
                opts[key].step()
                after = torch.cat([p.detach().flatten() for p in net.parameters()])
                step_length[key].append(float((after - before).norm()))
            gap.append(
                max(
                    float((a - b).detach().abs().max())
                    for a, b in zip(course.parameters(), ref.parameters())
                )
            )
        for s in scheds:
            s.step()
    drop_step = drop_epoch * len(batches)  # index of the first step at the lower lr
    return {
        "settings": {
            "task": "multiclass",
            "source": source,
            "hidden": list(hidden),
            "lr": lr,
            "momentum": momentum,
            "gamma": gamma,
            "drop_epoch": drop_epoch,
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "dtype": "float64",
        },
        "steps_per_epoch": len(batches),
        "drop_step": drop_step,
        "lr": lr_per_step,
        "param_gap": gap,
        "step_length": step_length,
        "max_param_gap_before_drop": max(gap[:drop_step]),
        "max_param_gap_after_drop": max(gap[drop_step:]),
    }


# ------------------------------------------------------------------------------------ all three
def run(quick: bool = False) -> dict:
    """The three parts; quick=True shrinks them to seconds (for tests)."""
    if quick:
        parts = (
            constant_vs_decay(epochs=12, step_size=4),
            effective_lrs(epochs=(1, 3)),
            momentum_at_drop(epochs=2, drop_epoch=1),
        )
    else:
        parts = (constant_vs_decay(), effective_lrs(), momentum_at_drop())
    decay, per_weight, drop = parts
    return {
        "final_val_loss": decay["final_val_loss"],
        "effective_lr": per_weight["effective_lr"],
        "max_param_gap_before_drop": drop["max_param_gap_before_drop"],
        "max_param_gap_after_drop": drop["max_param_gap_after_drop"],
        "schedule": decay,
        "per_weight": per_weight,
        "momentum": drop,
    }
