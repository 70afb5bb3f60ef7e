"""Known differences of form: two optimizers that are the same method written differently.

Such a pair is not compared bare.  A Form says how to read one side so that it is comparable
(``ours_point``: NAG holds w, torch's SGD(nesterov=True) holds θ = w − γ·m), and which difference
is expected and why (``differs_after_lr_change``: the course keeps η inside m, torch outside).
The report then shows the expected difference as ``form`` with the reason, not as a failure.

Declare one with ``check_optimizer(..., form=Form(...))``; the pairs nnref knows are in KNOWN_FORMS
and are found (either way round) from the two optimizers' classes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Optional

import torch

from nnref.optim import NAG, Momentum

Point = Callable[[torch.optim.Optimizer, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Form:
    summary: str  # what to expect, e.g. "equal at constant lr; differs after an lr change"
    reason: str  # why, in the method's own terms
    differs_after_lr_change: bool = False
    ours_point: Optional[Point] = None  # (optimizer, param) -> the point the twin holds; None: the param
    twin_point: Optional[Point] = None
    compared_as: str = ""  # the point's formula, for the report: "θ = w − γ·m"

    def flipped(self) -> Form:
        """The same pair seen from the other side (the twin is the one under test)."""
        return replace(self, ours_point=self.twin_point, twin_point=self.ours_point)


def lookahead_point(optimizer, p):
    """θ = w − γ·m: the point where the course's NAG takes its gradient, the point torch's
    SGD(nesterov=True) holds as its parameter.  γ is the momentum of p's group."""
    m = optimizer.state.get(p, {}).get("momentum_buffer")
    if m is None:
        return p.detach().clone()
    gamma = next(group["momentum"] for group in optimizer.param_groups if any(q is p for q in group["params"]))
    return p.detach() - gamma * m


KNOWN_FORMS = {
    (Momentum, torch.optim.SGD): Form(
        summary="equal at constant lr; differs after an lr change",
        reason="the course keeps each step's η inside m (m ← γ·m + η·g, w ← w − m); torch's SGD keeps "
        "an η-free buffer and multiplies all of it by the current η",
        differs_after_lr_change=True,
    ),
    (NAG, torch.optim.SGD): Form(
        summary="equal at constant lr, compared as θ = w − γ·m; differs after an lr change",
        reason="the course's NAG holds w and steps m ← γ·m + η·∇E(w − γ·m); torch's SGD(nesterov=True) "
        "holds the look-ahead point θ = w − γ·m and keeps η outside its buffer",
        differs_after_lr_change=True,
        ours_point=lookahead_point,
        compared_as="θ = w − γ·m",
    ),
}


def known_form(ours: torch.optim.Optimizer, twin: torch.optim.Optimizer) -> Form | None:
    """The declared form of the pair (exact classes: a subclass may have changed the method)."""
    pair = (type(ours), type(twin))
    if pair in KNOWN_FORMS:
        return KNOWN_FORMS[pair]
    if pair[::-1] in KNOWN_FORMS:
        return KNOWN_FORMS[pair[::-1]].flipped()
    return None
