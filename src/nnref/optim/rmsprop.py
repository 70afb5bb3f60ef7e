import torch
from torch.optim import Optimizer

from ._validate import check_non_negative, check_unit_interval


class RMSProp(Optimizer):
    r"""RMSProp: a per-coordinate step size from a running mean of squared gradients.

    Course formula (v starts at 0)::

        v ← α·v + (1 − α)·g²       with g = ∇E(w)
        w ← w − η·g / (√v + ε)

    ``weight_decay`` λ is coupled L2: g = ∇E(w) + λ·w.
    Equals ``torch.optim.RMSprop`` with its defaults (non-centered, no momentum).
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        check_non_negative("lr", lr)
        check_unit_interval("alpha", alpha)
        check_non_negative("eps", eps)
        check_non_negative("weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, alpha, eps, weight_decay = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if "square_avg" not in state:
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg = state["square_avg"]
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                p.addcdiv_(grad, square_avg.sqrt().add_(eps), value=-lr)
        return loss
