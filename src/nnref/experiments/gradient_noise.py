"""A mini-batch gradient is a sample estimate of the full-batch gradient; the batch size is the
sample size.

At one fixed w (a seeded, untrained digits MLP, float64) every training row's own gradient is taken
(torch.func: vmap over grad), giving the population G (N rows x P weights) whose mean is the
full-batch gradient g. A mini-batch of B rows averages B of those rows, so:

- it is unbiased: the mean over many batches tends to g. Checked twice: the size-weighted mean over
  the batches of one permutation (an epoch) is exactly g, and the mean of K random batches is off
  by about what sampling predicts, E|mean - g|^2 = tr(S)/(B K), S the rows' covariance;
- its variance E|g_B - g|^2 is tr(S)/B when the B rows are drawn with replacement, i.e. it falls as
  1/B (slope -1 on log-log axes). Drawn without replacement, as `fit` and the data module's batches
  are, a finite population gives less: tr(S)/B * (N - B)/(N - 1). Both are measured; the 1/B law is
  asserted on the with-replacement draws.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

from ..data import TaskData
from ..heads import HEADS
from ..loop import build

BATCH_SIZES = (1, 4, 16, 64, 256)


def digits(seed: int = 0) -> TaskData:
    """The digits set, split and standardised the project's own way."""
    return TaskData(
        source="digits", target_encoding=HEADS["multiclass"].target_encoding(), seed=seed
    ).load()


def per_sample_gradients(net, head, x, y) -> torch.Tensor:
    """Row i is the gradient of the head's loss on row i alone, all weights flattened in order."""
    params = {name: p.detach() for name, p in net.named_parameters()}

    def loss_of_one(p, xi, yi):
        return head.loss(functional_call(net, p, (xi[None],)), yi[None])

    grads = vmap(grad(loss_of_one), in_dims=(None, 0, 0))(params, x, y)
    return torch.cat([g.reshape(len(x), -1) for g in grads.values()], dim=1)


def batch_means(rows: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """The mean of the rows each line of `index` picks (K x B indices -> K means), as one sparse
    matmul: K x B work per weight instead of K x N. A row picked twice counts twice."""
    k, b = index.shape
    which = torch.stack([torch.arange(k).repeat_interleave(b), index.reshape(-1)])
    weights = torch.sparse_coo_tensor(
        which,
        torch.full((k * b,), 1.0 / b, dtype=rows.dtype),
        (k, len(rows)),
        check_invariants=True,
    )
    return torch.sparse.mm(weights, rows)


def epoch_mean(rows: torch.Tensor, b: int, generator) -> torch.Tensor:
    """One epoch's batches (a random order in slices of b, the last one shorter), their gradients
    averaged with each batch weighted by its size: that is exactly the full-batch gradient."""
    order = torch.randperm(len(rows), generator=generator)
    batch_of_row = torch.arange(len(rows)) // b
    sizes = torch.bincount(batch_of_row).to(rows.dtype)
    means = torch.zeros(len(sizes), rows.shape[1], dtype=rows.dtype).index_add_(
        0, batch_of_row, rows[order]
    )
    means /= sizes[:, None]
    return (means * sizes[:, None]).sum(dim=0) / len(rows)


def log_log_slope(xs, ys) -> float:
    """The least-squares slope of log y against log x."""
    lx, ly = (
        torch.tensor(xs, dtype=torch.float64).log(),
        torch.tensor(ys, dtype=torch.float64).log(),
    )
    lx, ly = lx - lx.mean(), ly - ly.mean()
    return float((lx * ly).sum() / (lx * lx).sum())


def batch_statistics(rows, full, trace_cov, batch_sizes, n_batches, generator) -> dict:
    """Per batch size: the batch gradients' spread around g, drawn with and without replacement,
    beside what the sample-mean formulas predict."""
    n = len(rows)
    out = {
        "mean_cosine_to_full": {},
        "variance": {},
        "predicted_variance": {},
        "variance_without_replacement": {},
        "predicted_without_replacement": {},
        "mean_error": {},
        "expected_mean_error": {},
        "permutation_mean_error": {},
    }
    for b in batch_sizes:
        with_repl = batch_means(rows, torch.randint(0, n, (n_batches, b), generator=generator))
        # Without replacement: the first b of a fresh random order per batch.
        orders = torch.argsort(
            torch.rand(n_batches, n, generator=generator, dtype=torch.float64), dim=1
        )
        without = batch_means(rows, orders[:, :b])
        key = str(b)
        out["mean_cosine_to_full"][key] = float(
            F.cosine_similarity(with_repl, full[None], dim=1).mean()
        )
        out["variance"][key] = float(((with_repl - full) ** 2).sum(dim=1).mean())
        out["predicted_variance"][key] = trace_cov / b
        out["variance_without_replacement"][key] = float(((without - full) ** 2).sum(dim=1).mean())
        out["predicted_without_replacement"][key] = trace_cov / b * (n - b) / (n - 1)
        out["mean_error"][key] = float(((with_repl.mean(dim=0) - full) ** 2).sum())
        out["expected_mean_error"][key] = trace_cov / (b * n_batches)
        out["permutation_mean_error"][key] = float(
            (epoch_mean(rows, b, generator) - full).abs().max()
        )
    return out


def run(batch_sizes=BATCH_SIZES, n_batches: int = 400, hidden=(32,), seed: int = 0) -> dict:
    batch_sizes = tuple(int(b) for b in batch_sizes)
    if len(batch_sizes) < 2 or min(batch_sizes) < 1:
        raise ValueError(
            f"batch_sizes={batch_sizes!r}: need at least two sizes >= 1 (for the slope)"
        )
    if not (isinstance(n_batches, int) and n_batches >= 2):
        raise ValueError(f"n_batches={n_batches!r}: must be an integer >= 2")
    dm = digits()
    x, y = dm.x_train.double(), dm.y_train
    n = len(x)
    if max(batch_sizes) > n:
        raise ValueError(f"batch_sizes: {max(batch_sizes)} is more than the {n} training rows")
    net, head = build("multiclass", dm, hidden, seed=seed)
    net = net.double()

    rows = per_sample_gradients(net, head, x, y)
    full = rows.mean(dim=0)
    net.zero_grad()
    head.loss(net(x), y).backward()  # the full-batch gradient as training computes it
    autograd_full = torch.cat([p.grad.reshape(-1) for p in net.parameters()])
    # Tr(S), S with 1/N (the population's own).
    trace_cov = float(((rows - full) ** 2).sum(dim=1).mean())

    generator = torch.Generator().manual_seed(seed)
    out = batch_statistics(rows, full, trace_cov, batch_sizes, n_batches, generator)
    sizes = list(batch_sizes)
    out["slope"] = log_log_slope(sizes, [out["variance"][str(b)] for b in sizes])
    out["slope_without_replacement"] = log_log_slope(
        sizes, [out["variance_without_replacement"][str(b)] for b in sizes]
    )
    out.update(
        {
            "batch_sizes": sizes,
            "n_train": n,
            "n_weights": rows.shape[1],
            "trace_covariance": trace_cov,
            "full_gradient_norm": float(full.norm()),
            "per_sample_vs_autograd": float((full - autograd_full).abs().max()),
            "settings": {
                "source": "digits",
                "task": "multiclass",
                "hidden": list(hidden),
                "seed": seed,
                "dtype": "float64",
                "w": "the seeded initial weights",
                "n_batches": n_batches,
                "variance": "E|g_B - g|^2 over n_batches batches drawn with replacement",
                "mean_error": "|mean of the n_batches batch gradients - g|^2 (with replacement)",
            },
        }
    )
    return out
