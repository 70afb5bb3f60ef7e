import torch
from torch.optim import Optimizer

from ._validate import as_number, check_bool, check_non_negative


class GD(Optimizer):
    r"""Plain gradient descent.

    Course formula::

        w ← w − η·∇E(w)

    ``weight_decay`` λ is coupled L2, as in torch: ∇E(w) += λ·w.
    ``maximize=True`` ascends instead: the step uses −∇E(w) (the L2 term keeps its sign).
    Equals ``torch.optim.SGD(params, lr, weight_decay=λ, maximize=...)`` step by step.

    Complex parameters need nothing special (the update is linear in the gradient).
    Sparse gradients (``nn.Embedding(sparse=True)``) update only the rows they touch,
    as in torch's SGD; with ``weight_decay`` every row decays (torch's SGD refuses that
    combination, here it gives the same result as the dense gradient).
    """

    @staticmethod
    def check_hyperparameters(lr, weight_decay=0.0, maximize=False):
        """Refuse a bad hyperparameter by name (nnref.errors.InvalidSetting, a ValueError), before
        anything is built: the constructor's own check, which nnref-train runs up front too."""
        check_non_negative("lr", lr)
        check_non_negative("weight_decay", weight_decay)
        check_bool("maximize", maximize)

    def __init__(self, params, lr, weight_decay=0.0, *, maximize=False):
        self.check_hyperparameters(lr=lr, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, maximize=maximize))

    def __setstate__(self, state):
        super().__setstate__(state)
        # A state dict saved by an older version can lack a group flag that came later (torch's
        # own optimizer tests load such dicts): each missing flag takes its default, as in torch.
        for group in self.param_groups:
            group.setdefault("weight_decay", 0.0)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, weight_decay = as_number(group["lr"]), group["weight_decay"]
            # maximize flips the gradient's sign: folded into alpha, it costs no pass over g.
            alpha = lr if group["maximize"] else -lr
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if weight_decay != 0:
                    # w − η(g + λw) = (1 − ηλ)·w − η·g: no temporary for g + λw.
                    p.mul_(1 - lr * weight_decay)
                p.add_(grad, alpha=alpha)
        return loss
