"""nnref's Hydra configs: the YAML groups in this folder, plus two groups made from the course's
tables.

`optim` and `batching` are not YAML files: each course optimizer (`nnref.optim.OPTIMIZERS`, with
its torch twin as optim=torch_NAME) and each batching (`nnref.data.BATCHINGS`) is registered here in
Hydra's ConfigStore, so that a default lr or an lr_scale has one home. `python train.py optim=adam
--cfg job` shows what one of them holds.
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from ..data.batches import BATCHINGS
from ..optim import OPTIMIZERS


def optimizer_node(entry) -> dict:
    return {
        "_target_": f"nnref.optim.{entry.cls.__name__}",
        "_partial_": True,
        "lr": entry.lr,
        **plain(entry.settings),
    }


def twin_node(entry) -> dict:
    cls = entry.twin
    return {
        "_target_": f"{cls.__module__.rsplit('.', 1)[0]}.{cls.__name__}",
        "_partial_": True,
        "lr": entry.lr,
        **plain(entry.settings),
        **entry.twin_settings,
    }


def plain(settings: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}


def register() -> None:
    """Put optim=NAME, optim=torch_NAME and batching=NAME in Hydra's ConfigStore (again is
    harmless)."""
    store = ConfigStore.instance()
    for entry in OPTIMIZERS.values():
        store.store(group="optim", name=entry.name, node=optimizer_node(entry))
        store.store(group="optim", name=entry.twin_name, node=twin_node(entry))
    for batching in BATCHINGS.values():
        store.store(
            group="batching",
            name=batching.name,
            node={"name": batching.name, "lr_scale": batching.lr_scale},
        )
