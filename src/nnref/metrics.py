"""The epoch metrics, written out in a few tensor ops each.

They follow torchmetrics' definitions operation for operation (tests/test_metrics.py holds every
one equal to `torchmetrics.functional` bit for bit), but skip its argument checks, format
conversions and per-call dispatch: on these small splits torchmetrics spent 0.1-0.35 ms a call,
more than a whole full-batch training step on some data sets. They are computed once per epoch.

`pred` are hard decisions (class indices, or 0/1 per label); `p` are probabilities.
"""
from __future__ import annotations

import torch
from torch import Tensor


def f1_from_counts(tp: Tensor, fp: Tensor, fn: Tensor, skip_absent: bool) -> Tensor:
    """Macro F1: the mean of the per-class 2tp / (2tp + fn + fp), 0 for a class with none of either.
    With `skip_absent`, a class with no true and no predicted sample is left out of the mean
    (multi-class); multi-label keeps every label. Counts are integers, so each division is the
    same float32 operation as torchmetrics' (each score divided by the count, then summed)."""
    denom = 2 * tp + fn + fp
    score = torch.where(denom > 0, (2 * tp) / denom.clamp(min=1), 0.0)
    if not skip_absent:
        return (score / len(score)).sum()
    present = denom > 0  # tp + fp + fn > 0
    return (score * present / present.sum().clamp(min=1)).sum()


# ---------------------------------------------------------------------------- multi-class
def confusion_counts(pred: Tensor, y: Tensor, k: int) -> tuple[Tensor, Tensor, Tensor]:
    """Per-class true positives, false positives and false negatives, from one bincount."""
    cm = torch.bincount(y * k + pred, minlength=k * k).view(k, k)  # rows: true class, columns: predicted
    tp = cm.diagonal()
    return tp, cm.sum(0) - tp, cm.sum(1) - tp


def multiclass_accuracy_f1(pred: Tensor, y: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """(accuracy, macro F1) of predicted class indices against true ones."""
    tp, fp, fn = confusion_counts(pred, y, k)
    return tp.sum() / len(y), f1_from_counts(tp, fp, fn, skip_absent=True)


# ---------------------------------------------------------------------------- binary
def binary_accuracy(p: Tensor, t: Tensor, threshold: float = 0.5) -> Tensor:
    return ((p > threshold).long() == t).sum() / t.numel()


def binary_auroc(p: Tensor, t: Tensor) -> Tensor:
    """Area under the ROC curve: the curve's points at each distinct score, then the trapezoid rule.
    0 when the split holds only one class (the curve is undefined there)."""
    order = torch.argsort(p, descending=True)
    p, t = p[order], t[order]
    ends = torch.nn.functional.pad(torch.where(p[1:] - p[:-1])[0], [0, 1], value=t.numel() - 1)
    tps = torch.cumsum(t, dim=0)[ends]
    fps = 1 + ends - tps
    zero = torch.zeros(1, dtype=tps.dtype)
    tps, fps = torch.cat([zero, tps]), torch.cat([zero, fps])
    fpr = fps / fps[-1] if fps[-1] > 0 else torch.zeros(len(fps))
    tpr = tps / tps[-1] if tps[-1] > 0 else torch.zeros(len(tps))
    return torch.trapz(tpr, fpr)


# ---------------------------------------------------------------------------- multi-label
def multilabel_f1_exact_match(p: Tensor, t: Tensor, threshold: float = 0.5) -> tuple[Tensor, Tensor]:
    """(macro F1 over labels, the share of samples with every label right)."""
    pred = (p > threshold).long()
    tp = (pred * t).sum(0)
    fp = (pred * (1 - t)).sum(0)
    fn = ((1 - pred) * t).sum(0)
    exact = ((pred == t).sum(1) == t.shape[1]).sum()
    return f1_from_counts(tp, fp, fn, skip_absent=False), exact / t.shape[0]


# ---------------------------------------------------------------------------- regression
def mean_squared_error(pred: Tensor, true: Tensor) -> Tensor:
    diff = pred - true
    return torch.sum(diff * diff) / true.numel()


def r2_score(pred: Tensor, true: Tensor) -> Tensor:
    """1 - RSS / TSS of 1-D predictions; 1 for an exact fit and 0 for a constant target."""
    n = true.size(0)
    if n < 2:
        raise ValueError("r2 needs at least two samples")
    sum_obs, sum_squared_obs = torch.sum(true, dim=0), torch.sum(true * true, dim=0)
    residual = true - pred
    rss = torch.sum(residual * residual, dim=0)
    tss = sum_squared_obs - sum_obs * (sum_obs / n)
    rss_zero, tss_zero = torch.isclose(rss, torch.zeros_like(rss), atol=1e-4), torch.isclose(tss, torch.zeros_like(tss), atol=1e-4)
    if rss_zero:
        return torch.ones_like(rss)
    if tss_zero:
        return torch.zeros_like(rss)
    return torch.mean(1 - rss / tss)
