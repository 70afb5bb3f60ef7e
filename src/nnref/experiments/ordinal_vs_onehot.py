"""Coding classes as evenly spaced numbers (1, 0.5, 0 for three) imposes an order they do not have.

On digits the class order means nothing, yet the ordinal code asks one sigmoid output to put
"0" next to "1" and "1" between "0" and "2"; errors then fall on neighbouring codes. One-hot
targets with softmax + cross-entropy treat every class alike. Both heads are `MulticlassHead`
(encoding="ordinal", loss="mse" against the default one-hot + CE), same body, same optimizer.
"""

from __future__ import annotations

import torch

from ..data import TaskData
from ..loop import accuracy, build, fit
from ..optim import Adam

VARIANTS = {
    "ordinal": {"encoding": "ordinal", "loss": "mse"},
    "onehot": {"encoding": "onehot", "loss": "ce"},
}


def train_variant(
    variant: str, epochs: int, lr: float, batch_size: int, hidden, seed: int, source: str
) -> dict:
    if variant not in VARIANTS:
        raise ValueError(f"variant {variant!r}: unknown; valid: {', '.join(VARIANTS)}")
    spec = VARIANTS[variant]
    data = TaskData(
        source=source, target_encoding=spec["encoding"], batch_size=batch_size, seed=seed
    ).load()
    net, head = build("multiclass", data, hidden, seed=seed, **spec)
    fit(
        net,
        head,
        data.x_train,
        data.y_train,
        Adam(net.parameters(), lr=lr),
        epochs,
        batch_size=batch_size,
        seed=seed,
    )
    net.eval()
    classes = data.target_encoder.classes
    with torch.no_grad():
        confusion = head.confusion_matrix(net(data.x_test), data.y_test).tolist()
    return {
        "acc": accuracy(net, head, data.x_test, data.y_test),
        "train_acc": accuracy(net, head, data.x_train, data.y_train),
        "confusion": confusion,
        "classes": list(classes),
        "n_outputs": net.n_outputs,
    }


def run(
    epochs: int = 30,
    lr: float = 0.005,
    batch_size: int = 32,
    hidden=(64,),
    seed: int = 0,
    source: str = "digits",
) -> dict:
    runs = {v: train_variant(v, epochs, lr, batch_size, hidden, seed, source) for v in VARIANTS}
    ordinal = runs["ordinal"]
    k = len(ordinal["classes"])
    # Where the ordinal head errs: how far apart (in code steps) the true and predicted classes are.
    cm = torch.tensor(ordinal["confusion"])
    i, j = torch.meshgrid(torch.arange(k), torch.arange(k), indexing="ij")
    off = cm * (i != j)
    return {
        "acc_ordinal": ordinal["acc"],
        "acc_onehot": runs["onehot"]["acc"],
        "train_acc_ordinal": ordinal["train_acc"],
        "train_acc_onehot": runs["onehot"]["train_acc"],
        "ordinal_codes": [round(1 - c / (k - 1), 6) for c in range(k)],
        "ordinal_errors_to_neighbours": float(
            off[(i - j).abs() == 1].sum() / max(int(off.sum()), 1)
        ),
        "neighbour_share_by_chance": 2
        / k,  # of the k(k-1) wrong (true, predicted) pairs, 2(k-1) are neighbours
        "confusion_ordinal": ordinal["confusion"],
        "confusion_onehot": runs["onehot"]["confusion"],
        "classes": ordinal["classes"],
        "settings": {
            "source": source,
            "split": "test (15%, stratified)",
            "optimizer": "Adam",
            "lr": lr,
            "epochs": epochs,
            "batch_size": batch_size,
            "hidden": list(hidden),
            "seed": seed,
            "ordinal": "one sigmoid output + MSE towards codes "
            "1..0 (MulticlassHead(encoding='ordinal', loss='mse'))",
            "onehot": "10 outputs, softmax + cross-entropy (MulticlassHead())",
        },
    }
