import torch
from torch.optim import Optimizer

from ._validate import check_non_negative, check_unit_interval


class Momentum(Optimizer):
    r"""Gradient descent with (heavy-ball) momentum, in the course's form.

    Course formula (m starts at 0)::

        m ← γ·m + η·∇E(w)
        w ← w − m

    ``weight_decay`` λ is coupled L2: ∇E(w) += λ·w.

    At constant η this equals ``torch.optim.SGD(params, lr, momentum)``
    (same w every step, m = η·buf).  Under an lr schedule the two differ:
    here each step's own η stays inside m, while torch keeps an η-free buffer
    and multiplies the whole of it by the current η.
    """

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0):
        check_non_negative("lr", lr)
        check_unit_interval("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, gamma, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                m = state.get("momentum_buffer")
                if m is None:
                    # m starts at 0, so the first step is m = η·g (no zeros to scale).
                    m = state["momentum_buffer"] = torch.mul(grad, lr)
                else:
                    m.mul_(gamma).add_(grad, alpha=lr)
                if weight_decay != 0:
                    m.add_(p, alpha=lr * weight_decay)
                p.sub_(m)
        return loss
