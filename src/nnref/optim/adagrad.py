import torch
from torch.optim import Optimizer

from ._validate import as_number, check_bool, check_non_negative


class AdaGrad(Optimizer):
    r"""AdaGrad: a per-coordinate step size from the sum of squared gradients.

    Course formula (s starts at ``initial_accumulator_value``)::

        s ← s + g²                 with g = ∇E(w)
        w ← w − η·g / (√s + ε)

    ``weight_decay`` λ is coupled L2: g = ∇E(w) + λ·w.
    ``maximize=True`` ascends instead: g = −∇E(w) + λ·w.
    Equals ``torch.optim.Adagrad`` with its defaults (lr_decay = 0).

    A complex parameter is a pair of real ones, as in torch: g² is taken per real
    coordinate (re² and im² separately, not the complex square), and s starts at
    ``initial_accumulator_value`` in both.

    Sparse gradients (``nn.Embedding(sparse=True)``) update s and w only on the rows
    they touch, with the dense gradient's result; like torch, ``weight_decay`` is
    refused with them (the L2 term would make every row's gradient nonzero).
    """

    @staticmethod
    def check_hyperparameters(
        lr=0.01, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0, maximize=False
    ):
        """Refuse a bad hyperparameter by name (nnref.errors.InvalidSetting, a ValueError), before
        anything is built: the constructor's own check, which nnref-train runs up front too."""
        check_non_negative("lr", lr)
        check_non_negative("eps", eps)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("initial_accumulator_value", initial_accumulator_value)
        check_bool("maximize", maximize)

    def __init__(
        self,
        params,
        lr=0.01,
        eps=1e-10,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        *,
        maximize=False,
    ):
        self.check_hyperparameters(
            lr=lr,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        defaults = dict(
            lr=lr,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        # A state dict saved by an older version can lack a group flag that came later (torch's
        # own optimizer tests load such dicts): each missing flag takes its default, as in torch.
        for group in self.param_groups:
            group.setdefault("eps", 1e-10)
            group.setdefault("weight_decay", 0.0)
            group.setdefault("initial_accumulator_value", 0.0)
            group.setdefault("maximize", False)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()

        for group in self.param_groups:
            lr, eps, weight_decay = as_number(group["lr"]), group["eps"], group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if grad.is_sparse and weight_decay != 0:
                    raise RuntimeError(
                        "AdaGrad: weight_decay is not compatible with sparse gradients "
                        "(the L2 term λ·w is dense); use weight_decay=0 or a dense gradient"
                    )
                state = self.state[p]
                if "sum" not in state:
                    initial = group["initial_accumulator_value"]
                    if torch.is_complex(p):
                        initial = complex(initial, initial)  # the same start for re and im
                    state["sum"] = torch.full_like(p, initial, memory_format=torch.preserve_format)
                sum_of_squares = state["sum"]

                if grad.is_sparse:
                    self._sparse_update(p, grad, sum_of_squares, lr, eps, maximize)
                    continue
                if torch.is_complex(p):
                    # Per real coordinate, as torch: the complex square g·g would mix re and im.
                    p = torch.view_as_real(p)
                    grad = torch.view_as_real(grad)
                    sum_of_squares = torch.view_as_real(sum_of_squares)
                if maximize:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                sum_of_squares.addcmul_(grad, grad)
                p.addcdiv_(grad, sum_of_squares.sqrt().add_(eps), value=-lr)
        return loss

    @staticmethod
    def _sparse_update(p, grad, sum_of_squares, lr, eps, maximize):
        """The formula on the rows the sparse gradient touches; the other rows have g = 0
        there, so s and w stay as they are.  Costs O(rows touched), not O(p)."""
        # The update is non-linear in g, so a row's duplicate entries must be summed first.
        grad = grad.coalesce()
        rows = tuple(grad.indices())  # one index tensor per sparse dimension
        values = grad.values()
        if maximize:
            values = -values
        if torch.is_complex(p):
            p = torch.view_as_real(p)
            sum_of_squares = torch.view_as_real(sum_of_squares)
            values = torch.view_as_real(values)
        touched = sum_of_squares[rows].addcmul_(values, values)  # s + g² on those rows (a copy)
        sum_of_squares.index_put_(rows, touched)
        # Coalesced: each row once, so accumulating adds −η·g/(√s + ε) to w exactly once.
        p.index_put_(rows, values.div(touched.sqrt_().add_(eps)).mul_(-lr), accumulate=True)
