"""Why sigmoid + MSE fails where sigmoid + cross-entropy does not (lecture 2-4, p. 10-14).

For one sigmoid output y = sigma(net) and target t:
  MSE  E = 1/2 (t - y)^2             ->  dE/dnet = -(t - y) * y * (1 - y)
  CE   E = -t log y - (1-t) log(1-y) ->  dE/dnet = y - t
When the output is confidently wrong (t = 1, y -> 0), the factor y(1 - y) kills the MSE gradient,
so learning stalls exactly where it is needed most; cross-entropy's gradient stays near -1.

`run` measures both gradients with autograd and trains the binary head (loss="mse" against
loss="ce") from the same saturated start with the same optimizer.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..data import TaskData
from ..heads import BinaryHead
from ..loop import accuracy, build, fit, mean_loss
from ..nets import NET_WRONG, saturate
from ..optim import GD

HEAD = "binary"  # the claim's head: one sigmoid output, trained with MSE or cross-entropy


def output_grad(net: torch.Tensor, t: float, loss: str) -> torch.Tensor:
    """dE/dnet per element, by autograd, for E = 1/2 (t - sigma(net))^2 ("mse") or BCE ("ce")."""
    net = net.detach().to(torch.float64).requires_grad_(True)
    target = torch.full_like(net, float(t))
    if loss == "mse":
        e = 0.5 * (target - torch.sigmoid(net)) ** 2
    elif loss == "ce":
        e = F.binary_cross_entropy_with_logits(net, target, reduction="none")
    else:
        raise ValueError(f"loss={loss!r}: unknown; valid: mse, ce")
    # Elements are independent: the sum's grad is each one's.
    (grad,) = torch.autograd.grad(e.sum(), net)
    return grad


def gradient_curves(n_points: int = 199) -> dict:
    """|dE/dnet| against the output y in (0, 1), target t = 1, for both losses."""
    y = torch.linspace(0, 1, n_points + 2, dtype=torch.float64)[1:-1]
    net = torch.logit(y)
    return {
        "y": y.tolist(),
        "abs_grad_mse": output_grad(net, 1.0, "mse").abs().tolist(),
        "abs_grad_ce": output_grad(net, 1.0, "ce").abs().tolist(),
    }


def saturated_model(
    data: TaskData, loss: str, hidden=(16,), seed: int = 0, net0: float = NET_WRONG
):
    """(net, head) of the binary head whose output unit says net = net0 for every input: hidden
    weights from the seed, output weights 0 and output bias net0. The same seed gives the same
    weights for either loss."""
    net, head = build(HEAD, data, hidden, seed=seed, loss=loss)
    saturate(net, net0)
    return net, head


def train_from_wrong_start(
    data: TaskData, loss: str, epochs: int, lr: float, hidden=(16,), seed: int = 0
) -> dict:
    """Full-batch GD from the saturated start; per-epoch accuracy and loss on the training split."""
    net, head = saturated_model(data, loss, hidden, seed)
    x, y = data.x_train, data.y_train

    def measure(epoch=None):
        return {"acc": accuracy(net, head, x, y), "loss": mean_loss(net, head, x, y)}

    curve = [
        measure(),
        *fit(net, head, x, y, GD(net.parameters(), lr=lr), epochs, on_epoch=measure),
    ]
    return {"acc": [c["acc"] for c in curve], "loss": [c["loss"] for c in curve]}


def run(
    epochs: int = 100,
    lr: float = 0.5,
    hidden=(16,),
    source: str = "breast_cancer",
    seed: int = 0,
    n_points: int = 199,
) -> dict:
    net = torch.tensor([NET_WRONG])
    data = TaskData(
        source=source, target_encoding=BinaryHead.target_encoding(), batching="full", seed=seed
    ).load()
    runs = {
        loss: train_from_wrong_start(data, loss, epochs, lr, hidden, seed) for loss in ("mse", "ce")
    }
    positives = float(data.y_train.mean())
    return {
        "net_wrong": NET_WRONG,
        "y_wrong": float(torch.sigmoid(net.double())),
        "grad_mse_wrong": float(output_grad(net, 1.0, "mse")),
        "grad_ce_wrong": float(output_grad(net, 1.0, "ce")),
        "train_acc_mse": runs["mse"]["acc"][-1],
        "train_acc_ce": runs["ce"]["acc"][-1],
        "start_acc": runs["ce"]["acc"][0],
        "positive_share": positives,
        "classes": list(data.target_encoder.classes),  # [class 0, class 1 = the positive class]
        "curves": gradient_curves(n_points),
        "history": runs,
        "settings": {
            "source": source,
            "optimizer": "GD",
            "lr": lr,
            "epochs": epochs,
            "hidden": list(hidden),
            "seed": seed,
            "batching": "full",
            "start": f"output weights 0, output bias {NET_WRONG}",
            "mse_loss": "BinaryHead(loss='mse'): torch MSELoss (t - y)^2",
        },
    }
