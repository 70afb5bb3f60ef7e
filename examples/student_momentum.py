"""A student's momentum, written from the lecture: m ← γ·m + η·∇E(w), w ← w − m.

It trains, and on one model with one learning rate it gives the same numbers as
nnref.optim.Momentum.  It has two bugs that only show outside that happy path; find them with

    nnref-check optimizer examples.student_momentum:StudentMomentum --twin momentum

(Kept as written, bugs included: tests/test_testing.py holds the kit to naming both.)
"""

import torch
from torch.optim import Optimizer


class StudentMomentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.9):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.lr = lr  # bug: step() uses this, not group["lr"] (param groups, lr schedulers)
        self.velocity = {}  # bug: m lives here, not in self.state[p], so state_dict() loses it

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                m = self.velocity.get(p, torch.zeros_like(p))
                m = group["momentum"] * m + self.lr * p.grad
                self.velocity[p] = m
                p.sub_(m)
        return loss
