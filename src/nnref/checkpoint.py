"""An nnref checkpoint, in one place: what it holds beside its weights, its writer and its reader.

A Lightning run writes it (tasks/base.py: `save_hyperparameters` with `hyperparameters()`, and
`on_save_checkpoint` with `extras()`); the playground writes the same keys for its download
(`to_checkpoint`); nnref-predict reads it (`read_checkpoint`, then `from_checkpoint` rebuilds the
network and its head). All of it is plain data, so a checkpoint loads with
`torch.load(weights_only=True)`, and reading it needs torch alone.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import torch

from .data.sources import DataError
from .errors import first_line
from .heads import HEADS
from .locale.messages import _
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


def to_checkpoint(net: MLP, head, encoders: dict, history: list | None = None) -> dict:
    """A trained network as a checkpoint nnref-predict reads: the keys a run's best.ckpt has
    (weights under "net.", hyper_parameters, nnref_task), plain data for weights_only loading."""
    return {
        "state_dict": {f"net.{k}": v.detach().clone() for k, v in net.state_dict().items()},
        "hyper_parameters": hyperparameters(net, head, encoders),
        **extras(head, history),
    }


def read_checkpoint(path: Path) -> dict:
    """A checkpoint file's contents, loaded with weights_only=True; DataError says why a file is
    not an nnref checkpoint."""
    if not zipfile.is_zipfile(path):
        raise DataError(
            _(
                "checkpoint={path}: not a PyTorch checkpoint (torch.save writes a zip archive); "
                "give RUN/checkpoints/best.ckpt of a run of train.py",
                path=path,
            )
        )
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same one-line refusal
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        lines = lines or [type(e).__name__]
        # torch's weights_only refusal is a paragraph; the line naming what it refused is the one.
        reason = next((line for line in lines if line.startswith("Unsupported")), lines[0])
        raise DataError(
            _(
                "checkpoint={path}: cannot be loaded with torch.load(weights_only=True): {reason}",
                path=path,
                reason=reason,
            )
        ) from None
    hparams = ckpt.get("hyper_parameters") if isinstance(ckpt, dict) else None
    encoders = (hparams or {}).get("encoders") or {}
    named = isinstance(ckpt, dict) and isinstance(ckpt.get("nnref_task"), str)
    if "features" not in encoders or "target" not in encoders or not named:
        raise DataError(
            _(
                "checkpoint={path}: not an nnref checkpoint (no saved encoders); "
                "give RUN/checkpoints/best.ckpt of a run of train.py",
                path=path,
            )
        )
    if "state_dict" not in ckpt:
        raise DataError(_("checkpoint={path}: not an nnref checkpoint (no weights)", path=path))
    return ckpt


def from_checkpoint(ckpt: dict, path="checkpoint") -> tuple:
    """(net, head) rebuilt from a checkpoint's settings (the head it names), with its weights."""
    task, h = ckpt["nnref_task"], dict(ckpt["hyper_parameters"])
    if task not in HEADS:
        raise DataError(
            _(
                "checkpoint={path}: task={task} is not a head of this nnref ({heads})",
                path=path,
                task=task,
                heads=", ".join(HEADS),
            )
        )
    head_class = HEADS[task]
    try:
        options = {k: h[k] for k in head_class.options if k in h}
        head = head_class(h["n_outputs"], h.get("loss"), h["encoders"], **options)
        net = MLP(h["n_inputs"], h["hidden"], h["n_outputs"], h["activation"])
        weights = {
            k.removeprefix("net."): v for k, v in ckpt["state_dict"].items() if k.startswith("net.")
        }
        net.load_state_dict(weights)
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise DataError(
            _(
                "checkpoint={path}: its weights do not fit its settings ({why})",
                path=path,
                why=first_line(e),
            )
        ) from None
    return net.eval(), head
