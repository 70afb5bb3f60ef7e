import torch
from torch.optim import Optimizer

from ._validate import as_number, check_bool, check_non_negative, check_unit_interval

_NEEDS_CLOSURE = (
    "NAG.step() needs a closure: Nesterov's gradient is taken at the look-ahead "
    "point w − γ·m, so step() must move the parameters there, re-evaluate the loss "
    "and its gradient (by calling the closure), and move back. Call "
    "optimizer.step(closure) with a closure that zeroes the grads, computes the loss, "
    "calls backward() and returns the loss (PyTorch Lightning always passes one)."
)


class NAG(Optimizer):
    r"""Nesterov accelerated gradient, literally with the look-ahead.

    Course formula (m starts at 0)::

        m ← γ·m + η·∇E(w − γ·m)
        w ← w − m

    ``step(closure)`` moves the parameters to w − γ·m in place, calls the
    closure there, and moves them back while stepping (one fused add, see
    step()); a parameter left without a gradient moves back unchanged.  The
    optimizer holds w, never the look-ahead point.  ``step()`` without a
    closure raises, because the gradient must be taken at the look-ahead point.

    This is why NAG fits Lightning's Trainer as it is, as LBFGS does: with
    automatic optimization Lightning calls ``optimizer.step(closure)``, and its
    closure runs ``training_step`` and ``backward`` — here, at w − γ·m.

    Gradient accumulation (``Trainer(accumulate_grad_batches=k)``) does not fit:
    Lightning runs the first k − 1 micro-batches' backward outside the closure,
    at w, and only the last one at the look-ahead point.  nnref's train.py
    refuses that pairing (``gradient_at_lookahead`` below) rather than take a
    gradient that is partly Nesterov's and partly not.

    ``weight_decay`` λ is coupled L2 taken where the gradient is taken:
    ∇E(w − γ·m) += λ·(w − γ·m).
    ``maximize=True`` ascends instead: −∇E in place of ∇E (the L2 term keeps its sign).

    torch's ``SGD(params, lr, momentum, nesterov=True)`` stores the look-ahead
    point instead: its θ_t equals our w_t − γ·m_t at every step, at constant
    η (Sutskever et al. 2013; Bengio et al. 2012), with ``maximize`` too.

    Complex parameters need nothing special (the update is linear in the gradient).
    Sparse gradients (``nn.Embedding(sparse=True)``) give torch's SGD result; m is
    kept dense, since every row a gradient has touched goes on decaying and moving
    (torch keeps a sparse buffer).  With ``weight_decay`` every row decays (torch's
    SGD refuses that combination; here it gives the dense gradient's result).
    """

    gradient_at_lookahead = True  # the gradient comes from the closure, at w − γ·m (see above)

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
        if closure is None:
            raise RuntimeError(_NEEDS_CLOSURE)

        # Go to the look-ahead point w − γ·m.  Parameters without a buffer have
        # m = 0 and are already there.
        moved = []
        for group in self.param_groups:
            gamma = group["momentum"]
            for p in group["params"]:
                m = self.state[p].get("momentum_buffer")
                if m is not None and gamma != 0:
                    p.add_(m, alpha=-gamma)
                    moved.append((p, m, gamma))
        try:
            with torch.enable_grad():
                loss = closure()
        except BaseException:
            self._move_back(moved)
            raise

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
                # p is at the look-ahead point u = w − γ·m, where the gradient was
                # taken, so coupled L2 is taken there too: G = ∇E(u) + λ·u.  u is the
                # point torch's nesterov=True holds, so θ_t = w_t − γ·m_t holds with
                # weight_decay > 0 as well.
                state = self.state[p]
                m = state.get("momentum_buffer")
                if m is None:
                    if grad.is_sparse:  # dense m: see the class docstring
                        m = state["momentum_buffer"] = torch.zeros_like(p).add_(
                            grad, alpha=signed_lr
                        )
                    else:
                        m = state["momentum_buffer"] = torch.mul(grad, signed_lr)
                else:
                    m.mul_(gamma).add_(grad, alpha=signed_lr)
                # Moving back (+γ·m_old) and stepping (−m_new) fuse into one update
                # from u, saving a pass over p:
                #   w_new = w − m_new = (u + γ·m_old) − (γ·m_old + η·G) = u − η·G
                if weight_decay != 0:
                    m.add_(p, alpha=lr * weight_decay)
                    p.mul_(1 - lr * weight_decay)
                p.add_(grad, alpha=-signed_lr)

        # No gradient (e.g. a closure that skipped backward): w and m stay as they were.
        self._move_back([(p, m, gamma) for p, m, gamma in moved if p.grad is None])
        return loss

    @staticmethod
    def _move_back(moved):
        """From the look-ahead point back to w (exact up to one rounding)."""
        for p, m, gamma in moved:
            p.add_(m, alpha=gamma)
