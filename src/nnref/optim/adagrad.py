import torch
from torch.optim import Optimizer

from ._validate import check_non_negative


class AdaGrad(Optimizer):
    r"""AdaGrad: a per-coordinate step size from the sum of squared gradients.

    Course formula (s starts at ``initial_accumulator_value``)::

        s ← s + g²                 with g = ∇E(w)
        w ← w − η·g / (√s + ε)

    ``weight_decay`` λ is coupled L2: g = ∇E(w) + λ·w.
    Equals ``torch.optim.Adagrad`` with its defaults (lr_decay = 0).
    """

    def __init__(self, params, lr=0.01, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0):
        check_non_negative("lr", lr)
        check_non_negative("eps", eps)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("initial_accumulator_value", initial_accumulator_value)
        defaults = dict(
            lr=lr, eps=eps, weight_decay=weight_decay, initial_accumulator_value=initial_accumulator_value
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if "sum" not in state:
                    state["sum"] = torch.full_like(
                        p, group["initial_accumulator_value"], memory_format=torch.preserve_format
                    )
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                sum_of_squares = state["sum"]
                sum_of_squares.addcmul_(grad, grad)
                p.addcdiv_(grad, sum_of_squares.sqrt().add_(eps), value=-lr)
        return loss
