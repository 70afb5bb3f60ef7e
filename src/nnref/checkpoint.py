"""What an nnref checkpoint holds beside its weights, in one place.

A Lightning run writes it (tasks/base.py: `save_hyperparameters` and `on_save_checkpoint`), the
playground writes the same keys for its download (playground/runs.py), and nnref-predict reads them
(predict.py). All of it is plain data, so a checkpoint loads with `torch.load(weights_only=True)`.
"""

from __future__ import annotations

import json

from .nets import MLP


def hyperparameters(net: MLP, head, encoders: dict | None) -> dict:
    """What a checkpoint keeps to rebuild a network and its head (its `hyper_parameters`)."""
    return {
        "n_inputs": net.n_inputs,
        "n_outputs": net.n_outputs,
        "hidden": list(net.hidden),
        "activation": net.activation,
        "loss": head.loss_name,
        "encoders": encoders,
        **head.settings,
    }


def extras(head, history: list | None) -> dict:
    """The keys nnref adds: which head to rebuild (nnref_task), and the run's rows per epoch as
    one JSON string (not a list of dicts: torch.save runs a Python hook for every object it
    pickles, and the rows grow each epoch)."""
    return {"nnref_task": head.name, "nnref_history": json.dumps(history or [])}


def checkpoint(net: MLP, head, encoders: dict, history: list | None = None) -> dict:
    """A trained network as a checkpoint nnref-predict reads: the keys a run's best.ckpt has
    (weights under "net.", hyper_parameters, nnref_task), plain data for weights_only loading."""
    return {
        "state_dict": {f"net.{k}": v.detach().clone() for k, v in net.state_dict().items()},
        "hyper_parameters": hyperparameters(net, head, encoders),
        **extras(head, history),
    }
