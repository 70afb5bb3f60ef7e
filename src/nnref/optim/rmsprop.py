import torch
from torch.optim import Optimizer

from ._validate import as_number, check_bool, check_non_negative, check_unit_interval


class RMSProp(Optimizer):
    r"""RMSProp: a per-coordinate step size from a running mean of squared gradients.

    Course formula (v starts at 0)::

        v ← α·v + (1 − α)·g²       with g = ∇E(w)
        w ← w − η·g / (√v + ε)

    ``weight_decay`` λ is coupled L2: g = ∇E(w) + λ·w.
    ``maximize=True`` ascends instead: g = −∇E(w) + λ·w.
    Equals ``torch.optim.RMSprop`` with its defaults (non-centered, no momentum).

    A complex parameter is a pair of real ones, as in torch: g² is taken per real
    coordinate (re² and im² separately, not the complex square).
    Sparse gradients are refused, as in torch: v decays on every row at every step,
    so a sparse gradient saves nothing.
    """

    @staticmethod
    def check_hyperparameters(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, maximize=False):
        """Refuse a bad hyperparameter by name (nnref.errors.InvalidSetting, a ValueError), before
        anything is built: the constructor's own check, which nnref-train runs up front too."""
        check_non_negative("lr", lr)
        check_unit_interval("alpha", alpha)
        check_non_negative("eps", eps)
        check_non_negative("weight_decay", weight_decay)
        check_bool("maximize", maximize)

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, *, maximize=False):
        self.check_hyperparameters(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(
            params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, maximize=maximize)
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        # A state dict saved by an older version can lack a group flag that came later (torch's
        # own optimizer tests load such dicts): each missing flag takes its default, as in torch.
        for group in self.param_groups:
            group.setdefault("alpha", 0.99)
            group.setdefault("eps", 1e-8)
            group.setdefault("weight_decay", 0.0)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, alpha, eps = as_number(group["lr"]), group["alpha"], group["eps"]
            weight_decay, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if grad.is_sparse:
                    raise RuntimeError("RMSProp does not support sparse gradients")
                state = self.state[p]
                if "square_avg" not in state:
                    state["square_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                square_avg = state["square_avg"]
                if torch.is_complex(p):
                    # Per real coordinate, as torch: the complex square g·g would mix re and im.
                    p = torch.view_as_real(p)
                    grad = torch.view_as_real(grad)
                    square_avg = torch.view_as_real(square_avg)
                if maximize:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                p.addcdiv_(grad, square_avg.sqrt().add_(eps), value=-lr)
        return loss
