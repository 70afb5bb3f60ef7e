"""Does SGD suffer more than larger batches on noisy data? Flipped training labels, three batchings.

The digits training labels are flipped at 0 %, 10 % and 30 % (each flipped label moves to one of the
other nine classes, uniformly), the test labels are left clean, and the same MLP from the same
initial weights is trained by GD with the same lr for the same epochs on each, with batching full
(one update per epoch), mini (batch_size rows) and stochastic (one row per update). The measure is
the test accuracy at the end, and how much of it the noise takes away (`drop`).

Why batching should matter: with flipped labels the rows' gradients disagree more, i.e. their
variance tr(S) grows (measured at the mini-batch run's final weights, over the noisy training
rows: `gradient_variance`). A step on B rows carries tr(S)/B of it (`gradient_noise`), so a
stochastic step is pushed around by every wrong label it meets, the last ones included, while a
mini-batch step averages them with B - 1 others. At equal epochs, full batching has taken only
`epochs` updates and has barely moved from its start: its drop says nothing about noise.
"""

from __future__ import annotations

import torch

from ..data import BATCHINGS
from ..loop import accuracy, build, fit
from ..optim import GD
from .gradient_noise import digits, per_sample_gradients

NOISE = (0.0, 0.1, 0.3)


def flip_labels(y: torch.Tensor, fraction: float, n_classes: int, seed: int) -> torch.Tensor:
    """A copy of y with round(fraction * len(y)) labels, chosen at random, moved to another
    class."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"noise fraction {fraction!r}: must be in [0, 1]")
    generator = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(len(y), generator=generator)[: round(fraction * len(y))]
    noisy = y.clone()
    # A shift of 1..K-1 classes: never the right class, every wrong one equally likely.
    noisy[chosen] = (
        y[chosen] + torch.randint(1, n_classes, (len(chosen),), generator=generator)
    ) % n_classes
    return noisy


def batch_size_of(batching: str, mini: int) -> int | None:
    """The loop's batch_size for a batching: None (the whole split), mini, or 1."""
    if batching not in BATCHINGS:
        raise ValueError(f"batching {batching!r}: unknown; valid: {', '.join(BATCHINGS)}")
    return None if batching == "full" else BATCHINGS[batching].batch_size(0, mini)


def run(
    noise=NOISE,
    epochs: int = 5,
    lr: float = 0.05,
    batch_size: int = 32,
    hidden=(32,),
    seeds=(0,),
    batchings=tuple(BATCHINGS),
) -> dict:
    """Final test accuracy per batching and noise level, averaged over `seeds` (each seed: its own
    initial weights, flips and batch order; the data split is fixed)."""
    noise, seeds = tuple(float(f) for f in noise), tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds: need at least one")
    sizes = {b: batch_size_of(b, batch_size) for b in batchings}
    dm = digits()
    n_classes = len(dm.target_encoder.classes)
    acc = {b: {str(f): [] for f in noise} for b in batchings}
    history = {b: {} for b in batchings}
    variance = {str(f): [] for f in noise}
    for seed in seeds:
        for f in noise:
            y = flip_labels(dm.y_train, f, n_classes, seed=1000 + seed)
            for b in batchings:
                # The same initial weights for every batching and noise level.
                net, head = build("multiclass", dm, hidden, seed=seed)
                curve = fit(
                    net,
                    head,
                    dm.x_train,
                    y,
                    GD(net.parameters(), lr=lr),
                    epochs,
                    sizes[b],
                    seed=seed,
                    on_epoch=lambda epoch, net=net, head=head: accuracy(
                        net, head, dm.x_test, dm.y_test
                    ),
                )
                acc[b][str(f)].append(curve[-1])
                if seed == seeds[0]:
                    history[b][str(f)] = curve
                if b == "mini":
                    rows = per_sample_gradients(net, head, dm.x_train, y)
                    variance[str(f)].append(
                        float(((rows - rows.mean(dim=0)) ** 2).sum(dim=1).mean())
                    )
    mean = {b: {f: sum(v) / len(v) for f, v in per.items()} for b, per in acc.items()}
    clean, worst = str(min(noise)), str(max(noise))
    return {
        "final_test_acc": mean,
        "final_test_acc_per_seed": acc,
        "drop": {b: mean[b][clean] - mean[b][worst] for b in batchings},
        "test_acc_history": history,
        "gradient_variance": {f: sum(v) / len(v) for f, v in variance.items() if v},
        "updates_per_epoch": {
            b: -(-len(dm.x_train) // (sizes[b] or len(dm.x_train))) for b in batchings
        },
        "n_train": len(dm.x_train),
        "settings": {
            "source": "digits",
            "task": "multiclass",
            "optimizer": "GD",
            "lr": lr,
            "epochs": epochs,
            "batch_size_mini": batch_size,
            "hidden": list(hidden),
            "seeds": list(seeds),
            "noise": list(noise),
            "noise_kind": "training labels flipped to another class; test clean",
            "drop": f"final_test_acc at noise {clean} minus at noise {worst}",
            "gradient_variance": "tr of the per-row gradients' covariance at the mini-batch run's "
            "final weights, over the noisy training rows (mean over seeds)",
            "test_acc_history": f"test accuracy after each epoch, seed {seeds[0]}",
        },
    }
