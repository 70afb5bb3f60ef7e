"""Wrong answers a student might hand in, shared by the exercise checks (tests/test_exercises.py,
which call check_exercise on them) and the grader (tests/test_grading.py, which writes their source
into a notebook)."""

from __future__ import annotations

import torch


class AdamWithoutCorrection(torch.optim.Optimizer):
    """Adam without its bias correction: m and v are used as they are, biased towards 0 early on."""

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p]
                s["m"] = b1 * s.get("m", torch.zeros_like(p)) + (1 - b1) * p.grad
                s["v"] = b2 * s.get("v", torch.zeros_like(p)) + (1 - b2) * p.grad**2
                p.sub_(group["lr"] * s["m"] / (s["v"].sqrt() + group["eps"]))
        return loss
