"""The experiments' training loop: one task head, in-memory tensors, one `nnref.optim` optimizer.

`nnref.train` runs Lightning's Trainer; the experiments instead take hundreds of tiny steps on
small sets, where a plain loop is several times faster and shows every step. The loss is the
task head's own (`module.loss`), so what is trained is exactly what `train.py` trains.
"""
from __future__ import annotations

import torch


def train_epochs(module, x, y, optimizer, epochs: int, batch_size: int | None = None, seed: int = 0):
    """Train in place, yielding each epoch's index after its updates.

    A generator, so a caller can draw, step an lr schedule or stop between epochs (the playground
    does all three); `fit` below is this loop run to the end. batch_size None is batch GD (the whole
    set per update, in order); otherwise each epoch visits a fresh seeded permutation in slices of
    batch_size. Steps go through a closure, so NAG (which needs the gradient at its look-ahead
    point) works like the rest.
    """
    n = len(x)
    size = n if batch_size is None else max(1, min(int(batch_size), n))
    generator = torch.Generator().manual_seed(seed)
    module.train()
    for epoch in range(int(epochs)):
        order = torch.randperm(n, generator=generator) if size < n else None
        for start in range(0, n, size):
            xb, yb = (x, y) if order is None else (x[order[start:start + size]], y[order[start:start + size]])

            def closure(xb=xb, yb=yb):
                optimizer.zero_grad()
                loss = module.loss(module(xb), yb)
                loss.backward()
                return loss

            optimizer.step(closure)
        yield epoch


def fit(module, x, y, optimizer, epochs: int, batch_size: int | None = None, seed: int = 0,
        on_epoch=None) -> list:
    """Train in place; return `on_epoch(epoch)` of each epoch (after its updates), if given."""
    history = []
    for epoch in train_epochs(module, x, y, optimizer, epochs, batch_size, seed):
        if on_epoch is not None:
            history.append(on_epoch(epoch))
    return history


@torch.no_grad()
def predicted_classes(module, x) -> torch.Tensor:
    """Class index per row: threshold 0.5 for one sigmoid output, argmax otherwise."""
    p = module.predict(module(x))
    return (p >= 0.5).long() if p.ndim == 1 else p.argmax(dim=1)


@torch.no_grad()
def accuracy(module, x, y) -> float:
    """Share of rows whose predicted class is the target (0/1 column or class indices)."""
    return float((predicted_classes(module, x) == y.reshape(-1).long()).double().mean())


@torch.no_grad()
def mean_loss(module, x, y) -> float:
    """The head's training loss on (x, y), as a float."""
    return float(module.loss(module(x), y))
