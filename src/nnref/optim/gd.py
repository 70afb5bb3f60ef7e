import torch
from torch.optim import Optimizer

from ._validate import check_non_negative


class GD(Optimizer):
    r"""Plain gradient descent.

    Course formula::

        w ← w − η·∇E(w)

    ``weight_decay`` λ is coupled L2, as in torch: ∇E(w) += λ·w.
    Equals ``torch.optim.SGD(params, lr, weight_decay=λ)`` step by step.
    """

    def __init__(self, params, lr, weight_decay=0.0):
        check_non_negative("lr", lr)
        check_non_negative("weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, weight_decay = group["lr"], group["weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if weight_decay != 0:
                    # w − η(g + λw) = (1 − ηλ)·w − η·g: no temporary for g + λw.
                    p.mul_(1 - lr * weight_decay)
                p.add_(grad, alpha=-lr)
        return loss
