"""The plain training loop the experiments and the playground use: torch alone, one step per batch.

It trains exactly what `nnref-train` trains through Lightning: the same network (nnref.nets.MLP
from its seed), the same head's loss, the same optimizer stepped through a closure (NAG takes its
gradient inside step()), and the same batches in the same order (nnref.data.batches, drawn from
(seed, epoch)). Its per-epoch train loss is Lightning's `train/loss`: the mean over the epoch's
rows of the loss each batch had before its update. On hundreds of tiny steps it is several times
faster than the Trainer and shows every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .data.batches import Batches
from .heads import HEADS
from .nets import MLP


def build(
    task: str, data, hidden=(64,), activation: str = "relu", seed: int = 0, loss=None, **options
):
    """(net, head) for a task on loaded data (nnref.data.TaskData), as nnref-train builds them: the
    head sized from the data's target encoder, and nnref.nets.MLP from its seed."""
    head_class = HEADS[task]
    n_outputs = head_class.output_size(data.target_encoder)
    head = head_class(n_outputs, loss, data.encoders, **options)
    return MLP(data.n_features, hidden, n_outputs, activation, seed=seed), head


@dataclass
class Epoch:
    index: int  # the epoch just trained, from 0
    train_loss: (
        float  # mean over its rows of each batch's loss before its update (nan once diverged)
    )
    steps: int  # optimizer steps taken so far
    diverged: bool  # a batch's loss was not finite: that batch did not update, and the loop stops


def train_epochs(
    net, head, x, y, optimizer, epochs: int, batch_size: int | None = None, seed: int = 0
):
    """Train net in place, yielding an Epoch after each epoch's updates.

    A generator, so that a caller can draw, step an lr schedule or stop between epochs. batch_size
    None is batch GD (the whole set per update, in order); otherwise each epoch visits the rows in
    the order epoch_order(n, seed, epoch) gives, in slices of batch_size.
    """
    net.train()
    steps = 0
    for epoch in range(int(epochs)):
        batches = Batches(
            x,
            y,
            len(x) if batch_size is None else batch_size,
            batch_size is not None,
            seed,
            epoch_fn=lambda e=epoch: e,
        )
        total, diverged = 0.0, False
        for xb, yb in batches:

            def closure(xb=xb, yb=yb):
                optimizer.zero_grad()
                loss = head.loss(net(xb), yb)
                loss.backward()
                if not torch.isfinite(loss):
                    # No gradient: the step leaves w as it was.
                    optimizer.zero_grad(set_to_none=True)
                return loss

            value = float(optimizer.step(closure).detach())
            if not math.isfinite(value):
                diverged = True
                break
            total += value * len(yb)
            steps += 1
        yield Epoch(epoch, math.nan if diverged else total / len(x), steps, diverged)
        if diverged:
            return


def fit(
    net,
    head,
    x,
    y,
    optimizer,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    on_epoch=None,
):
    """Train in place; return on_epoch(epoch) of each Epoch (after its updates), if given."""
    history = []
    for epoch in train_epochs(net, head, x, y, optimizer, epochs, batch_size, seed):
        if on_epoch is not None:
            history.append(on_epoch(epoch))
    return history


@torch.no_grad()
def predicted_classes(net, head, x) -> torch.Tensor:
    """Class index per row: threshold 0.5 for one sigmoid output, argmax otherwise."""
    p = head.predict(net(x))
    return (p >= 0.5).long() if p.ndim == 1 else p.argmax(dim=1)


@torch.no_grad()
def accuracy(net, head, x, y) -> float:
    """Share of rows whose predicted class is the target (0/1 column or class indices)."""
    return float((predicted_classes(net, head, x) == y.reshape(-1).long()).double().mean())


@torch.no_grad()
def mean_loss(net, head, x, y) -> float:
    """The head's loss on (x, y), as a float."""
    return float(head.loss(net(x), y))
