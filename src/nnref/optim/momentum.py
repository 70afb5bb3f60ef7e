import torch
from torch.optim import Optimizer

from ._validate import as_number, check_bool, check_non_negative, check_unit_interval


class Momentum(Optimizer):
    r"""Gradient descent with (heavy-ball) momentum, in the course's form.

    Course formula (m starts at 0)::

        m ← γ·m + η·∇E(w)
        w ← w − m

    ``weight_decay`` λ is coupled L2: ∇E(w) += λ·w.
    ``maximize=True`` ascends instead: −∇E(w) in place of ∇E(w) (the L2 term keeps its sign).

    At constant η this equals ``torch.optim.SGD(params, lr, momentum)``
    (same w every step, m = η·buf).  Under an lr schedule the two differ:
    here each step's own η stays inside m, while torch keeps an η-free buffer
    and multiplies the whole of it by the current η.

    Complex parameters need nothing special (the update is linear in the gradient).
    Sparse gradients (``nn.Embedding(sparse=True)``) give torch's SGD result; m is
    kept dense, since every row a gradient has touched goes on decaying and moving
    (torch keeps a sparse buffer).  With ``weight_decay`` every row decays (torch's
    SGD refuses that combination; here it gives the dense gradient's result).
    """

    @staticmethod
    def check_hyperparameters(lr, momentum=0.9, weight_decay=0.0, maximize=False):
        """Refuse a bad hyperparameter by name (nnref.errors.InvalidSetting, a ValueError), before
        anything is built: the constructor's own check, which nnref-train runs up front too."""
        check_non_negative("lr", lr)
        check_unit_interval("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        check_bool("maximize", maximize)

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0, *, maximize=False):
        self.check_hyperparameters(
            lr=lr, momentum=momentum, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(
            params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, maximize=maximize)
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        # A state dict saved by an older version can lack a group flag that came later (torch's
        # own optimizer tests load such dicts): each missing flag takes its default, as in torch.
        for group in self.param_groups:
            group.setdefault("momentum", 0.9)
            group.setdefault("weight_decay", 0.0)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, gamma, weight_decay = (
                as_number(group["lr"]),
                group["momentum"],
                group["weight_decay"],
            )
            # maximize flips the gradient's sign: folded into the scalar, it costs no pass over g.
            signed_lr = -lr if group["maximize"] else lr
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                m = state.get("momentum_buffer")
                if m is None:
                    # m starts at 0, so the first step is m = η·g (no zeros to scale).
                    if grad.is_sparse:
                        m = state["momentum_buffer"] = torch.zeros_like(p).add_(
                            grad, alpha=signed_lr
                        )
                    else:
                        m = state["momentum_buffer"] = torch.mul(grad, signed_lr)
                else:
                    m.mul_(gamma).add_(grad, alpha=signed_lr)
                if weight_decay != 0:
                    m.add_(p, alpha=lr * weight_decay)
                p.sub_(m)
        return loss
