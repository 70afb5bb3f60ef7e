import math

import torch
from torch.optim import Optimizer

from ._validate import as_number, check_betas, check_bool, check_non_negative


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSProp on its square, both bias-corrected.

    Course formula (m, v start at 0; t counts steps from 1)::

        m ← β₁·m + (1 − β₁)·g      with g = ∇E(w)
        v ← β₂·v + (1 − β₂)·g²
        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
        w ← w − η·m̂ / (√v̂ + ε)

    ``weight_decay`` λ is coupled L2 (not AdamW): g = ∇E(w) + λ·w.
    ``maximize=True`` ascends instead: g = −∇E(w) + λ·w.
    Equals ``torch.optim.Adam`` with its defaults (no amsgrad), maximize included.

    A complex parameter is a pair of real ones, as in torch: g² is taken per real
    coordinate (re² and im² separately, not the complex square).
    Sparse gradients are refused, as in torch (which offers ``torch.optim.SparseAdam``):
    m and v decay on every row at every step, so a sparse gradient saves nothing.
    """

    @staticmethod
    def check_hyperparameters(
        lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False
    ):
        """Refuse a bad hyperparameter by name (nnref.errors.InvalidSetting, a ValueError), before
        anything is built: the constructor's own check, which nnref-train runs up front too."""
        check_non_negative("lr", lr)
        check_betas(betas)
        check_non_negative("eps", eps)
        check_non_negative("weight_decay", weight_decay)
        check_bool("maximize", maximize)

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, maximize=False
    ):
        self.check_hyperparameters(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        super().__init__(
            params,
            dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize),
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        # A state dict saved by an older version can lack a group flag that came later (torch's
        # own optimizer tests load such dicts): each missing flag takes its default, as in torch.
        for group in self.param_groups:
            group.setdefault("betas", (0.9, 0.999))
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
            lr, eps, weight_decay = as_number(group["lr"]), group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if grad.is_sparse:
                    raise RuntimeError(
                        "Adam does not support sparse gradients, "
                        "please consider torch.optim.SparseAdam instead"
                    )
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]

                if torch.is_complex(p):
                    # Per real coordinate, as torch: the complex square g·g would mix re and im.
                    p, grad = torch.view_as_real(p), torch.view_as_real(grad)
                    m, v = torch.view_as_real(m), torch.view_as_real(v)
                if maximize:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                m.lerp_(grad, 1 - beta1)  # m + (1 − β₁)(g − m) = β₁·m + (1 − β₁)·g
                v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

                # η·m̂/(√v̂ + ε) = (η·√c₂/c₁)·m/(√v + ε·√c₂) with cᵢ = 1 − βᵢᵗ:
                # moving the corrections into the scalars saves a pass over v.
                sqrt_c2 = math.sqrt(1 - beta2**t)
                step_size = lr * sqrt_c2 / (1 - beta1**t)
                p.addcdiv_(m, v.sqrt().add_(eps * sqrt_c2), value=-step_size)
        return loss
