"""A hidden layer with the identity activation adds nothing: the network stays one linear map.

W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), and so on for any number of layers. `fold` builds
that one `nn.Linear` from an identity-activation `nnref.nets.MLP`; `run` checks it gives the same
outputs (float64), then trains identity and ReLU hidden layers on two interleaved half-moons,
where only the ReLU network can bend its decision boundary.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..data import stratified_split
from ..data.encoding import BinaryEncoder, FeatureEncoder
from ..heads import BinaryHead
from ..loop import accuracy, fit, predicted_classes
from ..nets import MLP
from ..optim import Adam


@torch.no_grad()
def fold(mlp: nn.Sequential) -> nn.Linear:
    """One Linear equal to an MLP whose activations are all the identity."""
    weight, bias = None, None
    for layer in mlp:
        if isinstance(layer, nn.Identity):
            continue
        if not isinstance(layer, nn.Linear):
            raise ValueError(
                f"fold: layer {layer} is not Linear or Identity; only a linear network folds"
            )
        if weight is None:
            weight, bias = layer.weight.clone(), layer.bias.clone()
        else:  # x -> W x + b, then W' (W x + b) + b'
            weight, bias = layer.weight @ weight, layer.weight @ bias + layer.bias
    folded = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
    folded.weight.copy_(weight)
    folded.bias.copy_(bias)
    return folded


def fold_check(
    hidden=(16, 16, 16), n_inputs: int = 2, n_outputs: int = 1, n_rows: int = 1000, seed: int = 0
) -> dict:
    """Largest output difference between an identity MLP and its folded Linear, in float64."""
    mlp = MLP(n_inputs, hidden, n_outputs, activation="identity", seed=seed).double()
    x = (
        torch.randn(
            n_rows, n_inputs, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)
        )
        * 3
    )
    with torch.no_grad():
        diff = (mlp(x) - fold(mlp)(x)).abs().max()
    return {"max_abs_diff": float(diff), "fold_hidden": list(hidden)}


def moons(n_samples: int = 600, noise: float = 0.2, seed: int = 0) -> dict:
    """Seeded half-moons (generated, nothing downloaded), split and standardised the project's
    way."""
    from sklearn.datasets import make_moons  # imported here: scikit-learn takes a second to import

    x, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    labels = np.where(y == 1, "lower", "upper")
    train, _, test = stratified_split(len(y), labels, (0.0, 0.3), seed)
    feats = FeatureEncoder.fit({"x1": x[train, 0], "x2": x[train, 1]})
    target = BinaryEncoder.fit(labels)
    x_std = torch.from_numpy(feats.encode({"x1": x[:, 0], "x2": x[:, 1]}))
    t = torch.from_numpy(target.encode(labels))[:, None]
    return {"x_train": x_std[train], "y_train": t[train], "x_test": x_std[test], "y_test": t[test]}


HEAD = BinaryHead(1)  # sigmoid + cross-entropy


def train_body(data: dict, hidden, activation: str, epochs: int, lr: float, seed: int = 0) -> MLP:
    net = MLP(2, hidden, 1, activation, seed=seed)
    fit(net, HEAD, data["x_train"], data["y_train"], Adam(net.parameters(), lr=lr), epochs)
    return net


def decision_grid(net, lo: float, hi: float, n: int) -> list:
    """Predicted class on an n x n grid over [lo, hi]^2 (rows: x2, columns: x1)."""
    axis = torch.linspace(lo, hi, n)
    g2, g1 = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([g1.reshape(-1), g2.reshape(-1)], dim=1)
    return predicted_classes(net, HEAD, grid).reshape(n, n).tolist()


def run(
    hidden=(16, 16),
    epochs: int = 300,
    lr: float = 0.02,
    n_samples: int = 600,
    noise: float = 0.2,
    seed: int = 0,
    grid: int = 60,
    fold_hidden=(16, 16, 16),
) -> dict:
    data = moons(n_samples, noise, seed)
    bodies = {
        # No hidden layer: logistic regression.
        "linear": train_body(data, (), "identity", epochs, lr, seed),
        "identity_hidden": train_body(data, hidden, "identity", epochs, lr, seed),
        "relu_hidden": train_body(data, hidden, "relu", epochs, lr, seed),
    }
    lo, hi = float(data["x_train"].min()) - 0.5, float(data["x_train"].max()) + 0.5
    out = fold_check(hidden=fold_hidden, seed=seed)
    for name, net in bodies.items():
        out[f"acc_{name}"] = accuracy(net, HEAD, data["x_test"], data["y_test"])
        out[f"train_acc_{name}"] = accuracy(net, HEAD, data["x_train"], data["y_train"])
    # The trained identity network folds too (float32 here): its boundary is a straight line.
    with torch.no_grad():
        body = bodies["identity_hidden"]
        out["trained_identity_fold_diff"] = float(
            (body(data["x_test"]) - fold(body)(data["x_test"])).abs().max()
        )
    out["regions"] = {
        "lo": lo,
        "hi": hi,
        "n": grid,
        **{name: decision_grid(net, lo, hi, grid) for name, net in bodies.items()},
    }
    out["points"] = {
        "x_test": [[round(v, 5) for v in row] for row in data["x_test"].tolist()],
        "y_test": data["y_test"].reshape(-1).long().tolist(),
    }
    out["settings"] = {
        "data": f"make_moons(n_samples={n_samples}, noise={noise}, random_state={seed})",
        "split": "70% train / 30% test, stratified",
        "hidden": list(hidden),
        "optimizer": "Adam",
        "lr": lr,
        "epochs": epochs,
        "batching": "full",
        "seed": seed,
    }
    return out
