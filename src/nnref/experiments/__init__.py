"""The course's claims as plain functions that return numbers (JSON-serialisable dicts and lists).

One module per claim; `scripts/NAME.py` plots it and `tests/test_experiments.py` asserts it:

- `saturation`: sigmoid + MSE stalls from a confidently wrong start, sigmoid + cross-entropy does
  not.
- `collapse`: hidden layers with the identity activation fold into one linear map.
- `ordinal_vs_onehot`: class codes 1, ..., 0 impose a false order; one-hot does not.
- `optimizer_paths`: GD, Momentum, NAG, AdaGrad, RMSProp and Adam on 2-D surfaces.
- `batching`: batch GD against mini-batch against SGD, per epoch, per update and per second.
- `overshoot`: momentum runs past the minimum where GD does not; NAG less than momentum.
- `gradient_noise`: a mini-batch gradient is an unbiased sample estimate whose variance falls as
  1/B.
- `label_noise`: flipped training labels cost SGD more test accuracy than mini-batches.
- `momentum_memory`: m is an exponentially weighted sum of past gradients; its steps are more even.
- `weight_changes`: under GD weights change unevenly; AdaGrad and Adam even out the per-step
  changes.

`softmax` below is the course's formula, kept here so the tests can hold it against torch's.
Nothing here imports matplotlib: plotting belongs to the scripts.
"""

from __future__ import annotations

import torch


def softmax(z: torch.Tensor, dim: int = -1, stable: bool = True) -> torch.Tensor:
    """exp, then normalise: softmax(z)_k = exp(z_k) / sum_j exp(z_j).

    stable=True subtracts the largest logit first. That leaves the result unchanged (the common
    factor exp(-max) cancels) but keeps every exp <= 1, so logits of +-1000 do not overflow.
    """
    if stable:
        z = z - z.amax(dim=dim, keepdim=True)
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
